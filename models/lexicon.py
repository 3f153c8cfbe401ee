"""VADER lexicon sentiment: the always-available baseline."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from models.text import clean_text

__all__ = ["SENTIMENT_LABELS", "score_vader", "vader_label"]

SENTIMENT_LABELS = ("negative", "neutral", "positive")


def vader_label(compound: float, *, threshold: float = 0.05) -> str:
    """``"positive"`` when ``compound >= threshold``, ``"negative"`` when ``<= -threshold``, else ``"neutral"``.

    Examples
    --------
    >>> vader_label(0.4), vader_label(0.0), vader_label(-0.05)
    ('positive', 'neutral', 'negative')
    """
    if compound >= threshold:
        return "positive"
    if compound <= -threshold:
        return "negative"
    return "neutral"


def score_vader(
    texts: Sequence[object],
    *,
    threshold: float = 0.05,
    analyzer: SentimentIntensityAnalyzer | None = None,
) -> pd.DataFrame:
    """VADER scores for a list of texts, one row per text in input order.

    Columns: ``label`` (negative/neutral/positive by the ±``threshold`` rule, ``None`` for
    empty texts), ``compound`` in [-1, 1], ``negative``/``neutral``/``positive`` (VADER's
    proportions of the text, which sum to 1) and ``is_empty``.

    Examples
    --------
    >>> score_vader(["I love it", None])["label"].tolist()
    ['positive', None]
    """
    analyzer = analyzer or SentimentIntensityAnalyzer()
    cleaned = [clean_text(t) for t in texts]
    n = len(cleaned)
    compound = np.zeros(n)
    parts = np.zeros((n, 3))
    parts[:, 1] = 1.0
    labels: list[str | None] = [None] * n
    for i, text in enumerate(cleaned):
        if not text:
            continue
        scores = analyzer.polarity_scores(text)
        compound[i] = scores["compound"]
        total = scores["neg"] + scores["neu"] + scores["pos"]
        if total > 0:
            parts[i] = (scores["neg"] / total, scores["neu"] / total, scores["pos"] / total)
        labels[i] = vader_label(scores["compound"], threshold=threshold)
    return pd.DataFrame(
        {
            "label": pd.Series(labels, dtype="object"),
            "compound": compound,
            "negative": parts[:, 0],
            "neutral": parts[:, 1],
            "positive": parts[:, 2],
            "is_empty": [not t for t in cleaned],
        }
    )
