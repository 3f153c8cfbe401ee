"""Gapsight's transformer and lexicon models (never imports streamlit).

One job per module:

- ``device``: choose CUDA (bf16 autocast) or CPU and the batch defaults (``choose_device``).
- ``base``: the packaged all-MiniLM-L6-v2, tokenizer and classifier loading, a tiny test BERT.
- ``inference``: length-sorted, dynamically padded, chunk-aware batched scoring with OOM
  back-off (``predict_proba``, ``predict`` -> ``Predictions``).
- ``embeddings``: mean-pooled, L2-normalised sentence embeddings (``embed``).
- ``training``: validated data, stratified split, fine-tuning with early stopping and
  calibration (``fine_tune`` -> ``FineTuneResult``).
- ``calibration``: temperature scaling (``fit_temperature``).
- ``evaluation``: reports (``evaluate`` -> ``EvaluationReport``) and the TF-IDF / VADER baselines.
- ``lexicon``: VADER scores (``score_vader``).
- ``zeroshot``: tagging by similarity to label descriptions plus keyword rules (``zero_shot_tag``).
- ``registry``: model folders with ``gapsight.json`` cards (``save_model``, ``load_model``, ...).
- ``quantize``: dynamic int8 CPU variant (``quantize_int8``).
- ``text``: raw cell values to text (``clean_text``).
"""
