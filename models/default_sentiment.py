"""The default sentiment model: fine-tuned on a dataset's own ratings in the background, VADER meanwhile.

:func:`advance_default_sentiment` is one idempotent step of a small state machine that the
Sentiment page calls on every visit and poll: start training → register the model → start
scoring → import the predictions. Every step is persisted (job folders, store rows), so a page
reload, a second browser session or an app restart picks up where it was.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.predictions import (
    LEXICON_MODEL_ID, RegisteredModel, load_predictions, registered_models, save_predictions,
)
from analytics.store import DatasetInfo, Store, gapsight_home
from models.device import choose_device
from models.jobs import JobSpec, JobStatus, latest_job, start_job, write_job_input
from models.model_jobs import register_job_model
from models.sentiment import LEXICON_NAME
from models.tasks import sentiment_labels_from_ratings

TASK = "sentiment"
SCORE_TASK = "sentiment-score"
# On a CPU the default model trains on a stratified sample so that it is ready in a few minutes;
# on a GPU it trains on every rated text.
CPU_TRAINING_ROWS = 4_000
MIN_PER_CLASS = 20


@dataclass(frozen=True)
class SentimentSource:
    """Which predictions the Sentiment page shows, and what runs in the background.

    ``stage`` is "ready" (fine-tuned predictions stored), "training", "scoring", "lexicon"
    (VADER only: no ratings to learn from, or training failed) or "waiting" (nothing started).
    """

    model_id: str
    model_name: str
    stage: str
    job: JobStatus | None = None
    note: str = ""


def training_config(*, cuda: bool) -> dict:
    """Fine-tuning settings for the default model: short texts, few epochs, sized for the device."""
    if cuda:
        return {"epochs": 3, "learning_rate": 1e-4, "batch_size": 32, "max_length": 64}
    return {"epochs": 2, "learning_rate": 1e-4, "batch_size": 32, "max_length": 64}


def rating_training_frame(rows: pd.DataFrame, *, max_rows: int | None, seed: int = 0) -> pd.DataFrame:
    """``record_id``, ``text``, ``label`` from the dataset's rated texts, stratified-sampled to ``max_rows``.

    Raises
    ------
    ValueError
        Too few rated texts per class to learn from.
    """
    labels = sentiment_labels_from_ratings(rows["rating"].to_numpy(dtype=float, na_value=np.nan))
    frame = pd.DataFrame({"record_id": rows["record_id"].astype(str).tolist(), "text": rows["text"].tolist(),
                          "label": labels})
    frame = frame[frame["label"].notna() & frame["text"].notna()]
    counts = frame["label"].value_counts()
    if len(counts) < 2 or counts.min() < MIN_PER_CLASS:
        raise ValueError(
            "Not enough rated texts to fine-tune a sentiment model "
            f"(per class: {', '.join(f'{k} {v}' for k, v in counts.items()) or 'none'}; "
            f"each needs at least {MIN_PER_CLASS}). VADER keeps serving.")
    if max_rows is not None and len(frame) > max_rows:
        share = max_rows / len(frame)
        frame = frame.groupby("label", group_keys=False).sample(frac=share, random_state=seed)
    return frame.reset_index(drop=True)


def advance_default_sentiment(store: Store, info: DatasetInfo, rows: pd.DataFrame, *,
                              home: Path | None = None, start: bool = True, retry: bool = False) -> SentimentSource:
    """Take the next step towards fine-tuned sentiment predictions for a dataset; say where it stands.

    A failed or cancelled job is reported, not restarted, unless ``retry`` is set (a user's click).
    """
    home = home or gapsight_home()
    model = _model_for(store, info)
    if model is None:
        model = _register_finished_training(store, info, home)
    if model is not None:
        if not load_predictions(store, info.id, model.model_id).empty:
            return SentimentSource(model.model_id, model.name, "ready")
        return _advance_scoring(store, info, rows, model, home, start, retry)
    job = latest_job(task=TASK, dataset_id=info.id, kind="train", home=home)
    if job is not None and job.state in ("queued", "running"):
        return SentimentSource(LEXICON_MODEL_ID, LEXICON_NAME, "training", job,
                               "A sentiment model is being fine-tuned on this dataset's ratings; VADER serves meanwhile.")
    if job is not None and job.state in ("failed", "cancelled") and not retry:
        return SentimentSource(LEXICON_MODEL_ID, LEXICON_NAME, "lexicon", job,
                               f"Fine-tuning {job.state}: {job.error or 'cancelled by a user'}")
    if not info.mapping.get("rating") or not start:
        return SentimentSource(LEXICON_MODEL_ID, LEXICON_NAME, "lexicon" if not info.mapping.get("rating")
                               else "waiting", None, "This dataset has no rating column to learn from."
                               if not info.mapping.get("rating") else "")
    device = choose_device()
    try:
        frame = rating_training_frame(rows, max_rows=None if device.kind == "cuda" else CPU_TRAINING_ROWS)
    except ValueError as error:
        return SentimentSource(LEXICON_MODEL_ID, LEXICON_NAME, "lexicon", None, str(error))
    spec = JobSpec(kind="train", task=TASK, input_path=str(write_job_input(frame, home=home)),
                   name=f"Sentiment from ratings · {info.name}", dataset_id=info.id,
                   config=training_config(cuda=device.kind == "cuda"))
    job_id = start_job(spec, home=home)
    return SentimentSource(LEXICON_MODEL_ID, LEXICON_NAME, "training", None,
                           f"Started fine-tuning on {len(frame):,} rated texts (job {job_id}).")


def _model_for(store: Store, info: DatasetInfo) -> RegisteredModel | None:
    """The active sentiment model trained on this dataset, else the active one trained elsewhere."""
    models = [m for m in registered_models(store, task=TASK) if m.active and Path(m.folder).exists()]
    return next((m for m in models if m.dataset_id == info.id), models[0] if models else None)


def _register_finished_training(store: Store, info: DatasetInfo, home: Path) -> RegisteredModel | None:
    job = latest_job(task=TASK, dataset_id=info.id, kind="train", home=home)
    return register_job_model(store, job) if job is not None else None


def _advance_scoring(store: Store, info: DatasetInfo, rows: pd.DataFrame, model: RegisteredModel, home: Path,
                     start: bool, retry: bool) -> SentimentSource:
    job = latest_job(task=SCORE_TASK, dataset_id=info.id, kind="score", home=home)
    if job is not None and job.state == "done" and job.result and job.result.get("model_folder") == model.folder:
        scored = pd.read_parquet(job.result["predictions_path"])
        save_predictions(store, info.id, model.model_id, scored[scored["label"].notna()])
        return SentimentSource(model.model_id, model.name, "ready")
    if job is not None and job.state in ("queued", "running"):
        return SentimentSource(LEXICON_MODEL_ID, LEXICON_NAME, "scoring", job,
                               f"Scoring every interaction with '{model.name}'; VADER serves meanwhile.")
    if job is not None and job.state in ("failed", "cancelled") and not retry:
        return SentimentSource(LEXICON_MODEL_ID, LEXICON_NAME, "lexicon", job,
                               f"Scoring with '{model.name}' {job.state}: {job.error or 'cancelled by a user'}")
    if not start:
        return SentimentSource(LEXICON_MODEL_ID, LEXICON_NAME, "waiting")
    texts = rows[rows["text"].notna()][["record_id", "text"]]
    spec = JobSpec(kind="score", task=SCORE_TASK, input_path=str(write_job_input(texts, home=home)),
                   name=f"Score with {model.name}", dataset_id=info.id, model_folder=model.folder)
    start_job(spec, home=home)
    return SentimentSource(LEXICON_MODEL_ID, LEXICON_NAME, "scoring", None,
                           f"Started scoring {len(texts):,} interactions with '{model.name}'.")
