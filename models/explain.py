"""Word-level explanation of one prediction by occlusion: remove each word, see how the probability moves."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analytics.language import has_han
from analytics.words import chinese_spans
from models.device import DeviceInfo
from models.evaluation import _sentiment_mapping
from models.inference import predict_proba
from models.lexicon import lexicon_proba

__all__ = [
    "Explanation",
    "ScoreFn",
    "explain_occlusion",
    "lexicon_score_fn",
    "transformer_score_fn",
    "word_spans",
]

ScoreFn = Callable[[list[str]], np.ndarray]

# A word (letters/digits, with inner apostrophes: "don't", "it’s") or a run of punctuation
# ("!!!", ":)"), which carries sentiment of its own for VADER and for transformers alike.
_WORD = re.compile(r"\w[\w'’]*|[^\w\s]+")


def word_spans(text: str | None) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the words and punctuation runs of ``text``.

    Examples
    --------
    >>> text = "Great app, but crashes!!!"
    >>> [text[s:e] for s, e in word_spans(text)]
    ['Great', 'app', ',', 'but', 'crashes', '!!!']
    >>> text = "房间很干净，但是太吵了!"
    >>> [text[s:e] for s, e in word_spans(text)]
    ['房间', '很', '干净', '，', '但是', '太吵', '了', '!']
    >>> word_spans(None)
    []
    """
    if not text:
        return []
    spans = []
    for match in _WORD.finditer(text):  # Chinese has no spaces: its runs are cut into words by jieba
        spans.extend(chinese_spans(text, *match.span()) if has_han(match.group(0)) else [match.span()])
    return spans


@dataclass(frozen=True)
class Explanation:
    """How much each word of a text moved the probability of one class.

    Attributes
    ----------
    text : str
        The explained text.
    words : tuple of str
        The attributed words in text order (the first ``max_words`` when ``truncated``).
    spans : tuple of (int, int)
        Character span of each word in ``text``.
    scores : tuple of float
        One per word: P(target | text) − P(target | text without the word). Positive: the
        word pushed the prediction towards ``target``; negative: away from it.
    target : str
        The explained class.
    classes : tuple of str
        Column order of ``proba``.
    proba : tuple of float
        Class probabilities of the full text.
    method : str
        ``"occlusion"``.
    truncated : bool
        ``True`` when the text had more words than were attributed.
    """

    text: str
    words: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    scores: tuple[float, ...]
    target: str
    classes: tuple[str, ...]
    proba: tuple[float, ...]
    method: str
    truncated: bool

    def top(self, n: int = 10) -> list[tuple[str, float]]:
        """The ``n`` words with the largest ``|score|``, largest first (earlier word first on ties)."""
        order = sorted(range(len(self.scores)), key=lambda i: -abs(self.scores[i]))
        return [(self.words[i], self.scores[i]) for i in order[: max(n, 0)]]

    def to_frame(self) -> pd.DataFrame:
        """One row per word in text order: ``position`` (0-based), ``word``, ``score``."""
        return pd.DataFrame(
            {
                "position": np.arange(len(self.words), dtype=np.int64),
                "word": pd.Series(self.words, dtype="object"),
                "score": np.asarray(self.scores, dtype=np.float64),
            }
        )


def _without(text: str, start: int, end: int) -> str:
    """``text`` with ``[start, end)`` cut out and the double space this leaves collapsed."""
    left, right = text[:start], text[end:]
    if not left.strip():
        return right.lstrip()
    if not right.strip():
        return left.rstrip()
    if left[-1].isspace() and right[0].isspace():
        right = right[1:]
    return left + right


