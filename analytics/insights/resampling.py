"""Bootstrap resampling shared by the gap, Kano and impact analyses: resample counts, group means, intervals."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

_BOOT_CHUNK = 500_000  # draws per bootstrap chunk: bounds memory (a few MB) for any table size


def resample_counts(n: int, *, n_boot: int, seed: int) -> np.ndarray:
    """How often each of ``n`` rows is drawn in each of ``n_boot`` bootstrap resamples, as floats (n_boot, n).

    The counts of one index draw ``integers(0, n, size=(n_boot, n))`` from ``numpy.random.default_rng(seed)``,
    drawn a resample at a time to keep memory at one row of indices; a statistic that is a ratio of weighted
    sums is then bootstrapped by one matrix product (counts @ values).

    >>> counts = resample_counts(5, n_boot=3, seed=0)
    >>> counts.shape, counts.sum(axis=1).tolist()
    ((3, 5), [5.0, 5.0, 5.0])
    """
    rng = np.random.default_rng(seed)
    counts = np.empty((n_boot, n))
    for draw in counts:
        draw[:] = np.bincount(rng.integers(0, n, size=n), minlength=n)
    return counts


def percentile_interval(draws: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval along axis 0, ignoring NaN draws (NaN where every draw is NaN)."""
    tail = (1 - level) / 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: the interval is NaN, as it should be
        low, high = np.nanquantile(draws, [tail, 1 - tail], axis=0)
    return low, high


def bootstrap_means(values: np.ndarray, groups: np.ndarray, *, n_boot: int = 400, level: float = 0.95,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval of each group's mean, all groups resampled in one array operation.

    Parameters
    ----------
    values : array-like of float, shape (N,) or (N, k)
        Per-row values; a row with a NaN is left out. With k columns every column is resampled with the
        same draws (one interval per group and column).
    groups : array-like, shape (N,)
        Group label of each row (missing labels are left out).
    n_boot, level, seed : int, float, int
        Resamples, interval level, random seed (same seed, same intervals).

    Returns
    -------
    (low, high) : ndarray, shape (G,) or (G, k)
        One entry per group, groups in sorted order of their labels (``np.unique``); NaN for groups with
        fewer than two values.

    Examples
    --------
    >>> low, high = bootstrap_means(np.r_[1.0, 2, 3, 10], np.r_[0, 0, 0, 1])
    >>> bool(1 <= low[0] <= high[0] <= 3), bool(np.isnan(low[1]))
    (True, True)
    """
    if n_boot < 1 or not 0 < level < 1:
        raise ValueError(f"n_boot={n_boot!r} should be at least 1 and level={level!r} between 0 and 1.")
    v = np.asarray(values, dtype=float)
    table = v[:, None] if v.ndim == 1 else v
    codes, uniques = pd.factorize(np.asarray(groups), sort=True)
    low, high = np.full((2, len(uniques), table.shape[1]), np.nan)
    keep = (codes >= 0) & np.isfinite(table).all(axis=1)
    order = np.argsort(codes[keep], kind="stable")
    code, x = codes[keep][order], table[keep][order]
    counts = np.bincount(code, minlength=len(uniques))
    present = np.flatnonzero(counts)
    if len(x):
        starts = np.cumsum(counts) - counts
        n_row, off_row = counts[code], starts[code]
        rng = np.random.default_rng(seed)
        means = np.empty((n_boot, len(present), table.shape[1]))
        step = max(1, _BOOT_CHUNK // len(x))
        for b in range(0, n_boot, step):
            m = min(step, n_boot - b)
            draw = rng.random((m, len(x)))
            draw *= n_row
            idx = draw.astype(np.intp)
            idx += off_row
            means[b:b + m] = np.add.reduceat(x[idx], starts[present], axis=1) / counts[present][:, None]
        tail = (1 - level) / 2
        low[present], high[present] = np.quantile(means, [tail, 1 - tail], axis=0)
        low[counts < 2] = high[counts < 2] = np.nan
    return (low[:, 0], high[:, 0]) if v.ndim == 1 else (low, high)
