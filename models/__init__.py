"""Gapsight's transformer and lexicon models (never imports streamlit; from analytics only home and schema).

One job per module:

- ``device``: choose CUDA (bf16 autocast) or CPU and the batch defaults (``choose_device``).
- ``base``: the packaged all-MiniLM-L6-v2, tokenizer and classifier loading, a tiny test BERT.
- ``inference``: length-sorted, dynamically padded, chunk-aware batched scoring with OOM
  back-off (``predict_proba``, ``predict`` -> ``Predictions``).
- ``embeddings``: mean-pooled, L2-normalised sentence embeddings (``embed``).
- ``labels``: labels checked and split before anything heavy loads (``prepare_training_data``).
- ``recipes``: fine-tuning settings and the device's defaults, which model kinds a recipe fits.
- ``training``: fine-tuning with a faster head, early stopping and calibration
  (``fine_tune`` -> ``FineTuneResult``).
- ``linear``: TF-IDF + LR and MiniLM embeddings + LR as servable models (``LinearTextModel``).
- ``best_of`` / ``candidate_cards``: every kind of a run scored on the same split, the one to
  activate (``select``), and each saved with the whole comparison on its card.
- ``threads``: torch / OpenMP threads of the app and the jobs, so they never oversubscribe the cores.
- ``calibration``: bounded temperature scaling, refused for near-uniform models (``calibrate``).
- ``evaluation``: reports (``evaluate`` -> ``EvaluationReport``) and the VADER baseline.
- ``lexicon``: VADER scores (``score_vader``).
- ``registry``: model folders with ``gapsight.json`` cards (``save_model``, ``load_model``, ...).
- ``quantize``: dynamic int8 CPU variant (``quantize_int8``).
- ``variants``: CPU speed and size on every card, the int8 variant measured beside its original
  on the same test rows (``build_int8_variant``).
- ``explain``: word-level occlusion explanations of one prediction (``explain_occlusion`` -> ``Explanation``).
- ``tasks``: best-of train-evaluate-save, score and evaluate, shared by jobs and the CLI.
- ``jobs`` / ``worker``: background jobs (train, score, quantize, embed) with persisted progress.
- ``topic_embeddings``: a dataset's text embeddings, cached on disk, and label-description embeddings.
- ``flows/``: the one place that joins the store and the models (jobs → registry → stored
  predictions): ``default_sentiment``, ``model_jobs``, ``model_scoring``, ``embedding_jobs``,
  ``lexicon_scoring`` and ``sync`` (``sync_finished_jobs``, run once per page view).
- ``text``: raw cell values to text (``clean_text``).
"""
