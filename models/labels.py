"""Labels checked and split before anything heavy loads: a one-class column or a rare label answers at once.

Only numpy and the standard library are imported here (``models.text`` adds pandas), so the CLI and
the app can reject unusable labels without importing torch or transformers.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from models.text import clean_text

__all__ = ["DataSplit", "TrainingData", "prepare_training_data", "split_dataset"]


@dataclass(frozen=True)
class TrainingData:
    """Rows usable for training, with where they came from.

    ``positions[i]`` is the index in the caller's input of ``texts[i]``/``labels[i]``.
    """

    texts: list[str]
    labels: list[str]
    positions: np.ndarray
    classes: tuple[str, ...]
    n_dropped_empty: int
    n_dropped_unlabelled: int


@dataclass(frozen=True)
class DataSplit:
    """Indices of the train, validation and test rows (into the sequence that was split)."""

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray

    @property
    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "validation": len(self.validation), "test": len(self.test)}


def _label_text(value: object) -> str:
    """Label as text; integral floats (``4.0`` from a column with gaps) read as ``"4"``."""
    if isinstance(value, float) and not math.isnan(value) and value.is_integer():
        return str(int(value))
    return clean_text(value)


def _check_label_counts(counts: Counter, min_per_label: int) -> None:
    small = sorted(((n, label) for label, n in counts.items() if n < min_per_label), key=lambda t: (t[0], t[1]))
    if not small:
        return
    if len(small) == 1:
        n, label = small[0]
        noun = "example" if n == 1 else "examples"
        raise ValueError(
            f"Label {label!r} has only {n} {noun}; every label needs at least {min_per_label}. "
            "Add examples, merge it into another label or drop those rows."
        )
    listed = ", ".join(f"{label!r} ({n})" for n, label in small[:10])
    more = f" and {len(small) - 10} more" if len(small) > 10 else ""
    raise ValueError(
        f"Labels {listed}{more} have too few examples; every label needs at least {min_per_label}. "
        "Add examples, merge rare labels or drop those rows."
    )


def prepare_training_data(
    texts: Sequence[object],
    labels: Sequence[object],
    *,
    min_per_label: int = 5,
    max_labels: int = 200,
) -> TrainingData:
    """Drop rows without text or label and check the labels make a trainable task.

    Raises
    ------
    ValueError
        Lengths differ; nothing left; one label only; more than ``max_labels`` labels
        (an id column, not a label); a label with fewer than ``min_per_label`` rows.
    """
    texts = list(texts)
    labels = list(labels)
    if len(texts) != len(labels):
        raise ValueError(f"There are {len(texts)} texts but {len(labels)} labels; they must be the same rows.")
    clean_texts = [clean_text(t) for t in texts]
    clean_labels = [_label_text(v) for v in labels]
    n_empty = sum(1 for t in clean_texts if not t)
    n_unlabelled = sum(1 for t, v in zip(clean_texts, clean_labels, strict=True) if t and not v)
    keep = [i for i, (t, v) in enumerate(zip(clean_texts, clean_labels, strict=True)) if t and v]
    if not keep:
        raise ValueError(
            f"No row has both a text and a label ({n_empty} empty texts, {n_unlabelled} missing labels); "
            "check the text and label column mapping."
        )
    kept_labels = [clean_labels[i] for i in keep]
    counts = Counter(kept_labels)
    if len(counts) > max_labels:
        raise ValueError(
            f"The label column has {len(counts)} distinct values (more than {max_labels}); "
            "it looks like an id column, not a label. Pick a column with a few repeated categories."
        )
    if len(counts) == 1:
        only = next(iter(counts))
        raise ValueError(
            f"Every usable row has the label {only!r}; a classifier needs at least two different labels."
        )
    _check_label_counts(counts, min_per_label)
    return TrainingData(
        texts=[clean_texts[i] for i in keep],
        labels=kept_labels,
        positions=np.asarray(keep, dtype=np.int64),
        classes=tuple(sorted(counts)),
        n_dropped_empty=n_empty,
        n_dropped_unlabelled=n_unlabelled,
    )


def split_dataset(
    labels: Sequence[object],
    *,
    validation_fraction: float = 0.1,
    test_fraction: float = 0.1,
    seed: int = 0,
    min_per_label: int = 5,
) -> DataSplit:
    """Stratified train/validation/test split, identical for identical inputs and seed.

    Each label contributes ``round(n * fraction)`` rows (at least one) to validation and
    to test, so every label appears in every split.

    Examples
    --------
    >>> s = split_dataset(["a"] * 10 + ["b"] * 20, validation_fraction=0.1, test_fraction=0.2)
    >>> s.sizes
    {'train': 21, 'validation': 3, 'test': 6}
    """
    if not (0 < validation_fraction < 1 and 0 < test_fraction < 1 and validation_fraction + test_fraction < 1):
        raise ValueError(
            f"validation_fraction={validation_fraction} and test_fraction={test_fraction} "
            "should each be in (0, 1) and sum to less than 1."
        )
    values = np.asarray([_label_text(v) for v in labels], dtype=object)
    counts = Counter(values.tolist())
    if len(counts) < 2:
        raise ValueError(f"A stratified split needs at least two labels; got {sorted(counts)}.")
    _check_label_counts(counts, max(min_per_label, 3))
    rng = np.random.default_rng(seed)
    parts: dict[str, list[np.ndarray]] = {"train": [], "validation": [], "test": []}
    for label in sorted(counts):
        members = rng.permutation(np.flatnonzero(values == label))
        n = len(members)
        n_val = max(1, round(n * validation_fraction))
        n_test = max(1, round(n * test_fraction))
        if n - n_val - n_test < 1:
            raise ValueError(
                f"Label {label!r} has {n} examples: too few to keep one for training after "
                f"holding out {n_val} for validation and {n_test} for test."
            )
        parts["validation"].append(members[:n_val])
        parts["test"].append(members[n_val : n_val + n_test])
        parts["train"].append(members[n_val + n_test :])
    return DataSplit(**{name: np.sort(np.concatenate(chunks)) for name, chunks in parts.items()})