def explain_occlusion(
    text: str,
    score_fn: ScoreFn,
    classes: Sequence[str],
    *,
    target: str | None = None,
    max_words: int = 150,
    batch_size: int = 64,
) -> Explanation:
    """Score each word by how much removing it lowers the probability of ``target``.

    Occlusion only needs probabilities for whole texts, so it works unchanged for the fp32
    and int8 transformers and for the VADER lexicon (gradients would need a differentiable
    fp32 model and say nothing about a lexicon). Its cost is one forward pass per word plus
    one for the full text, which ``max_words`` bounds; the variants are scored in lists of
    ``batch_size``, never one by one. It measures each word alone: two words that say the
    same thing ("awful, terrible") can each look unimportant because the other remains.

    Parameters
    ----------
    text : str
    score_fn : callable(list of str) -> np.ndarray
        Probabilities, ``len(texts) × len(classes)``: :func:`transformer_score_fn`,
        :func:`lexicon_score_fn` or any classifier.
    classes : sequence of str
        Column order of ``score_fn``'s output.
    target : str, optional
        The class to explain; the most probable class of the full text by default.
    max_words : int
        Only the first ``max_words`` words are attributed (``truncated`` says so).
    batch_size : int
        Texts per call to ``score_fn``.

    Returns
    -------
    Explanation

    Raises
    ------
    ValueError
        Empty text, an unknown ``target``, bad sizes or a ``score_fn`` returning the wrong shape.

    Examples
    --------
    >>> def score_fn(texts):
    ...     p = np.array([0.9 if "great" in t.lower() else 0.2 for t in texts])
    ...     return np.column_stack([1 - p, p])
    >>> explanation = explain_occlusion("Great app", score_fn, ["negative", "positive"])
    >>> [(word, round(score, 2)) for word, score in explanation.top(2)]
    [('Great', 0.7), ('app', 0.0)]
    """
    if max_words < 1:
        raise ValueError(f"max_words={max_words} should be >= 1.")
    if batch_size < 1:
        raise ValueError(f"batch_size={batch_size} should be >= 1.")
    classes = tuple(str(c) for c in classes)
    if not classes:
        raise ValueError("classes is empty; pass the class names in the order score_fn returns them.")
    if target is not None and str(target) not in classes:
        raise ValueError(f"target={target!r} is not one of the classes {list(classes)}.")
    text = "" if text is None else str(text)
    spans = word_spans(text)
    if not spans:
        raise ValueError("There is no text to explain.")

    attributed = spans[:max_words]
    texts = [text] + [_without(text, start, end) for start, end in attributed]
    parts = []
    for start in range(0, len(texts), batch_size):
        batch = texts[start : start + batch_size]
        proba = np.asarray(score_fn(batch), dtype=np.float64)
        if proba.shape != (len(batch), len(classes)):
            raise ValueError(
                f"score_fn returned an array of shape {proba.shape} for {len(batch)} texts; "
                f"expected ({len(batch)}, {len(classes)}), one column per class {list(classes)}."
            )
        parts.append(proba)
    proba = np.concatenate(parts)

    full = proba[0]
    target = classes[int(full.argmax())] if target is None else str(target)
    column = classes.index(target)
    scores = full[column] - proba[1:, column]
    return Explanation(
        text=text,
        words=tuple(text[start:end] for start, end in attributed),
        spans=tuple((int(start), int(end)) for start, end in attributed),
        scores=tuple(float(s) for s in scores),
        target=target,
        classes=classes,
        proba=tuple(float(p) for p in full),
        method="occlusion",
        truncated=len(spans) > len(attributed),
    )


def transformer_score_fn(
    model,
    tokenizer,
    *,
    device: DeviceInfo,
    max_length: int = 128,
    temperature: float = 1.0,
) -> ScoreFn:
    """A ``score_fn`` for :func:`explain_occlusion` from a sequence classifier (fp32 or int8).

    Wraps :func:`models.inference.predict_proba`, which batches, sorts by length and holds the
    model lock. Its columns follow :func:`models.inference.model_classes`.

    Examples
    --------
    >>> score_fn = transformer_score_fn(model, tok, device=choose_device("cpu"))  # doctest: +SKIP
    >>> explain_occlusion("great app", score_fn, model_classes(model))  # doctest: +SKIP
    """

    def score(texts: list[str]) -> np.ndarray:
        return predict_proba(
            model, tokenizer, texts, device=device, max_length=max_length, temperature=temperature
        )

    return score


def lexicon_score_fn(classes: Sequence[str], *, threshold: float = 0.05) -> ScoreFn:
    """A ``score_fn`` for :func:`explain_occlusion` from the lexicon baseline, in the caller's sentiment labels.

    ``classes`` may be spelled as the task spells them (``neg``/``Positive``, ...); the
    probabilities come from :func:`models.lexicon.lexicon_proba`.

    Raises
    ------
    ValueError
        When ``classes`` are not sentiment labels.
    """
    classes = [str(c) for c in classes]
    mapping = _sentiment_mapping(classes)
    if mapping is None:
        raise ValueError(
            f"The lexicon baseline only explains sentiment labels (negative/neutral/positive); "
            f"these labels are {sorted(classes)}."
        )
    canonical = {spelled: name for name, spelled in mapping.items()}
    columns = [canonical[c] for c in classes]
    # One analyzer for every call: loading its lexicon costs more than scoring a sentence.
    analyzer = SentimentIntensityAnalyzer()

    def score(texts: list[str]) -> np.ndarray:
        return lexicon_proba(texts, classes=columns, threshold=threshold, analyzer=analyzer)

    return score
