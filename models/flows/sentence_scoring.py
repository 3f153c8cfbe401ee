"""Split a dataset's texts into sentences and score each with VADER, once per dataset version."""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analytics.insights.sentences import split_sentences
from analytics.store.database import DatasetInfo, Store
from analytics.store.sentences import load_sentences, save_sentences
from models.lexicon import score_vader

SENTENCE_METHOD = "VADER compound score of each sentence (≥ 0.05 positive, ≤ −0.05 negative)"


def ensure_sentence_scores(store: Store, info: DatasetInfo, rows: pd.DataFrame, *, batch_size: int = 5_000,
                           progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """The dataset's sentences with their ``compound`` score: read from the store, or split, scored and stored.

    ``rows`` are the dataset's canonical rows (all of them, not a filtered view: the table is per version).
    """
    stored = load_sentences(store, info.id, info.version)
    if stored is not None:
        return stored
    sentences = split_sentences(rows[["record_id", "text"]])
    texts = sentences["sentence"].tolist()
    analyzer, compound = SentimentIntensityAnalyzer(), []
    for start in range(0, len(texts), batch_size):
        compound.extend(score_vader(texts[start:start + batch_size], analyzer=analyzer)["compound"].tolist())
        if progress is not None:
            progress(min(start + batch_size, len(texts)), len(texts))
    sentences = sentences.assign(compound=compound)
    save_sentences(store, info.id, info.version, sentences)
    return load_sentences(store, info.id, info.version)
