"""Where a dataset's ratings turn into sentiment labels (e.g. 1–2 negative, 3 neutral, 4–5 positive), per rating scale."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.schema import NEGATIVE_BELOW, POSITIVE_ABOVE
from analytics.store.database import DatasetInfo, Store


@dataclass(frozen=True)
class RatingCuts:
    """Ratings up to ``negative_max`` are negative, from ``positive_min`` positive, neutral between (original scale)."""

    negative_max: float
    positive_min: float

    def labels(self, ratings: pd.Series) -> list[str | None]:
        """Sentiment label per rating; None where the rating is missing.

        Examples
        --------
        >>> RatingCuts(2, 4).labels(pd.Series([1, 2, 3, 4, 5, None]))
        ['negative', 'negative', 'neutral', 'positive', 'positive', None]
        """
        values = pd.to_numeric(ratings, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return [None if math.isnan(v) else "negative" if v <= self.negative_max
                else "positive" if v >= self.positive_min else "neutral" for v in values]


def default_cuts(scale: tuple[float, float]) -> RatingCuts:
    """The app-wide rule (normalised < 0.4 negative, > 0.6 positive) in the scale's own units.

    Examples
    --------
    >>> default_cuts((1, 5)), default_cuts((1, 10))
    (RatingCuts(negative_max=2.0, positive_min=4.0), RatingCuts(negative_max=4.0, positive_min=7.0))
    """
    low, high = scale
    span = high - low
    # On whole-number scales the cut falls between two points; take the last point below / first above.
    negative_max = math.ceil(low + NEGATIVE_BELOW * span) - 1
    positive_min = math.floor(low + POSITIVE_ABOVE * span) + 1
    return RatingCuts(float(negative_max), float(positive_min))


def _key(info: DatasetInfo) -> str:
    return f"rating_cuts:{info.id}"


def load_cuts(store: Store, info: DatasetInfo) -> RatingCuts | None:
    """The cuts chosen for a dataset, else the default for its scale; None when it has no rating."""
    if info.rating_scale is None:
        return None
    saved = store.get_setting(_key(info))
    return RatingCuts(**json.loads(saved)) if saved else default_cuts(info.rating_scale)


def save_cuts(store: Store, info: DatasetInfo, cuts: RatingCuts) -> RatingCuts:
    """Keep the cuts for a dataset (they apply to the next fine-tune).

    Raises
    ------
    ValueError
        No rating scale, or cuts outside the scale or not in order.
    """
    if info.rating_scale is None:
        raise ValueError("This dataset has no rating column; map one on the Data page first.")
    low, high = info.rating_scale
    if not low <= cuts.negative_max < cuts.positive_min <= high:
        raise ValueError(f"negative up to {cuts.negative_max:g} and positive from {cuts.positive_min:g} should satisfy "
                         f"{low:g} ≤ negative < positive ≤ {high:g}.")
    store.set_setting(_key(info), json.dumps({"negative_max": cuts.negative_max, "positive_min": cuts.positive_min}))
    return cuts
