"""Forecast & alerts at scale: a scan of 100 weekly slices, and the small order grid against an exhaustive one.

    python -m tests.bench.bench_forecast                 # 100 slices, exhaustive grid on 20 of them
    python -m tests.bench.bench_forecast --exhaustive 100

Synthetic data: 100 products over two years (2024-01-01 – 2025-12-28, 104 full weeks), daily Poisson rows
with a yearly cycle of ±30 % in a random phase, weekends at 0.75 × and a level drawn per product. The scan
runs the page's path (series per slice, one-step alerts).
On the same weekly series, rolling-origin backtests (3 folds × 8 weeks) of the small grid
(analytics.insights.arima.GRID, at most 8 fits) and of an exhaustive AIC grid (p, q ≤ 3, d ≤ 2 and
seasonal P, Q ≤ 1 where a season applies: 48 fits without a season) give time and MASE, beside
(seasonal) naive. statsforecast's AutoARIMA is compared when it is importable. Not collected by pytest.
"""
from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
import pandas as pd

from analytics.insights.alerts import scan
from analytics.insights.arima import ModelSpec, fit_spec, model_history, quiet, season_of
from analytics.insights.forecast import _scale, backtest, fit_forecast, seasonal_naive
from analytics.insights.series import MetricSeries, build_series

HORIZON, FOLDS = 8, 3


