"""SARIMA order selection shared by forecasts and alerts: checks, differencing by tests, a small grid by AICc.

statsmodels warns freely (starting parameters, convergence, p-values outside its tables); every fit runs
inside :func:`quiet`, which records the warnings instead of printing them, and judges a fit by its own
convergence flag, not by what was printed.
"""
from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.insights.series import FREQ_NAMES, UNITS, MetricSeries

MIN_POINTS = 8  # fewer periods with a value than this: no model, a message instead
MAX_GAP_SHARE = 0.5  # more of the periods empty than this: too few values to model
MAX_GAP_RUN = 0.25  # a run of empty periods longer than this share of the series: the model would guess it
# Seasonal period per frequency, and the history needed before a season is modelled at all (weekly data
# gets its yearly season only with two years, as seasonal terms at lag 52 rest on few pairs).
SEASONS = {"D": (7, 21), "W": (52, 104), "M": (12, 20)}
SEASONAL_TERMS_CYCLES = 3  # seasonal AR/MA terms are tried only with this many cycles after differencing
MAX_D = 2
ALPHA = 0.05  # of the ADF and KPSS tests
# The (p, q) grid, simplest first so that the best fit so far is always a sensible one; then, with
# those (p, q), seasonal (P, Q) of (1, 0) and (0, 1). At most 8 fits per series.
GRID = ((0, 0), (1, 0), (0, 1), (1, 1), (2, 0), (0, 2))
SEASONAL_GRID = ((1, 0), (0, 1))
MAXITER = 50
# An MA root this close to the unit circle means the fit sits on the invertibility bound: on short series
# it is over-fitting (an MA(1) of -0.99 keeps every shock forever in one-step predictions). Such a candidate
# is passed over for a simpler one. Seasonal MA roots may sit there: that is how a stable season looks once
# seasonally differenced.
MIN_MA_ROOT = 1.05
# warnings.catch_warnings swaps process-wide state: two threads inside it at once can leave warnings
# silenced for good. Fits serialise on this lock (they hold the GIL most of the time anyway).
_FIT_LOCK = threading.RLock()
# Expected notices, already handled: p-values beyond KPSS's table are written "p ≤ 0.01"; a start at zeros
# is where the optimiser begins when the default starting values are out of bounds.
_HANDLED = ("outside of the range of p-values", "Using zeros as starting parameters")


@contextmanager
def quiet() -> Iterator[list[str]]:
    """Run fits with one BLAS thread (many small matrices: threads only contend) and warnings recorded.

    Yields the list that receives each distinct warning message, in order (expected notices left out).
    """
    from threadpoolctl import threadpool_limits

    messages: list[str] = []
    with _FIT_LOCK, threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield messages
        finally:
            for item in caught:
                text = f"{item.category.__name__}: {item.message}"
                if text not in messages and not any(h in text for h in _HANDLED):
                    messages.append(text)


@dataclass(frozen=True)
class ModelSpec:
    """A SARIMA specification: order, seasonal order and whether an intercept is estimated."""

    order: tuple[int, int, int]
    seasonal_order: tuple[int, int, int, int] = (0, 0, 0, 0)
    trend: str = "n"  # "c" only when nothing is differenced

    def describe(self) -> str:
        """``"ARIMA(1,1,1)"`` or ``"SARIMA(1,0,0)(0,1,1)7"``.

        >>> ModelSpec((1, 0, 0), (0, 1, 1, 7)).describe()
        'SARIMA(1,0,0)(0,1,1)7'
        """
        p, d, q = self.order
        P, D, Q, m = self.seasonal_order
        text = f"ARIMA({p},{d},{q})" if not m else f"SARIMA({p},{d},{q})({P},{D},{Q}){m}"
        return text + (" with intercept" if self.trend == "c" else "")

    @property
    def season(self) -> int:
        """The seasonal period (1 when there is none)."""
        return self.seasonal_order[3] or 1


@dataclass(frozen=True)
class Selection:
    """The chosen model fitted, every candidate tried and what the tests said."""

    spec: ModelSpec
    result: object  # statsmodels SARIMAXResults
    candidates: pd.DataFrame  # model, aic, aicc, status
    tests: str
    notes: tuple[str, ...]


