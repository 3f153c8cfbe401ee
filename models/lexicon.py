"""VADER lexicon sentiment: the always-available baseline."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from models.text import clean_text

__all__ = ["SENTIMENT_LABELS", "score_vader", "vader_label", "vader_proba"]

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


def vader_proba(
    texts: Sequence[object],
    *,
    classes: Sequence[str] = SENTIMENT_LABELS,
    threshold: float = 0.05,
    sharpness: float = 10.0,
    analyzer: SentimentIntensityAnalyzer | None = None,
) -> np.ndarray:
    """VADER's compound score as class probabilities (n × ``len(classes)``, rows sum to 1).

    VADER gives a compound score, not probabilities; its neg/neu/pos proportions are shares
    of the text and favour "neutral" in almost every sentence. This softmax keeps
    :func:`vader_label`'s decision instead: with three classes the logits are
    ``sharpness * (-compound - threshold)``, ``0`` and ``sharpness * (compound - threshold)``,
    so the most probable class is the ±``threshold`` label (exact ties aside); with only
    negative/positive, ``P(positive) = sigmoid(sharpness * compound)``, the sign rule of the
    VADER baseline. The numbers are smooth scores shaped like probabilities, not calibrated
    ones. Empty texts have compound 0.

    Parameters
    ----------
    texts : sequence
    classes : sequence of str
        ``negative``, ``neutral``, ``positive`` or just ``negative``, ``positive``, in the
        column order wanted.
    threshold : float
        As in :func:`vader_label`.
    sharpness : float
        How fast probabilities move with the compound score (> 0).
    analyzer : SentimentIntensityAnalyzer, optional
        Reused across calls when given.

    Examples
    --------
    >>> vader_proba(["I love it"]).argmax(axis=1).tolist()  # negative, neutral, positive
    [2]
    """
    classes = tuple(str(c) for c in classes)
    if sorted(classes) not in (sorted(SENTIMENT_LABELS), ["negative", "positive"]):
        raise ValueError(
            f"classes={list(classes)} should be negative/neutral/positive or negative/positive "
            "(in any order)."
        )
    if not sharpness > 0:
        raise ValueError(f"sharpness={sharpness} should be > 0.")
    compound = score_vader(texts, threshold=threshold, analyzer=analyzer)["compound"].to_numpy()
    if "neutral" in classes:
        logits = {
            "negative": sharpness * (-compound - threshold),
            "neutral": np.zeros_like(compound),
            "positive": sharpness * (compound - threshold),
        }
    else:
        logits = {"negative": np.zeros_like(compound), "positive": sharpness * compound}
    stacked = np.column_stack([logits[c] for c in classes])
    weights = np.exp(stacked - stacked.max(axis=1, keepdims=True))
    return weights / weights.sum(axis=1, keepdims=True)