def synthetic_rows(slices: int = 100, *, seed: int = 0) -> pd.DataFrame:
    """One row per interaction: ``timestamp`` and ``product`` (P000 …), a yearly cycle and noise per product."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-01-01", "2025-12-28", freq="D")
    t = np.arange(len(days))
    weekday = np.where(days.day_of_week < 5, 1.1, 0.75)
    parts = []
    for s in range(slices):
        rate = rng.uniform(2, 8) * (1 + 0.3 * np.sin(2 * np.pi * t / 365.25 + rng.uniform(0, 2 * np.pi))) * weekday
        counts = rng.poisson(rate)
        stamps = np.repeat(days.to_numpy(), counts) + rng.integers(0, 86_400, counts.sum()).astype("timedelta64[s]")
        parts.append(pd.DataFrame({"timestamp": stamps, "product": f"P{s:03d}"}))
    return pd.concat(parts, ignore_index=True)


def _exhaustive_spec(train: np.ndarray, freq: str) -> tuple[ModelSpec, object]:
    """The naive way: every (p, d, q)(P, D, Q) with p, q ≤ 3, d ≤ 2, P, Q ≤ 1, lowest AIC (across d, which is
    not strictly comparable: that is the point of choosing d by tests)."""
    m, _ = season_of(freq, len(train))
    seasonal = [(P, D, Q) for P, D, Q in itertools.product((0, 1), (0, 1), (0, 1))] if m else [(0, 0, 0)]
    best = None
    for p, d, q in itertools.product(range(4), range(3), range(4)):
        for P, D, Q in seasonal:
            spec = ModelSpec((p, d, q), (P, D, Q, m) if m else (0, 0, 0, 0), "c" if d + D == 0 else "n")
            try:
                result = fit_spec(train, spec)
            except (ValueError, np.linalg.LinAlgError):
                continue
            if result.mle_retvals.get("converged", False) and np.isfinite(result.aic) and (
                    best is None or result.aic < best[1].aic):
                best = (spec, result)
    return best


def exhaustive_backtest(series: MetricSeries) -> tuple[float, float]:
    """MASE of the exhaustive grid and of (seasonal) naive on the same folds as :func:`backtest`."""
    values = model_history(series).to_numpy(dtype=float)
    first = len(values) - FOLDS * HORIZON
    with quiet():
        spec, fitted = _exhaustive_spec(values[:first], series.freq)
        errors, naive = [], []
        for fold in range(FOLDS):
            origin = first + fold * HORIZON
            train, actual = values[:origin], values[origin:origin + HORIZON]
            result = fitted if fold == 0 else fit_spec(train, spec, start_params=fitted.params)
            scale = _scale(train, spec.season)
            errors.append(np.mean(np.abs(actual - np.asarray(result.forecast(HORIZON)))) / scale)
            naive.append(np.mean(np.abs(actual - seasonal_naive(train, spec.season, HORIZON))) / scale)
    return float(np.mean(errors)), float(np.mean(naive))


def statsforecast_backtest(series_list: list[MetricSeries]) -> tuple[float, float] | None:
    """Seconds and mean MASE of statsforecast's AutoARIMA on the same folds, or None when it is not installed."""
    try:
        from statsforecast.models import AutoARIMA
    except ImportError:
        return None
    started, mases = time.perf_counter(), []
    for series in series_list:
        values = model_history(series).to_numpy(dtype=float)
        first = len(values) - FOLDS * HORIZON
        fold_mase = []
        for fold in range(FOLDS):
            origin = first + fold * HORIZON
            train, actual = values[:origin], values[origin:origin + HORIZON]
            forecast = AutoARIMA().fit(train).predict(HORIZON)["mean"]
            fold_mase.append(np.mean(np.abs(actual - forecast)) / _scale(train, 1))
        mases.append(np.mean(fold_mase))
    return time.perf_counter() - started, float(np.mean(mases))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slices", type=int, default=100)
    parser.add_argument("--exhaustive", type=int, default=20, help="series the exhaustive grid runs on")
    args = parser.parse_args()
    rows = synthetic_rows(args.slices)
    print(f"{len(rows):,} rows, {args.slices} products, weekly volume")

    started = time.perf_counter()
    found = scan(rows, "product", ["volume"], freq="W")
    print(f"  scan: {time.perf_counter() - started:.1f} s for {found.checked} series ({len(found.skipped)} skipped), "
          f"{len(found.alerts):,} alerts")

    series = [build_series(part, "volume", freq="W") for _, part in rows.groupby("product")]
    started = time.perf_counter()
    small = [backtest(s, horizon=HORIZON, folds=FOLDS) for s in series]
    small_seconds = time.perf_counter() - started
    print(f"  small grid backtests: {small_seconds:.1f} s for {len(series)} series "
          f"({small_seconds / len(series):.2f} s each); mean MASE {np.mean([b.mase_model for b in small]):.3f}, "
          f"naive {np.mean([b.mase_naive for b in small]):.3f}; the model wins on "
          f"{sum(b.beats for b in small)} of {len(small)}")

    subset = series[:args.exhaustive]
    started = time.perf_counter()
    exhaustive = [exhaustive_backtest(s) for s in subset]
    exhaustive_seconds = time.perf_counter() - started
    small_subset = small[:len(subset)]
    small_subset_seconds = small_seconds * len(subset) / len(series)
    print(f"  exhaustive grid backtests on {len(subset)} series: {exhaustive_seconds:.1f} s "
          f"({exhaustive_seconds / len(subset):.2f} s each, {exhaustive_seconds / small_subset_seconds:.0f}× the "
          f"small grid); mean MASE {np.mean([e[0] for e in exhaustive]):.3f} vs small grid "
          f"{np.mean([b.mase_model for b in small_subset]):.3f} on the same series (naive "
          f"{np.mean([e[1] for e in exhaustive]):.3f})")

    started = time.perf_counter()
    for s in series[:10]:
        fit_forecast(s, 13)
    print(f"  fit_forecast, 13 weeks ahead on the full 104 weeks (yearly season): "
          f"{(time.perf_counter() - started) / 10:.2f} s per series (10 series)")

    compared = statsforecast_backtest(subset)
    if compared is None:
        print("  statsforecast is not installed: AutoARIMA not compared")
    else:
        seconds, mase = compared
        print(f"  statsforecast AutoARIMA on {len(subset)} series: {seconds:.1f} s "
              f"({seconds / small_subset_seconds:.1f}× the small grid), mean MASE {mase:.3f}")


if __name__ == "__main__":
    main()