def model_history(series: MetricSeries, *, end: int | None = None) -> pd.Series:
    """The series' history (:meth:`MetricSeries.history`, its first ``end`` periods when given) once it is
    fit to model.

    Raises
    ------
    ValueError
        Too few values, all zero, constant, mostly gaps or a long run of gaps, each said in words.
    """
    y = series.history().iloc[:end]
    label, unit = series.metric.label, UNITS[series.freq]
    observed = y.dropna()
    if len(observed) < MIN_POINTS:
        raise ValueError(f"{label}: {len(observed)} {unit} with a value; a model needs at least {MIN_POINTS}. "
                         "Widen the date range, pick a larger slice or a finer frequency.")
    gaps = int(y.isna().sum())
    if gaps > MAX_GAP_SHARE * len(y):
        raise ValueError(f"{label}: {gaps} of {len(y)} {unit} are gaps (fewer than min_n={series.min_n} "
                         "interactions behind them): too few values to model. Pick a coarser frequency or a "
                         "larger slice.")
    run, start = _longest_gap(y)
    if run > MAX_GAP_RUN * len(y):
        raise ValueError(f"{label}: {run} {unit} in a row have no value (from {y.index[start].date().isoformat()}), "
                         f"more than a quarter of the {len(y)}: the model would only guess there. Narrow the dates.")
    if (observed == 0).all():
        raise ValueError(f"{label} is 0 in every one of the {len(y)} {unit}: there is nothing to forecast.")
    if observed.nunique() == 1:
        raise ValueError(f"{label} is {observed.iloc[0]:g} in every {unit[:-1]} with a value: there is nothing "
                         "to forecast.")
    return y


def _longest_gap(y: pd.Series) -> tuple[int, int]:
    best, start, run = 0, 0, 0
    for i, missing in enumerate(y.isna().to_numpy()):
        run = run + 1 if missing else 0
        if run > best:
            best, start = run, i - run + 1
    return best, start


def season_of(series_freq: str, n: int) -> tuple[int, str]:
    """The seasonal period to model for ``n`` periods (0 when none) and why.

    >>> season_of("M", 15)
    (0, 'no season: 15 monthly periods, 20 needed for a yearly one')
    """
    period, needed = SEASONS[series_freq]
    if n < needed:
        what = "weekly" if period == 7 else "yearly"
        return 0, f"no season: {n} {FREQ_NAMES[series_freq]} periods, {needed} needed for a {what} one"
    return period, f"season of {period} periods"


def _p(value: float, table: bool) -> str:
    if table and value <= 0.01:
        return "p ≤ 0.01"
    if table and value >= 0.1:
        return "p ≥ 0.10"
    return f"p = {value:.3f}"


def _stationary(y: np.ndarray) -> tuple[bool, str]:
    """ADF (null: a unit root) and KPSS (null: stationary) on ``y``; non-stationary only when both agree."""
    from statsmodels.tsa.stattools import adfuller, kpss

    try:
        adf = adfuller(y, autolag="AIC", result_object=True).pvalue
        adf_text = f"ADF {_p(adf, False)} ({'rejects' if adf < ALPHA else 'cannot reject'} a unit root)"
    except (ValueError, np.linalg.LinAlgError):
        adf, adf_text = 0.0, "ADF could not run (too few values)"
    try:
        stat = kpss(y, regression="c", nlags="auto", result_object=True).pvalue
        kpss_text = f"KPSS {_p(stat, True)} ({'rejects' if stat < ALPHA else 'does not reject'} stationarity)"
    except (ValueError, np.linalg.LinAlgError, OverflowError):
        stat, kpss_text = 1.0, "KPSS could not run (too few values)"
    return not (adf >= ALPHA and stat < ALPHA), f"{adf_text}, {kpss_text}"


def choose_differences(y: np.ndarray) -> tuple[int, str]:
    """d: difference while ADF cannot reject a unit root and KPSS rejects stationarity (both agree).

    When the two disagree the series is left as it is: over-differencing harms forecasts too.
    """
    notes = []
    for d in range(MAX_D + 1):
        x = np.diff(y, n=d) if d else y
        if len(x) < MIN_POINTS:
            notes.append(f"after {d} difference(s) too few values to test")
            return max(d - 1, 0), "; ".join(notes) + f": d = {max(d - 1, 0)}"
        stationary, text = _stationary(x)
        notes.append(("level: " if d == 0 else f"after {d} difference(s): ") + text)
        if stationary:
            return d, "; ".join(notes) + f" → d = {d}"
    return MAX_D, "; ".join(notes) + f" → d = {MAX_D} (the most tried)"


