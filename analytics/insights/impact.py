"""What the overall rating would be if a topic's complaints were resolved, or if the topic were never mentioned."""
from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from analytics.insights.kpis import MIN_N
from analytics.insights.mentions import rated_mentions
from analytics.insights.resampling import percentile_interval, resample_counts
from analytics.schema import NEGATIVE_BELOW

METRICS = {
    "mean_rating": "mean rating",
    "pct_negative": f"share rated below {NEGATIVE_BELOW:.0%} of the scale",
}
COLUMNS = ["topic", "n_mentions", "n_negative", "current", "resolve_delta", "resolve_low", "resolve_high",
           "remove_delta", "remove_low", "remove_high", "enough"]


def _deltas(weights: np.ndarray, values: np.ndarray, by_topic: np.ndarray) -> tuple[np.ndarray, ...]:
    """Overall metric and both deltas per topic for row weights (N,) or a stack of resample counts (B, N).

    ``by_topic`` holds four blocks of columns: negative, negative × value, mentioned, mentioned × value."""
    topics = by_topic.shape[1] // 4
    sums = weights @ by_topic
    n_neg, s_neg, n_men, s_men = (sums[..., k * topics:(k + 1) * topics] for k in range(4))
    total = weights.sum(axis=-1)[..., None]
    s_all = (weights @ values)[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        overall = s_all / total
        m_rest = (s_all - s_neg) / (total - n_neg)
        # (n_neg/N)·(m_rest − m_neg) written without m_neg, so a topic with no complaints gives exactly 0.
        resolve = np.where(n_neg > 0, (n_neg * m_rest - s_neg) / total, 0.0)
        remove = (s_all - s_men) / (total - n_men) - overall
    return overall[..., 0], resolve, remove


def _formula(metric: str, level: float, n_boot: int) -> str:
    what = METRICS[metric]
    return (f"Resolve: change = (n_neg / N) × (m_rest − m_neg), where N is the number of rated interactions, "
            f"n_neg those that mention the topic negatively, m_neg their {what} and m_rest the {what} of the "
            f"other rated interactions: as if each complaint about the topic ended like the rest. "
            f"Remove: change = {what} of the rated interactions that do not mention the topic − {what} of all. "
            f"Intervals: {level:.0%} percentile bootstrap over interactions ({n_boot} resamples).")


def topic_impact(rows: pd.DataFrame, mentions: pd.DataFrame, *,
                 metric: Literal["mean_rating", "pct_negative"] = "mean_rating", n_boot: int = 400,
                 level: float = 0.95, seed: int = 0, min_n: int = MIN_N) -> pd.DataFrame:
    """How much the overall metric would change if each topic's negative mentions were resolved, or removed.

    The metric M is the mean rating (0–1) of the rated rows, or the share of them rated below
    ``NEGATIVE_BELOW``. Resolving replaces each negative-mention row's value by the mean of the rated rows
    that do not mention the topic negatively: ``resolve_delta = (n_neg/N)·(m_rest − m_neg)``. Removing keeps
    only the rows that do not mention the topic: ``remove_delta = M(rows without the topic) − M``. Both are
    bootstrapped over rows with one resample draw shared by all topics.

    Returns
    -------
    DataFrame
        ``topic, n_mentions, n_negative, current, resolve_delta, resolve_low, resolve_high, remove_delta,
        remove_low, remove_high, enough``, topics with at least ``min_n`` mentions first, largest resolve
        change first; topics below ``min_n`` keep their numbers but ``enough`` is False. ``current`` is M.
        ``attrs``: ``formula`` (plain text for the page), ``metric`` (its label), ``level``, ``n_boot``.

    Examples
    --------
    >>> rows = pd.DataFrame({"record_id": list("abcd"), "rating": [0.0, 1.0, 1.0, 0.6]})
    >>> mentions = pd.DataFrame({"record_id": ["a", "b"], "dimension": "app", "polarity": [-1, 1]})
    >>> table = topic_impact(rows, mentions, min_n=1, n_boot=50)
    >>> round(float(table.loc[0, "resolve_delta"]), 6), round(float(table.loc[0, "remove_delta"]), 6)
    (0.216667, 0.15)
    """
    if metric not in METRICS:
        raise ValueError(f"metric={metric!r} should be one of {sorted(METRICS)}.")
    if not 0 < level < 1:
        raise ValueError(f"level={level!r} should be between 0 and 1, e.g. 0.95.")
    if n_boot < 1:
        raise ValueError(f"n_boot={n_boot!r} should be at least 1 (400 gives stable 95 % intervals).")
    rating, matrix = rated_mentions(rows, mentions)
    values = rating if metric == "mean_rating" else (rating < NEGATIVE_BELOW).astype(float)
    negative, mentioned = matrix.negative.astype(float), matrix.mentioned.astype(float)
    by_topic = np.hstack([negative, negative * values[:, None], mentioned, mentioned * values[:, None]])
    current, resolve, remove = _deltas(np.ones(len(values)), values, by_topic)
    _, boot_resolve, boot_remove = _deltas(resample_counts(len(values), n_boot=n_boot, seed=seed), values, by_topic)
    resolve_low, resolve_high = percentile_interval(boot_resolve, level)
    remove_low, remove_high = percentile_interval(boot_remove, level)
    n_mentions = matrix.mentioned.sum(axis=0)
    table = pd.DataFrame({
        "topic": list(matrix.dimensions), "n_mentions": n_mentions, "n_negative": matrix.negative.sum(axis=0),
        "current": float(current), "resolve_delta": resolve, "resolve_low": resolve_low,
        "resolve_high": resolve_high, "remove_delta": remove, "remove_low": remove_low, "remove_high": remove_high,
        "enough": n_mentions >= min_n}, columns=COLUMNS)
    order = np.lexsort((-np.abs(np.nan_to_num(resolve)), ~table["enough"].to_numpy()))
    table = table.iloc[order].reset_index(drop=True)
    table.attrs.update(formula=_formula(metric, level, n_boot), metric=METRICS[metric], level=level, n_boot=n_boot)
    return table
