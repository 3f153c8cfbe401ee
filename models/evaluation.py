"""Classification reports (accuracy, macro-F1, per-class table, confusion, calibration) and the VADER baseline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from models.lexicon import score_lexicon

__all__ = [
    "BaselinePredictions",
    "EvaluationReport",
    "evaluate",
    "expected_calibration_error",
    "vader_applies",
    "vader_baseline",
]


@dataclass(frozen=True)
class EvaluationReport:
    """Quality of predictions against known labels.

    Attributes
    ----------
    accuracy, macro_f1, weighted_f1 : float
    per_class : pd.DataFrame
        Columns ``label, precision, recall, f1, support``, one row per label.
    confusion : pd.DataFrame
        Counts; index = true label, columns = predicted label.
    ece : float
        Expected calibration error over 10 equal-width confidence bins; NaN without probabilities.
    n : int
        Number of evaluated rows.
    labels : tuple of str
    """

    accuracy: float
    macro_f1: float
    weighted_f1: float
    per_class: pd.DataFrame
    confusion: pd.DataFrame
    ece: float
    n: int
    labels: tuple[str, ...]

    def to_dict(self) -> dict:
        """JSON-ready summary (for ``gapsight.json`` and the store)."""
        return {
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "weighted_f1": self.weighted_f1,
            "ece": None if np.isnan(self.ece) else self.ece,
            "n": self.n,
            "per_class": self.per_class.to_dict(orient="records"),
            "confusion": {"labels": list(self.labels), "counts": self.confusion.to_numpy().tolist()},
        }


def expected_calibration_error(
    correct: Sequence[bool], confidence: Sequence[float], *, n_bins: int = 10
) -> float:
    """Weighted mean gap between accuracy and confidence over equal-width bins.

    Bin ``b`` holds confidences in ``(b / n_bins, (b + 1) / n_bins]`` (0 goes to the first bin),
    as in Guo et al. (2017).

    Examples
    --------
    >>> expected_calibration_error([True, False], [0.95, 0.95])  # one bin: |0.5 - 0.95|
    0.45
    """
    correct = np.asarray(correct, dtype=np.float64)
    confidence = np.asarray(confidence, dtype=np.float64)
    if correct.shape != confidence.shape:
        raise ValueError(f"correct has {correct.size} rows but confidence has {confidence.size}.")
    if correct.size == 0:
        return float("nan")
    bins = np.clip(np.ceil(confidence * n_bins).astype(int) - 1, 0, n_bins - 1)
    total = 0.0
    for b in np.unique(bins):
        in_bin = bins == b
        total += in_bin.sum() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return round(float(total / correct.size), 12)


def evaluate(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    proba: np.ndarray | None = None,
    labels: Sequence[str] | None = None,
    *,
    n_bins: int = 10,
) -> EvaluationReport:
    """Accuracy, macro-F1, per-class precision/recall/F1, confusion matrix and ECE.

    Parameters
    ----------
    y_true, y_pred : sequences of labels
    proba : np.ndarray, optional
        n × len(labels) probabilities, columns in ``labels`` order; enables the ECE
        (confidence = probability given to the predicted label).
    labels : sequence of str, optional
        Label order for the tables; defaults to the sorted labels seen in either input.

    Examples
    --------
    >>> r = evaluate(["a", "a", "b"], ["a", "b", "b"])
    >>> round(r.accuracy, 3), round(r.macro_f1, 3)
    (0.667, 0.667)
    """
    y_true = np.asarray([str(v) for v in y_true], dtype=object)
    y_pred = np.asarray([str(v) for v in y_pred], dtype=object)
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} rows but y_pred has {len(y_pred)}.")
    if len(y_true) == 0:
        raise ValueError("Nothing to evaluate: no rows with a known label.")
    names = [str(v) for v in labels] if labels is not None else sorted(set(y_true) | set(y_pred))
    unknown = sorted((set(y_true) | set(y_pred)) - set(names))
    if unknown:
        raise ValueError(f"Labels {unknown} are not among the model's labels {names}.")

    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=names, zero_division=0
    )
    per_class = pd.DataFrame(
        {"label": names, "precision": precision, "recall": recall, "f1": f1, "support": support.astype(int)}
    )
    confusion = pd.DataFrame(
        confusion_matrix(y_true, y_pred, labels=names),
        index=pd.Index(names, name="true"),
        columns=pd.Index(names, name="predicted"),
    )
    ece = float("nan")
    if proba is not None:
        proba = np.asarray(proba, dtype=np.float64)
        if proba.shape != (len(y_true), len(names)):
            raise ValueError(f"proba has shape {proba.shape}; expected ({len(y_true)}, {len(names)}).")
        column = {name: j for j, name in enumerate(names)}
        confidence = proba[np.arange(len(y_pred)), [column[p] for p in y_pred]]
        ece = expected_calibration_error(y_true == y_pred, confidence, n_bins=n_bins)
    # A label absent from both y_true and y_pred has no defined F1; like scikit-learn's
    # default, macro-F1 averages over the labels that occur.
    present = [name for name in names if (y_true == name).any() or (y_pred == name).any()]
    return EvaluationReport(
        accuracy=float(accuracy_score(y_true, y_pred)),
        macro_f1=float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
        weighted_f1=float(f1_score(y_true, y_pred, labels=names, average="weighted", zero_division=0)),
        per_class=per_class,
        confusion=confusion,
        ece=ece,
        n=int(len(y_true)),
        labels=tuple(names),
    )


@dataclass(frozen=True)
class BaselinePredictions:
    """Predictions of a baseline, comparable with a model's on the same rows."""

    name: str
    labels: np.ndarray
    proba: np.ndarray | None
    classes: tuple[str, ...]