def choose_seasonal_difference(y: np.ndarray, d: int, m: int) -> tuple[int, str]:
    """D = 1 when the lag-m difference lowers the variance of the d-differenced series (swings that repeat
    every m periods outweigh the noise the difference doubles)."""
    x = np.diff(y, n=d) if d else y
    if len(x) <= m + 2:
        return 0, f"too short to test a lag-{m} difference: D = 0"
    before, after = float(np.var(x)), float(np.var(x[m:] - x[:-m]))
    seasonal = after < before
    return int(seasonal), (f"lag-{m} difference {'lowers' if seasonal else 'does not lower'} the variance "
                           f"({before:.3g} → {after:.3g}): D = {int(seasonal)}")


def fit_spec(y: np.ndarray, spec: ModelSpec, *, start_params=None):
    """Fit one specification by maximum likelihood (no parameter covariance: only forecasts are needed)."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    model = SARIMAX(y, order=spec.order, seasonal_order=spec.seasonal_order, trend=spec.trend)
    return model.fit(disp=False, cov_type="none", maxiter=MAXITER, start_params=start_params)


def _try(y: np.ndarray, spec: ModelSpec):
    try:
        result = fit_spec(y, spec)
    except (ValueError, np.linalg.LinAlgError) as error:
        return None, f"failed: {error}"
    if not result.mle_retvals.get("converged", False):
        return None, "did not converge"
    if not np.isfinite(result.aic) or not np.all(np.isfinite(result.params)):
        return None, "non-finite likelihood"
    ma = [v for name, v in zip(result.param_names, result.params) if name.startswith("ma.L")]
    if ma and np.abs(np.roots([*ma[::-1], 1.0])).min() < MIN_MA_ROOT:
        return None, "near non-invertible"
    return result, "ok"


def select_model(y: pd.Series | np.ndarray, freq: str, *, time_limit: float, criterion: str = "aicc") -> Selection:
    """Choose d by ADF + KPSS, the season from the frequency, D by the variance rule, then (p, q) and
    seasonal (P, Q) by AICc over GRID and SEASONAL_GRID; a candidate that fails, does not converge or sits
    on the invertibility bound is never chosen (a simpler one is). Call inside :func:`quiet`.

    AICc is AIC with the small-sample correction auto.arima uses: it equals AIC on long series and keeps
    a 12-month window from buying noise with an AR(2).

    Raises
    ------
    ValueError
        No candidate could be fitted.
    """
    started = time.perf_counter()
    values = np.asarray(y, dtype=float)
    filled = pd.Series(values).interpolate(limit_direction="both").to_numpy()  # the tests need no gaps
    d, tests = choose_differences(filled)
    m, season_note = season_of(freq, len(values))
    D = 0
    if m:
        D, seasonal_note = choose_seasonal_difference(filled, d, m)
        season_note += f"; {seasonal_note}"
    tests = f"{tests}. {season_note[0].upper()}{season_note[1:]}."
    trend = "c" if d + D == 0 else "n"
    specs = [ModelSpec((p, d, q), (0, 1, 0, m) if D else (0, 0, 0, 0), trend) for p, q in GRID]
    rows, notes = [], []
    best: tuple[float, ModelSpec, object] | None = None

    def run(candidates: list[ModelSpec]) -> bool:
        nonlocal best
        for spec in candidates:
            if best is not None and time.perf_counter() - started > time_limit:
                notes.append(f"The time limit of {time_limit:g} s was reached after {len(rows)} candidate order(s); "
                             "the best so far is used.")
                return False
            result, status = _try(values, spec)
            score = float(getattr(result, criterion)) if result is not None else np.nan
            rows.append({"model": spec.describe(), "aic": float(result.aic) if result is not None else np.nan,
                         criterion: score, "status": status})
            if result is not None and (best is None or score < best[0]):
                best = (score, spec, result)
        return True

    finished = run(specs)
    if finished and best is not None and m and len(values) - d - D * m >= SEASONAL_TERMS_CYCLES * m:
        (p, _, q) = best[1].order
        run([ModelSpec((p, d, q), (P, D, Q, m), trend) for P, Q in SEASONAL_GRID])
    failed = [r for r in rows if r["status"] != "ok"]
    if best is None:
        why = failed[0]["status"] if failed else "no candidate"
        raise ValueError(f"No model could be fitted to this series ({why}).")
    if failed:
        notes.append(f"{len(failed)} candidate order(s) did not fit cleanly and were passed over: "
                     + ", ".join(f"{r['model']} ({r['status']})" for r in failed[:4]) + ".")
    candidates = pd.DataFrame(rows).reindex(columns=["model", "aic", criterion, "status"])
    return Selection(best[1], best[2], candidates, tests, tuple(notes))
