"""Sentiment predictions in the store's shape, from the lexicon baseline (always available): VADER for English,
pysenti + SnowNLP for Chinese, each row by its stored language."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analytics.language import CHINESE
from analytics.store.database import Store
from analytics.store.predictions import LEXICON_MODEL_ID, load_predictions, save_predictions
from models.lexicon import score_lexicon

LEXICON_NAME = "VADER lexicon (baseline)"
CHINESE_LEXICON_NAME = "pysenti + SnowNLP Chinese lexicons (baseline)"
MIXED_LEXICON_NAME = "VADER + Chinese lexicons (baseline; pysenti + SnowNLP for the Chinese rows)"


def lexicon_name(languages: dict[str, int] | None) -> str:
    """What scored a dataset whose rows per language are ``languages`` (an import report's counts): VADER's name
    unless some rows are Chinese.

    >>> lexicon_name({"en": 10}), lexicon_name({"zh": 10}), lexicon_name(None)
    ('VADER lexicon (baseline)', 'pysenti + SnowNLP Chinese lexicons (baseline)', 'VADER lexicon (baseline)')
    """
    counts = {code: n for code, n in (languages or {}).items() if code and n}
    if not counts.get(CHINESE):
        return LEXICON_NAME
    return CHINESE_LEXICON_NAME if len(counts) == 1 else MIXED_LEXICON_NAME


def lexicon_predictions(record_ids: Sequence[str], texts: Sequence[object], *, languages: Sequence[str] | None = None,
                        batch_size: int = 2_000, progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Lexicon labels for many texts in batches, as ``record_id``, ``label``, ``confidence``, ``proba_*``.

    Lexicons have no probabilities; ``confidence`` is the strength of the compound score
    ((|c| + 1) / 2 for positive and negative, 1 − |c| for neutral) so that tables can rank by it,
    and ``proba_*`` are the lexicon's negative / neutral / positive parts of the text. ``languages`` (one code per
    text) pick the lexicon, detected when not given. Empty texts get no label.
    """
    analyzer = SentimentIntensityAnalyzer()
    parts = []
    for start in range(0, len(texts), batch_size):
        end = start + batch_size
        parts.append(score_lexicon(list(texts[start:end]), analyzer=analyzer,
                                   languages=None if languages is None else list(languages[start:end])))
        if progress is not None:
            progress(min(end, len(texts)), len(texts))
    scores = pd.concat(parts, ignore_index=True) if parts else score_lexicon([])
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
    """A dataset's stored lexicon predictions; rows never scored (all of them at first, those a re-map added or
    changed later) are scored and stored first."""
    predictions = load_predictions(store, dataset_id, LEXICON_MODEL_ID)
    has_text = rows["text"].astype("string").str.strip().fillna("").ne("")  # empty texts get no label, ever
    missing = rows[has_text & ~rows["record_id"].astype(str).isin(predictions["record_id"].astype(str))]
    if len(missing):
        scored = lexicon_predictions(missing["record_id"].tolist(), missing["text"].tolist(), progress=progress,
                                     languages=missing["language"].tolist() if "language" in missing else None)
        save_predictions(store, dataset_id, LEXICON_MODEL_ID, scored, only_these=not predictions.empty)
        predictions = load_predictions(store, dataset_id, LEXICON_MODEL_ID)
    return predictions
