"""The default sentiment model: fine-tuned on a dataset's own ratings in the background, VADER meanwhile.

:func:`advance_default_sentiment` is one idempotent step of a small state machine that the
Sentiment page calls on every visit and poll: start training → (model registered by
``models.flows.sync``) → start scoring → (predictions imported by the sync). Every step is
persisted (job folders, store rows), so a page reload, a second browser session or an app
restart picks up where it was.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.home import gapsight_home
from analytics.store.database import DatasetInfo, Store
from analytics.store.labels import load_labels
from analytics.store.model_rows import RegisteredModel, choose_model, registered_models, serving_model
from analytics.store.predictions import LEXICON_MODEL_ID, has_predictions
from analytics.store.rating_cuts import RatingCuts, load_cuts
from models.base import choose_base
from models.device import choose_device
from models.flows.estimates import Estimate, seconds_of, training_estimate
from models.flows.lexicon_scoring import lexicon_name
from models.flows.model_scoring import advance_model_predictions
from models.jobs import JobSpec, JobStatus, latest_job, list_jobs, start_job, write_job_input
from models.tasks import sentiment_labels_from_ratings

TASK = "sentiment"
# On a CPU the default run (TF-IDF + LR and embeddings + LR: the recipe's quick kinds) learns from a
# stratified sample of this many rated texts, so that it is ready in a few minutes; on a GPU from all.
CPU_TRAINING_ROWS = 20_000
MIN_PER_CLASS = 20


@dataclass(frozen=True)
class SentimentSource:
    """Which predictions the Sentiment page shows, and what runs in the background.

    ``stage`` is "ready" (fine-tuned predictions stored), "training", "scoring", "retraining" (a
    newer model trains while the current one serves), "lexicon"
    (VADER only: no ratings to learn from, or training failed) or "waiting" (nothing started).
    """

    model_id: str
    model_name: str
    stage: str
    job: JobStatus | None = None
    note: str = ""


def rating_training_frame(rows: pd.DataFrame, *, max_rows: int | None, corrections: pd.DataFrame | None = None,
                          cuts: RatingCuts | None = None, seed: int = 0) -> pd.DataFrame:
    """``record_id``, ``text``, ``label`` from rated texts and people's relabels, stratified-sampled to ``max_rows``.

    A person's label (``corrections``: ``record_id``, ``label``) replaces the one derived from the
    rating and also labels texts without a rating; relabelled rows are always kept by the sampling,
    because they are the ones the previous model got wrong. ``cuts`` (on the original scale) say
    which ratings are negative / positive; without them the app-wide normalised rule applies.

    Raises
    ------
    ValueError
        Too few labelled texts per class to learn from.
    """
    labels = (cuts.labels(rows["rating_raw"]) if cuts is not None
              else sentiment_labels_from_ratings(rows["rating"].to_numpy(dtype=float, na_value=np.nan)))
    frame = pd.DataFrame({"record_id": rows["record_id"].astype(str).tolist(), "text": rows["text"].tolist(),
                          "label": labels})
    fixed = pd.Series(dtype=object)
    if corrections is not None and not corrections.empty:
        fixed = corrections.drop_duplicates("record_id", keep="last").set_index("record_id")["label"]
        frame["label"] = frame["record_id"].map(fixed).fillna(frame["label"])
    frame = frame[frame["label"].notna() & frame["text"].notna()]
    counts = frame["label"].value_counts()
    if len(counts) < 2 or counts.min() < MIN_PER_CLASS:
        raise ValueError(
            "Not enough labelled texts to fine-tune a sentiment model "
            f"(per class: {', '.join(f'{k} {v}' for k, v in counts.items()) or 'none'}; "
            f"each needs at least {MIN_PER_CLASS}). VADER keeps serving.")
    if max_rows is not None and len(frame) > max_rows:
        relabelled = frame["record_id"].isin(fixed.index)
        rest = frame[~relabelled]
        share = max(0.0, (max_rows - relabelled.sum()) / len(rest)) if len(rest) else 0.0
        frame = pd.concat([frame[relabelled],
                           rest.groupby("label", group_keys=False).sample(frac=share, random_state=seed)])
    return frame.reset_index(drop=True)


def advance_default_sentiment(store: Store, info: DatasetInfo, rows: pd.DataFrame, *,
                              home: Path | None = None, start: bool = True, retry: bool = False) -> SentimentSource:
    """Take the next step towards fine-tuned sentiment predictions for a dataset; say where it stands.

    A failed or cancelled job is reported, not restarted, unless ``retry`` is set (a user's click).
    While a newer model trains (:func:`retrain_default_sentiment`), the current one keeps serving.
    """
    home = home or gapsight_home()
    lexicon = lexicon_name(info.report.get("languages"))
    job = latest_job(task=TASK, dataset_id=info.id, kind="train", home=home)
    model = serving_model(store, info.id, TASK)
    if model is not None:
        if not has_predictions(store, info.id, model.model_id):
            return _advance_scoring(store, info, rows, model, home, start, retry)
        if job is not None and job.state in ("queued", "running"):
            return SentimentSource(model.model_id, model.name, "retraining", job,
                                   f"Fine-tuning again with your labels; '{model.name}' serves meanwhile.")
        return SentimentSource(model.model_id, model.name, "ready")
    if job is not None and job.state in ("queued", "running"):
        return SentimentSource(LEXICON_MODEL_ID, lexicon, "training", job,
                               "Sentiment models are being trained on this dataset's ratings; the lexicon baseline serves meanwhile.")
    if job is not None and job.state == "done" and not job.synced:
        return SentimentSource(LEXICON_MODEL_ID, lexicon, "training", job,
                               "Fine-tuning finished; the model is being registered.")
    if job is not None and job.state in ("failed", "cancelled") and not retry:
        return SentimentSource(LEXICON_MODEL_ID, lexicon, "lexicon", job,
                               f"Fine-tuning {job.state}: {job.error or 'cancelled by a user'}")
    corrections = load_labels(store, info.id, TASK)
    if not info.mapping.get("rating") and corrections.empty:
        return SentimentSource(LEXICON_MODEL_ID, lexicon, "lexicon", None,
                               "This dataset has no rating column to learn from; relabel rows to teach a model.")
    if not start:
        return SentimentSource(LEXICON_MODEL_ID, lexicon, "waiting")
    busy = [other for other in list_jobs(home=home) if other.is_active]
    if busy:  # the automatic fine-tune never queues behind other work: it starts when the CPU is free
        return SentimentSource(LEXICON_MODEL_ID, lexicon, "waiting", None,
                               f"Sentiment models will be trained on this dataset once '{busy[0].name}' has "
                               "finished; the lexicon baseline serves meanwhile.")
    try:
        job_id, n_rows, estimate = _start_training(store, info, rows, corrections, load_cuts(store, info), home)
    except ValueError as error:
        return SentimentSource(LEXICON_MODEL_ID, lexicon, "lexicon", None, str(error))
    return SentimentSource(LEXICON_MODEL_ID, lexicon, "training", None,
                           f"Started training sentiment models on {n_rows:,} labelled texts{estimate or ''} (job {job_id}); "
                           "the best of them on held-out rows will serve.")


def retrain_default_sentiment(store: Store, info: DatasetInfo, rows: pd.DataFrame, *,
                              home: Path | None = None) -> str:
    """Fine-tune a new sentiment model with people's relabels over the ratings; return the job id.

    Raises
    ------
    ValueError
        A training job for this dataset is already running, or too few labelled texts.
    """
    home = home or gapsight_home()
    job = latest_job(task=TASK, dataset_id=info.id, kind="train", home=home)
    if job is not None and job.state in ("queued", "running"):
        raise ValueError("A sentiment model for this dataset is already being fine-tuned; wait for it or cancel it.")
    job_id, *_ = _start_training(store, info, rows, load_labels(store, info.id, TASK), load_cuts(store, info), home)
    choose_model(store, info.id, TASK, None)  # the new model takes over this dataset once it is registered
    return job_id


def _start_training(store: Store, info: DatasetInfo, rows: pd.DataFrame, corrections: pd.DataFrame,
                    cuts: RatingCuts | None, home: Path) -> tuple[str, int, Estimate | None]:
    device = choose_device()
    frame = rating_training_frame(rows, max_rows=None if device.kind == "cuda" else CPU_TRAINING_ROWS,
                                  corrections=corrections, cuts=cuts)
    estimate = training_estimate(registered_models(store), list_jobs(home=home), n_texts=len(frame),
                                 recipe="auto", device=device)
    spec = JobSpec(kind="train", task=TASK, input_path=str(write_job_input(frame, home=home)),
                   name=f"Sentiment from ratings · {info.name}", dataset_id=info.id, recipe="auto",
                   expected_seconds=seconds_of(estimate), base=choose_base(info.report.get("languages")))
    return start_job(spec, home=home), len(frame), estimate


def _advance_scoring(store: Store, info: DatasetInfo, rows: pd.DataFrame, model: RegisteredModel, home: Path,
                     start: bool, retry: bool) -> SentimentSource:
    state = advance_model_predictions(store, info, rows, model, home=home, start=start, retry=retry)
    lexicon = lexicon_name(info.report.get("languages"))
    if state.stage == "ready":
        return SentimentSource(model.model_id, model.name, "ready")
    stage = {"scoring": "scoring", "failed": "lexicon", "waiting": "waiting"}[state.stage]
    note = f"{state.note} the lexicon baseline serves meanwhile." if state.stage == "scoring" else state.note
    return SentimentSource(LEXICON_MODEL_ID, lexicon, stage, state.job, note)
