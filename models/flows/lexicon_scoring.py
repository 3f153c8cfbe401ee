"""Sentiment predictions in the store's shape, from the lexicon baseline (always available)."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analytics.store.database import Store
from analytics.store.predictions import LEXICON_MODEL_ID, load_predictions, save_predictions
from models.lexicon import score_vader

LEXICON_NAME = "VADER lexicon (baseline)"


def lexicon_predictions(record_ids: Sequence[str], texts: Sequence[object], *, batch_size: int = 2_000,
                        progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """VADER labels for many texts in batches, as ``record_id``, ``label``, ``confidence``, ``proba_*``.

    VADER has no probabilities; ``confidence`` is the strength of its compound score
    ((|c| + 1) / 2 for positive and negative, 1 − |c| for neutral) so that tables can rank by it,
    and ``proba_*`` are VADER's negative / neutral / positive proportions of the text.
    Empty texts get no label.
    """
    analyzer = SentimentIntensityAnalyzer()
    parts = []
    for start in range(0, len(texts), batch_size):
        parts.append(score_vader(list(texts[start:start + batch_size]), analyzer=analyzer))
        if progress is not None:
            progress(min(start + batch_size, len(texts)), len(texts))
    scores = pd.concat(parts, ignore_index=True) if parts else score_vader([])
    strength = np.abs(scores["compound"].to_numpy())
    confidence = np.where(scores["label"].to_numpy(dtype=object) == "neutral", 1 - strength, (strength + 1) / 2)
    return pd.DataFrame({
        "record_id": list(record_ids), "label": scores["label"].tolist(),
        "confidence": np.where(scores["is_empty"], np.nan, confidence),
        "proba_negative": scores["negative"], "proba_neutral": scores["neutral"],
        "proba_positive": scores["positive"],
    }).dropna(subset=["label"]).reset_index(drop=True)


def ensure_lexicon_predictions(store: Store, dataset_id: str, rows: pd.DataFrame, *,
                               progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """A dataset's stored VADER predictions; rows never scored (all of them at first, those a re-map added or
    changed later) are scored and stored first."""
    predictions = load_predictions(store, dataset_id, LEXICON_MODEL_ID)
    has_text = rows["text"].astype("string").str.strip().fillna("").ne("")  # empty texts get no label, ever
    missing = rows[has_text & ~rows["record_id"].astype(str).isin(predictions["record_id"].astype(str))]
    if len(missing):
        scored = lexicon_predictions(missing["record_id"].tolist(), missing["text"].tolist(), progress=progress)
        save_predictions(store, dataset_id, LEXICON_MODEL_ID, scored, only_these=not predictions.empty)
        predictions = load_predictions(store, dataset_id, LEXICON_MODEL_ID)
    return predictions
