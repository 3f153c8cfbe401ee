"""The market-signal expectation: a product's shrunk mean rating strictly before each interaction, without leakage."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.insights.columns import labels, numeric, timestamps

PRIOR_STRENGTH_RANGE = (1.0, 200.0)  # clip of the estimated empirical-Bayes prior strength, in ratings


@dataclass(frozen=True)
class PriorMean:
    """The market-signal expectation from earlier ratings, aligned with the rows."""

    expected: pd.Series  # NaN where the row lacks rating, product or timestamp, or nothing came before it
    prior_strength: float  # k, in ratings: how many earlier ratings of a product weigh as much as the prior
    n_fallback: int  # rows with no earlier rating of their product (category mean, or NaN when none)
    note: str


def _earlier(key: np.ndarray, ts: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Count and sum of ``value`` over rows of the same key (−1: none, zero) strictly earlier, in O(N log N)."""
    count, sums = np.zeros(len(key)), np.zeros(len(key))
    has = np.flatnonzero(key >= 0)
    order = has[np.lexsort((ts[has], key[has]))]
    k, t = key[order], ts[order]
    new_key = np.r_[True, k[1:] != k[:-1]]
    new_run = new_key | np.r_[True, t[1:] != t[:-1]]  # a run: one key at one timestamp (ties see none of it)
    run_start = np.flatnonzero(new_run)[np.cumsum(new_run) - 1]
    key_start = np.flatnonzero(new_key)[np.cumsum(new_key) - 1]
    total = np.r_[0.0, np.cumsum(value[order])]
    count[order], sums[order] = run_start - key_start, total[run_start] - total[key_start]
    return count, sums


def _moment_strength(product: np.ndarray, rating: np.ndarray) -> float:
    """Within-product variance / between-product variance of true means (Bühlmann), clipped."""
    counts = np.bincount(product).astype(float)
    sums, squares = np.bincount(product, rating), np.bincount(product, rating ** 2)
    if len(counts) < 2 or counts.sum() <= len(counts):
        return PRIOR_STRENGTH_RANGE[1]
    within = (squares - sums ** 2 / counts).sum() / (counts.sum() - len(counts))
    between = np.var(sums / counts, ddof=1) - within * np.mean(1 / counts)  # less the noise of each mean
    if between <= 0:
        return PRIOR_STRENGTH_RANGE[1]  # products indistinguishable: the category benchmark dominates
    return float(np.clip(within / between, *PRIOR_STRENGTH_RANGE))


def prior_mean_needs(rows: pd.DataFrame) -> str:
    """What the data lacks for the prior-mean expectation, as an instruction; "" when it has all it needs."""
    if numeric(rows, "rating").notna().sum() == 0:
        return "Map a rating column on the Data page: the prior average is the product's earlier mean rating."
    if labels(rows, "product").notna().sum() == 0:
        return "Map a product column on the Data page: the prior average rating is taken per product."
    if timestamps(rows).notna().sum() == 0:
        return ("This source needs timestamps: without them the market signal comes only from an advertised "
                "column. Map a date column, or an 'advertised' column, on the Data page.")
    return ""


def prior_mean_expectation(rows: pd.DataFrame, *, prior_strength: float | None = None) -> PriorMean:
    """Each interaction's market-signal expectation: its product's mean rating strictly before it.

    Only the same product's ratings with a strictly earlier timestamp count (never the row itself, rows at its
    timestamp or later ones), shrunk towards the category's earlier mean (the overall earlier mean without a
    category or when it has nothing earlier): ``(k·prior + n_before·mean_before) / (k + n_before)``. With no
    earlier rating of its product a row gets its category's earlier mean, or NaN. Vectorised, O(N log N).

    Parameters
    ----------
    prior_strength : float, optional
        k, in ratings. None: the method of moments, within-product variance over the variance of the true
        product means (that of the product means less their sampling noise), clipped to [1, 200]; estimated
        from all rows, so fix it to make an expectation independent of later ratings altogether.

    Examples
    --------
    >>> rows = pd.DataFrame({"rating": [0.0, 1.0, 0.5], "product": "a", "category": "c",
    ...                      "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"])})
    >>> prior_mean_expectation(rows, prior_strength=1.0).expected.tolist()
    [nan, 0.0, 0.5]
    """
    needs = prior_mean_needs(rows)
    if needs:
        raise ValueError(needs)
    if prior_strength is not None and not prior_strength > 0:
        raise ValueError(f"prior_strength={prior_strength!r} should be a positive number of ratings, or None.")
    rating, ts = numeric(rows, "rating"), timestamps(rows)
    product, category = labels(rows, "product"), labels(rows, "category")
    base = (rating.notna() & ts.notna()).to_numpy()
    r = rating.to_numpy(dtype=float)[base]
    t = ts.to_numpy(dtype="datetime64[ns]")[base].view(np.int64)
    codes = pd.factorize(product[base])[0]
    n_all, s_all = _earlier(np.zeros(len(r), dtype=np.intp), t, r)
    n_c, s_c = _earlier(pd.factorize(category[base])[0], t, r)
    n_p, s_p = _earlier(codes, t, r)
    has_product = codes >= 0
    k = _moment_strength(codes[has_product], r[has_product]) if prior_strength is None else float(prior_strength)
    with np.errstate(invalid="ignore", divide="ignore"):
        category_mean = np.where(n_c > 0, s_c / n_c, np.nan)
        prior = np.where(n_c > 0, category_mean, s_all / n_all)
        shrunk = np.where(n_p > 0, (k * prior + s_p) / (k + n_p), category_mean)
    expected = pd.Series(np.nan, index=rows.index)
    expected[base] = np.where(has_product, shrunk, np.nan)
    first = has_product & (n_p == 0)
    none = int((first & (n_c == 0)).sum())
    how = "given" if prior_strength is not None else "estimated by the method of moments"
    note = (f"Prior strength k = {k:.1f} ratings ({how}): a product's earlier mean counts half once it has k "
            f"earlier ratings. {int(first.sum()):,} interactions had no earlier rating of their product: "
            f"{int(first.sum()) - none:,} use their category's earlier mean, {none:,} have no expectation.")
    return PriorMean(expected, k, int(first.sum()), note)
