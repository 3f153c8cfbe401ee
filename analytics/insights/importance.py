"""Importance–performance matrix of service dimensions, from their mentions and the overall rating."""
from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from analytics.insights.kpis import MIN_N
from analytics.insights.mentions import rated_mentions

# (high importance, high performance) → quadrant, against the means of the dimensions with enough data.
QUADRANTS: dict[tuple[bool, bool], str] = {
    (True, False): "Concentrate here",
    (True, True): "Keep up the good work",
    (False, False): "Low priority",
    (False, True): "Possible overkill",
}
NOT_ENOUGH = "not enough data"
METHODS = {
    "regression": "standardised regression weights of the overall rating on each dimension's mention polarity "
                  "(one least-squares fit of the z-scored rating on the z-scored polarities −1/0/+1, 0 where "
                  "not mentioned, of all dimensions with enough mentions)",
    "correlation": "Pearson correlation of the overall rating with each dimension's mention polarity "
                   "(−1/0/+1, 0 where not mentioned)",
}
PERFORMANCE_LABEL = "mean rating (0–1) of the interactions that mention the dimension"
COLUMNS = ["dimension", "n", "importance", "performance", "quadrant", "enough"]


def _zscore(values: np.ndarray) -> np.ndarray:
    """Columns centred and scaled to unit variance; a constant column becomes zeros (it explains nothing)."""
    centred = values - values.mean(axis=0)
    sd = values.std(axis=0)
    return np.divide(centred, sd, out=np.zeros_like(centred), where=sd > 0)


def importance_performance(rows: pd.DataFrame, mentions: pd.DataFrame, *,
                           method: Literal["regression", "correlation"] = "regression",
                           min_n: int = MIN_N) -> pd.DataFrame:
    """Importance (association with the overall rating) against performance for each dimension.

    Per rated row and dimension the score is the mention's polarity (−1/0/+1), 0 where the dimension is not
    mentioned. Importance is the standardised regression weight of the rating on all scores with at least
    ``min_n`` mentions jointly (``method="regression"``), or each score's Pearson correlation with the rating;
    a constant rating or score has importance 0. Performance is the mean rating of the rows mentioning it.

    Returns
    -------
    DataFrame
        ``dimension, n, importance, performance, quadrant, enough``, dimensions with enough mentions first,
        most important first. ``attrs``: ``method`` (a sentence), ``importance_cut`` and ``performance_cut``
        (the means over the dimensions with enough mentions: the quadrant lines, NaN when none has),
        ``performance_label``. Dimensions with fewer than ``min_n`` mentions: ``enough`` False, importance
        NaN, quadrant "not enough data", and left out of the regression and the cuts.

    Examples
    --------
    >>> rows = pd.DataFrame({"record_id": list("abcd"), "rating": [1.0, 0.0, 0.5, 0.5]})
    >>> mentions = pd.DataFrame({"record_id": list("abc"), "dimension": ["app"] * 3, "polarity": [1, -1, 0]})
    >>> table = importance_performance(rows, mentions, min_n=3)
    >>> table.loc[0, "dimension"], round(float(table.loc[0, "importance"]), 6), float(table.loc[0, "performance"])
    ('app', 1.0, 0.5)
    """
    if method not in METHODS:
        raise ValueError(f"method={method!r} should be one of {sorted(METHODS)}.")
    rating, matrix = rated_mentions(rows, mentions)
    n = matrix.mentioned.sum(axis=0)
    enough = n >= min_n
    x = _zscore(matrix.polarity[:, enough])
    y = _zscore(rating[:, None])[:, 0]
    importance = np.full(len(n), np.nan)
    if enough.any():
        if method == "regression":
            importance[enough] = np.linalg.lstsq(x, y, rcond=None)[0]
        else:
            importance[enough] = x.T @ y / len(y)  # mean product of z-scores: Pearson's r
    with np.errstate(invalid="ignore", divide="ignore"):
        performance = (rating @ matrix.mentioned) / n
    importance_cut = float(importance[enough].mean()) if enough.any() else np.nan
    performance_cut = float(performance[enough].mean()) if enough.any() else np.nan
    quadrant = [QUADRANTS[(bool(i > importance_cut), bool(p > performance_cut))] if ok else NOT_ENOUGH
                for i, p, ok in zip(importance, performance, enough, strict=True)]
    table = pd.DataFrame({"dimension": list(matrix.dimensions), "n": n.astype(int), "importance": importance,
                          "performance": performance, "quadrant": quadrant, "enough": enough}, columns=COLUMNS)
    table = table.sort_values(["enough", "importance", "n"], ascending=[False, False, False], ignore_index=True)
    table.attrs.update(method=METHODS[method], importance_cut=importance_cut, performance_cut=performance_cut,
                       performance_label=PERFORMANCE_LABEL)
    return table