_SENTIMENT_ALIASES = {
    "negative": "negative",
    "neg": "negative",
    "neutral": "neutral",
    "neu": "neutral",
    "positive": "positive",
    "pos": "positive",
}


def _sentiment_mapping(labels: Sequence[str]) -> dict[str, str] | None:
    """Canonical sentiment → the caller's spelling, or ``None`` when ``labels`` are not sentiment."""
    mapping: dict[str, str] = {}
    for label in labels:
        canonical = _SENTIMENT_ALIASES.get(str(label).strip().lower())
        if canonical is None or canonical in mapping:
            return None
        mapping[canonical] = str(label)
    if {"negative", "positive"} - set(mapping):
        return None
    return mapping


def vader_applies(labels: Sequence[str]) -> bool:
    """Whether ``labels`` are a sentiment label set VADER can predict (negative/[neutral/]positive)."""
    return _sentiment_mapping(labels) is not None


def vader_baseline(
    texts: Sequence[object], labels: Sequence[str], *, threshold: float = 0.05
) -> BaselinePredictions:
    """The lexicon baseline's compound score (VADER; pysenti + SnowNLP for Chinese texts) mapped onto the task's labels.

    With three labels: positive ≥ ``threshold``, negative ≤ ``-threshold``, neutral between.
    With only negative/positive: the sign of the compound (0 counts as positive).

    Raises
    ------
    ValueError
        When ``labels`` are not sentiment labels (VADER does not apply).
    """
    mapping = _sentiment_mapping(labels)
    if mapping is None:
        raise ValueError(
            f"The VADER baseline only applies to sentiment labels (negative/neutral/positive); "
            f"this task's labels are {sorted(str(v) for v in labels)}."
        )
    scores = score_lexicon(texts, threshold=threshold)
    compound = scores["compound"].to_numpy()
    if "neutral" in mapping:
        canonical = scores["label"].fillna("neutral").tolist()
    else:
        canonical = ["positive" if c >= 0 else "negative" for c in compound]
    predicted = np.asarray([mapping[c] for c in canonical], dtype=object)
    name = "VADER lexicon" if (scores["lexicon"] == "VADER").all() else "Lexicon (VADER; pysenti + SnowNLP for Chinese)"
    return BaselinePredictions(name=name, labels=predicted, proba=None, classes=tuple(str(v) for v in labels))
