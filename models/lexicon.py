"""Lexicon sentiment, the always-available baseline: VADER for English; for Chinese, pysenti's rules and SnowNLP's
word counts averaged. None needs training or a download; the language of each text picks its lexicon.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analytics.language import CHINESE, HAN_CLASS, detect_languages, normalise_width
from analytics.words import chinese_words
from models.text import clean_text

__all__ = ["SENTIMENT_LABELS", "lexicon_proba", "score_chinese", "score_lexicon", "score_vader", "vader_label"]

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


# VADER's normalisation of a summed score into (-1, 1): x / sqrt(x² + alpha).
_NORMALISE_ALPHA = 15.0


@functools.cache
def _snownlp_lexicon() -> tuple[dict[str, float], frozenset[str]]:
    """SnowNLP's sentiment word counts (Chinese shopping reviews) as one log-odds weight per word, and its stop
    words. Read through jieba's words, skipping words it never saw, they score a review in about 1 ms; SnowNLP's
    own pipeline takes about 15 ms for the same macro-F1 (RESULTS.md)."""
    import snownlp.sentiment as sentiment
    from snownlp import normal

    counts = sentiment.classifier.classifier.d
    positive, negative = counts["pos"], counts["neg"]
    weights = {w: math.log(positive.freq(w)) - math.log(negative.freq(w)) for w in set(positive.d) | set(negative.d)}
    return weights, frozenset(normal.stop)


# Degree adverbs jieba glues to the word they modify (很差, 太脏, 非常满意): words neither lexicon lists. Cut off,
# the word is scored (and, by pysenti's rules, intensified). Not 好, which starts words of its own (好评, 好吃).
_DEGREE_ADVERBS = ("非常", "特别", "十分", "比较", "相当", "很", "太", "超", "挺", "真", "最", "更", "极", "蛮")
_GLUED_DEGREE = re.compile("(" + "|".join(_DEGREE_ADVERBS) + f")(?=[{HAN_CLASS}])")
# A degree adverb in front of a word multiplies its weight by this (pysenti's own multipliers run 0.5-2).
_DEGREE_BOOST = 1.5


def _word_weight(word: str, weights: dict[str, float]) -> float:
    if word in weights:
        return weights[word]
    for adverb in _DEGREE_ADVERBS:
        if word.startswith(adverb) and word[len(adverb):] in weights:
            return _DEGREE_BOOST * weights[word[len(adverb):]]
    return 0.0


def _snownlp_compound(text: str) -> float:
    weights, stop = _snownlp_lexicon()
    odds = sum(_word_weight(w, weights) for w in chinese_words(text, stop_words=stop))
    return 2.0 / (1.0 + math.exp(-max(min(odds, 50.0), -50.0))) - 1.0


def _pysenti_compound(text: str) -> float:
    from pysenti import rule_classifier  # imported on first use: it loads its dictionaries

    raw = rule_classifier.classify(_GLUED_DEGREE.sub(r"\1 ", text))["score"]
    return raw / math.sqrt(raw * raw + _NORMALISE_ALPHA)


def score_chinese(texts: Sequence[object], *, threshold: float = 0.05) -> pd.DataFrame:
    """Two Chinese lexicons averaged, in :func:`score_vader`'s columns: pysenti's rules (a sentiment dictionary with
    degree adverbs, negations and conjunctions, normalised as VADER normalises) and SnowNLP's word counts (the
    probability p of "positive" as ``2p − 1``); negative / neutral / positive parts are made from the compound.

    Each alone reaches about 0.70 macro-F1 on hotel reviews and errs its own way (SnowNLP called 65 % of the
    Chinese demo's reviews negative against 12 % by their ratings); their mean reaches 0.79 there (RESULTS.md).

    >>> score_chinese(["服务很好，房间干净", "太差了，再也不来了"])["label"].tolist()
    ['positive', 'negative']
    """
    cleaned = [normalise_width(clean_text(t)) for t in texts]
    compound = np.array([(_snownlp_compound(t) + _pysenti_compound(t)) / 2 if t else 0.0 for t in cleaned])
    labels = [vader_label(c, threshold=threshold) if text else None for c, text in zip(compound.tolist(), cleaned)]
    return pd.DataFrame({
        "label": pd.Series(labels, dtype="object"), "compound": compound,
        "negative": np.clip(-compound, 0, 1), "neutral": 1 - np.abs(compound), "positive": np.clip(compound, 0, 1),
        "is_empty": [not t for t in cleaned],
    })


def score_lexicon(texts: Sequence[object], *, languages: Sequence[str] | None = None, threshold: float = 0.05,
                  analyzer: SentimentIntensityAnalyzer | None = None) -> pd.DataFrame:
    """Each text scored by its language's lexicon (Chinese: :func:`score_chinese`, else VADER), in input order, with
    a ``lexicon`` column naming which one; ``languages`` (codes as :func:`analytics.language.detect_languages`
    gives them) are detected when not given.

    >>> score_lexicon(["I love it", "质量太差"])[["label", "lexicon"]].values.tolist()
    [['positive', 'VADER'], ['negative', 'pysenti + SnowNLP']]
    """
    texts = list(texts)
    codes = np.asarray(detect_languages(texts) if languages is None else list(languages), dtype=object)
    chinese = codes == CHINESE
    if not chinese.any():
        return score_vader(texts, threshold=threshold, analyzer=analyzer).assign(lexicon="VADER")
    parts = []
    for mask, score, name in ((~chinese, lambda t: score_vader(t, threshold=threshold, analyzer=analyzer), "VADER"),
                              (chinese, lambda t: score_chinese(t, threshold=threshold), "pysenti + SnowNLP")):
        where = np.flatnonzero(mask)
        if len(where):
            parts.append(score([texts[i] for i in where]).assign(lexicon=name).set_axis(where))
    return pd.concat(parts).sort_index().reset_index(drop=True)


def lexicon_proba(
    texts: Sequence[object],
    *,
    classes: Sequence[str] = SENTIMENT_LABELS,
    threshold: float = 0.05,
    sharpness: float = 10.0,
    analyzer: SentimentIntensityAnalyzer | None = None,
) -> np.ndarray:
    """The lexicon's compound score (:func:`score_lexicon`) as class probabilities (n × ``len(classes)``).

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
    >>> lexicon_proba(["I love it", "太差了"]).argmax(axis=1).tolist()  # negative, neutral, positive
    [2, 0]
    """
    classes = tuple(str(c) for c in classes)
    if sorted(classes) not in (sorted(SENTIMENT_LABELS), ["negative", "positive"]):
        raise ValueError(
            f"classes={list(classes)} should be negative/neutral/positive or negative/positive "
            "(in any order)."
        )
    if not sharpness > 0:
        raise ValueError(f"sharpness={sharpness} should be > 0.")
    compound = score_lexicon(texts, threshold=threshold, analyzer=analyzer)["compound"].to_numpy()
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
