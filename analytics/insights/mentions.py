"""Per-row mention indicators of dimensions and topics, shared by the importance, Kano and impact analyses."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.insights.columns import numeric

_MENTION_COLUMNS = ("record_id", "dimension", "polarity")


@dataclass(frozen=True)
class MentionMatrix:
    """Per row of ``rows`` (by position) and dimension: mentioned, mentioned positively, mentioned negatively."""

    dimensions: tuple[str, ...]  # most mentioned first
    mentioned: np.ndarray  # (rows, dimensions) bool
    positive: np.ndarray
    negative: np.ndarray

    @property
    def polarity(self) -> np.ndarray:
        """−1 / 0 / +1 where mentioned, 0 where not, as floats."""
        return self.positive.astype(float) - self.negative.astype(float)

    def take(self, keep: np.ndarray) -> MentionMatrix:
        """The rows where ``keep`` (a boolean mask over rows) is true."""
        return MentionMatrix(self.dimensions, self.mentioned[keep], self.positive[keep], self.negative[keep])


def mention_matrix(rows: pd.DataFrame, mentions: pd.DataFrame) -> MentionMatrix:
    """Indicator matrices of the mentions, aligned to ``rows`` by ``record_id``; mentions of other records are dropped.

    A (record, dimension) pair listed more than once takes the sign of its summed polarities.

    >>> rows = pd.DataFrame({"record_id": ["a", "b", "c"]})
    >>> m = mention_matrix(rows, pd.DataFrame({"record_id": ["c", "a", "a"], "dimension": ["price", "price", "app"],
    ...                                        "polarity": [-1, 1, 0]}))
    >>> m.dimensions, m.polarity.tolist()
    (('price', 'app'), [[1.0, 0.0], [0.0, 0.0], [-1.0, 0.0]])
    """
    if "record_id" not in rows.columns:
        raise ValueError("The rows have no record_id column, so mentions cannot be matched to them.")
    missing = [c for c in _MENTION_COLUMNS if c not in mentions.columns]
    if missing:
        raise ValueError(f"The mentions lack {missing}; they need {list(_MENTION_COLUMNS)} (one row per record "
                         "and dimension, polarity −1/0/+1): tag the texts with dimensions or topics first.")
    ids = pd.Index(rows["record_id"].astype(str).tolist())
    if not ids.is_unique:
        raise ValueError(f"record_id should be unique; {ids[ids.duplicated()][:3].tolist()} repeat, so a mention "
                         "could belong to several rows.")
    row_of = ids.get_indexer(mentions["record_id"].astype(str).tolist())
    polarity = pd.to_numeric(mentions["polarity"], errors="coerce").to_numpy(dtype=float)
    dims = mentions["dimension"].astype(str).where(mentions["dimension"].notna())
    keep = (row_of >= 0) & np.isfinite(polarity) & dims.notna().to_numpy()
    codes, names = pd.factorize(dims[keep].to_numpy(dtype=object))
    counts = np.bincount(codes, minlength=len(names))
    order = np.lexsort((names.astype(str), -counts))  # most mentioned first, ties by name
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    shape = (len(rows), len(names))
    mentioned = np.zeros(shape, dtype=bool)
    total = np.zeros(shape)
    mentioned[row_of[keep], rank[codes]] = True
    np.add.at(total, (row_of[keep], rank[codes]), np.sign(polarity[keep]))
    return MentionMatrix(tuple(str(names[i]) for i in order), mentioned, total > 0, total < 0)


def rated_mentions(rows: pd.DataFrame, mentions: pd.DataFrame) -> tuple[np.ndarray, MentionMatrix]:
    """The ratings of the rated rows and their mention matrix; ValueError when nothing is rated or mentioned."""
    rating = numeric(rows, "rating").to_numpy()
    keep = np.isfinite(rating)
    if not keep.any():
        raise ValueError("No row has a rating: map a rating column on the Data page to relate mentions to it.")
    matrix = mention_matrix(rows, mentions).take(keep)
    if not matrix.dimensions:
        raise ValueError("None of the rated rows mentions a dimension or topic: tag the texts on the Topics page.")
    return rating[keep], matrix
