"""Forecasts of a metric series: SARIMA with 80 % and 95 % intervals, an STL decomposition, and a rolling-origin
backtest against (seasonal) naive that says plainly whether the model is worth using. Series in, frozen results out.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.insights.arima import SEASONS, ModelSpec, fit_spec, model_history, quiet, select_model
from analytics.insights.series import PERIOD_FREQS, UNITS, MetricSeries

TIME_LIMIT = 20.0  # seconds of order selection per series; the best fit so far is used after it
MIN_GAIN = 0.05  # the model must cut the naive MASE by this share to be recommended


@dataclass(frozen=True)
class ForecastResult:
    """A SARIMA forecast with the model, the tests behind its differencing and anything that went wrong."""

    series: MetricSeries
    frame: pd.DataFrame  # period, mean, lower_80, upper_80, lower_95, upper_95
    model: str  # "SARIMA(1,0,1)(0,1,1)7"
    order: tuple[int, int, int]
    seasonal_order: tuple[int, int, int, int]
    aic: float
    tests: str  # what ADF, KPSS and the seasonal rule said, in words
    coefficients: dict[str, float]
    candidates: pd.DataFrame  # model, aic, aicc, status of every order tried
    warnings: tuple[str, ...] = ()
    params: dict = field(default_factory=dict)


def _check_horizon(horizon: int, n: int, unit: str) -> int:
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ValueError(f"horizon={horizon!r} should be a whole number of periods >= 1.")
    if horizon > n:
        raise ValueError(f"horizon={horizon} {unit} is longer than the {n} {unit} of history it would rest on.")
    return int(horizon)


def _bounds(series: MetricSeries) -> tuple[float, float]:
    """What the metric can be: no negative counts, shares and ratings within 0–1 (forecasts are clipped to it)."""
    if series.metric.kind == "share" or series.metric.key == "mean_rating":
        return 0.0, 1.0
    return (0.0 if series.metric.kind == "count" else -np.inf), np.inf


def _future(last: pd.Timestamp, freq: str, horizon: int) -> pd.DatetimeIndex:
    return pd.date_range(last, periods=horizon + 1, freq=PERIOD_FREQS[freq], name="period")[1:]


def fit_forecast(series: MetricSeries, horizon: int, *, time_limit: float = TIME_LIMIT) -> ForecastResult:
    """Forecast ``horizon`` periods past the history with a SARIMA model chosen automatically.

    d comes from ADF and KPSS (differenced only when both call the series non-stationary), the season
    from the frequency (7 daily, 12 monthly, 52 weekly with two years; none when the history is short),
    D from whether the seasonal difference lowers the variance, and (p, q) then seasonal (P, Q) by AICc
    (AIC with the small-sample correction) over :data:`analytics.insights.arima.GRID` (at most 8 fits).
    Candidates that fail, do not converge or sit on the invertibility bound are passed over for simpler
    ones; warnings are recorded in ``warnings``, never printed. Partial first and last periods
    of counts and sums are left out, so the forecast may start at the current, unfinished period.

    Parameters
    ----------
    series : MetricSeries
        From :func:`analytics.insights.series.build_series`.
    horizon : int
        Periods to forecast, at most as many as the history holds.
    time_limit : float, default TIME_LIMIT
        Seconds of order selection; after it the best fit so far is used (and ``warnings`` says so).

    Returns
    -------
    ForecastResult

    Raises
    ------
    ValueError
        The series is too short, all zero, constant or mostly gaps, the horizon is invalid, or no model
        could be fitted; the message says which, in words a user can act on.
    """
    y = model_history(series)
    horizon = _check_horizon(horizon, len(y), UNITS[series.freq])
    with quiet() as messages:
        chosen = select_model(y, series.freq, time_limit=time_limit)
        forecast = chosen.result.get_forecast(horizon)
        mean = np.asarray(forecast.predicted_mean, dtype=float)
        bands = {level: np.asarray(forecast.conf_int(alpha=1 - level / 100), dtype=float) for level in (80, 95)}
    low, high = _bounds(series)
    frame = pd.DataFrame({"mean": mean, "lower_80": bands[80][:, 0], "upper_80": bands[80][:, 1],
                          "lower_95": bands[95][:, 0], "upper_95": bands[95][:, 1]}).clip(low, high)
    frame.insert(0, "period", _future(y.index[-1], series.freq, horizon))
    spec = chosen.spec
    return ForecastResult(
        series, frame, spec.describe(), spec.order, spec.seasonal_order, float(chosen.result.aic),
        chosen.tests, dict(zip(chosen.result.param_names, map(float, chosen.result.params))), chosen.candidates,
        chosen.notes + tuple(messages),
        {"horizon": horizon, "time_limit": time_limit, "freq": series.freq, "metric": series.metric.key,
         "periods": len(y)})


@dataclass(frozen=True)
class Decomposition:
    """STL trend, seasonal and remainder of a series, and how strong the season is (0–1)."""

    frame: pd.DataFrame  # period, observed, trend, seasonal, remainder
    period: int
    strength: float  # max(0, 1 − var(remainder) / var(seasonal + remainder))
    filled: int  # gaps filled by linear interpolation before STL, which needs none
    label: str
    freq: str


def decompose(series: MetricSeries) -> Decomposition:
    """STL (robust LOESS) with the frequency's season: 7 for daily, 52 weekly, 12 monthly.

    Raises
    ------
    ValueError
        Fewer than two full seasons, or a series :func:`fit_forecast` would refuse too.
    """
    from statsmodels.tsa.seasonal import STL

    y = model_history(series)
    period = SEASONS[series.freq][0]
    y = y.loc[y.first_valid_index():y.last_valid_index()]
    if len(y) < 2 * period:
        unit = UNITS[series.freq]
        raise ValueError(f"{series.metric.label}: a decomposition needs two full seasons of {period} {unit} "
                         f"({2 * period} {unit}); this series has {len(y)}.")
    filled = int(y.isna().sum())
    values = y.interpolate().to_numpy(dtype=float)
    with quiet():
        result = STL(values, period=period, robust=True).fit()
    seasonal, remainder = np.asarray(result.seasonal), np.asarray(result.resid)
    spread = float(np.var(seasonal + remainder))
    strength = max(0.0, 1 - float(np.var(remainder)) / spread) if spread > 0 else 0.0
    frame = pd.DataFrame({"period": y.index, "observed": values, "trend": np.asarray(result.trend),
                          "seasonal": seasonal, "remainder": remainder})
    return Decomposition(frame, period, strength, filled, series.metric.label, series.freq)


@dataclass(frozen=True)
class Backtest:
    """Rolling-origin forecast errors of the model and of (seasonal) naive, and the plain verdict."""

    mase_model: float
    mase_naive: float
    smape_model: float
    smape_naive: float
    gain: float  # 1 − mase_model / mase_naive: the share of the naive error the model removes
    beats: bool
    verdict: str  # "the model beats seasonal-naive by 23 %" or "use the naive forecast: the model does not beat it"
    benchmark: str  # "seasonal-naive" or "naive"
    model: str
    folds: pd.DataFrame  # fold, origin, mase_model, mase_naive, smape_model, smape_naive
    forecasts: pd.DataFrame  # fold, period, actual, model, naive
    notes: tuple[str, ...] = ()
    params: dict = field(default_factory=dict)


def seasonal_naive(train: np.ndarray, m: int, horizon: int) -> np.ndarray:
    """Each future period takes the last observed value one or more seasons back (the last value when m = 1).

    >>> seasonal_naive(np.array([1.0, 2.0, 3.0, np.nan]), 2, 3).tolist()
    [3.0, 2.0, 3.0]
    """
    out = np.full(horizon, np.nan)
    last = train[~np.isnan(train)][-1]
    for h in range(1, horizon + 1):
        index = len(train) - 1 + h - m * int(np.ceil(h / m))
        while index >= 0 and np.isnan(train[index]):
            index -= m
        out[h - 1] = train[index] if index >= 0 else last
    return out


def _scale(train: np.ndarray, m: int) -> float:
    """The in-sample MAE of the (seasonal) naive forecast: what MASE divides by."""
    lagged = np.abs(train[m:] - train[:-m])
    lagged = lagged[~np.isnan(lagged)]
    return float(lagged.mean()) if len(lagged) else np.nan


def _smape(actual: np.ndarray, forecast: np.ndarray) -> np.ndarray:
    denominator = np.abs(actual) + np.abs(forecast)
    return np.where(denominator > 0, 200 * np.abs(actual - forecast) / np.where(denominator > 0, denominator, 1), 0.0)


def verdict(gain: float, benchmark: str) -> str:
    """The recommendation in words.

    >>> verdict(0.234, "seasonal-naive")
    'the model beats seasonal-naive by 23 %'
    >>> verdict(0.01, "naive")
    'use the naive forecast: the model does not beat it'
    """
    if gain >= MIN_GAIN:
        return f"the model beats {benchmark} by {round(100 * gain)} %"
    return "use the naive forecast: the model does not beat it"


def backtest(series: MetricSeries, *, horizon: int, folds: int = 3, time_limit: float = TIME_LIMIT) -> Backtest:
    """Score the automatic model against (seasonal) naive on the last ``folds`` × ``horizon`` periods.

    The order is chosen once, on the data before the first origin (nothing the folds test is seen);
    each fold refits its parameters on the data before its origin and forecasts ``horizon`` periods.
    MASE divides each fold's errors by the in-sample MAE of the seasonal-naive forecast on that fold's
    training data (lag 1 when the model has no season); sMAPE is in percent.

    Raises
    ------
    ValueError
        Too little history for the folds, or a series :func:`fit_forecast` would refuse.
    """
    if isinstance(folds, bool) or not isinstance(folds, (int, np.integer)) or folds < 1:
        raise ValueError(f"folds={folds!r} should be a whole number >= 1.")
    y = model_history(series)
    unit = UNITS[series.freq]
    horizon = _check_horizon(horizon, len(y), unit)
    first = len(y) - folds * horizon
    if first < 1:
        raise ValueError(f"A backtest of {folds} folds × {horizon} {unit} needs more than {folds * horizon} {unit} "
                         f"of history; this series has {len(y)}.")
    model_history(series, end=first)  # the first training window must be fit to model too
    values = y.to_numpy(dtype=float)
    fold_rows, forecast_rows, notes = [], [], []
    with quiet() as messages:
        chosen = select_model(y.iloc[:first], series.freq, time_limit=time_limit)
        m = chosen.spec.season
        for fold in range(folds):
            origin = first + fold * horizon
            train, actual = values[:origin], values[origin:origin + horizon]
            predicted = np.clip(_fold_forecast(train, chosen, horizon, fold, notes), *_bounds(series))
            naive = seasonal_naive(train, m, horizon)
            scale, known = _scale(train, m), ~np.isnan(actual)
            if not scale > 0 or not known.any():
                notes.append(f"Fold {fold + 1} is left out: no naive error to scale by, or no actual value.")
                continue
            fold_rows.append({"fold": fold + 1, "origin": y.index[origin],
                              "mase_model": np.mean(np.abs(actual - predicted)[known]) / scale,
                              "mase_naive": np.mean(np.abs(actual - naive)[known]) / scale,
                              "smape_model": np.mean(_smape(actual, predicted)[known]),
                              "smape_naive": np.mean(_smape(actual, naive)[known])})
            forecast_rows.append(pd.DataFrame({"fold": fold + 1, "period": y.index[origin:origin + horizon],
                                               "actual": actual, "model": predicted, "naive": naive}))
    if not fold_rows:
        raise ValueError(f"{series.metric.label}: no fold could be scored (the training data never changes).")
    table = pd.DataFrame(fold_rows)
    mase_model, mase_naive = float(table["mase_model"].mean()), float(table["mase_naive"].mean())
    gain = 1 - mase_model / mase_naive if mase_naive > 0 else -np.inf
    benchmark = "seasonal-naive" if m > 1 else "naive"
    return Backtest(mase_model, mase_naive, float(table["smape_model"].mean()), float(table["smape_naive"].mean()),
                    float(gain), bool(gain >= MIN_GAIN), verdict(gain, benchmark), benchmark, chosen.spec.describe(),
                    table, pd.concat(forecast_rows, ignore_index=True), tuple(notes) + chosen.notes + tuple(messages),
                    {"horizon": horizon, "folds": folds, "first_origin": y.index[first], "freq": series.freq,
                     "metric": series.metric.key})


def _fold_forecast(train: np.ndarray, chosen, horizon: int, fold: int, notes: list[str]) -> np.ndarray:
    """Refit the chosen order on the fold's training data (from the first fit's parameters); when that
    fit fails, filter the data with the first fit's parameters instead."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    if fold == 0:
        return np.asarray(chosen.result.forecast(horizon), dtype=float)
    spec: ModelSpec = chosen.spec
    try:
        result = fit_spec(train, spec, start_params=chosen.result.params)
        converged = bool(result.mle_retvals.get("converged", False))
    except (ValueError, np.linalg.LinAlgError):
        converged = False
    if converged:
        return np.asarray(result.forecast(horizon), dtype=float)
    notes.append(f"Fold {fold + 1}: the refit did not converge; the first fold's parameters are used.")
    model = SARIMAX(train, order=spec.order, seasonal_order=spec.seasonal_order, trend=spec.trend)
    return np.asarray(model.filter(chosen.result.params).forecast(horizon), dtype=float)
