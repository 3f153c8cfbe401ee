"""Charts of the Forecast & alerts page: history with the forecast and its bands, the STL decomposition and the
backtest against (seasonal) naive."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analytics.figures.style import (
    AWAY_COLOR,
    GUIDE_COLOR,
    INK_COLOR,
    MUTED_TEXT_COLOR,
    NO_DATA_COLOR,
    TOWARDS_COLOR,
    VOLUME_COLOR,
    apply_layout,
    empty_figure,
    escape,
)
from analytics.insights.forecast import Backtest, Decomposition, ForecastResult
from analytics.insights.series import UNITS, MetricSeries

BAND_95 = "rgba(76, 120, 168, 0.15)"  # VOLUME_COLOR, faint: the wider band
BAND_80 = "rgba(76, 120, 168, 0.35)"
_TICKS = {"share": ".0%", "count": ",.0f", "sum": ",.0f", "mean": ".2f"}


def _band(frame: pd.DataFrame, level: int, color: str) -> go.Scatter:
    """One interval as a closed polygon: upper bounds forwards, lower bounds back."""
    x = list(frame["period"]) + list(frame["period"])[::-1]
    y = list(frame[f"upper_{level}"]) + list(frame[f"lower_{level}"])[::-1]
    return go.Scatter(x=x, y=y, fill="toself", fillcolor=color, line={"width": 0}, mode="lines",
                      name=f"{level} % interval", hoverinfo="skip")


def _history_traces(series: MetricSeries) -> list[go.Scatter]:
    values, partial = series.values, series.partial
    traces = [go.Scatter(x=values.index, y=values.where(~partial), name="actual", mode="lines+markers",
                         line={"color": INK_COLOR}, marker={"size": 4},
                         customdata=series.n,
                         hovertemplate="%{x|%Y-%m-%d}: %{y}<br>n = %{customdata:,}<extra></extra>")]
    if partial.any():
        traces.append(go.Scatter(x=values.index[partial], y=values[partial], name="partial period", mode="markers",
                                 marker={"size": 9, "symbol": "circle-open", "color": NO_DATA_COLOR},
                                 hovertemplate="%{x|%Y-%m-%d}: %{y} (period only partly covered)<extra></extra>"))
    return traces


def _alert_traces(alerts: pd.DataFrame) -> list[go.Scatter]:
    traces = []
    for direction, symbol, color in (("above", "triangle-up", AWAY_COLOR), ("below", "triangle-down", TOWARDS_COLOR)):
        part = alerts[alerts["direction"] == direction]
        if len(part):
            traces.append(go.Scatter(
                x=part["period"], y=part["actual"], mode="markers", name=f"alert: {direction} expected",
                marker={"size": 12, "symbol": symbol, "color": color, "line": {"width": 1, "color": INK_COLOR}},
                customdata=part[["expected", "severity"]].to_numpy(),
                hovertemplate="%{x|%Y-%m-%d}: %{y}<br>expected %{customdata[0]:.3g}, severity %{customdata[1]:.2f}"
                              "<extra></extra>"))
    return traces


def forecast_figure(forecast: ForecastResult | None, *, alerts: pd.DataFrame | None = None,
                    backtest: Backtest | None = None) -> go.Figure:
    """The history, the forecast with its 80 % and 95 % bands, and alerts as triangles.

    ``alerts`` has ``period``, ``actual``, ``direction``, ``expected`` and ``severity`` (from
    :func:`analytics.insights.alerts.one_step_alerts` or a scan); a ``backtest`` that the model does not
    win is said in the subtitle.
    """
    if forecast is None:
        return empty_figure("No forecast yet: choose a metric and a horizon.", title="Forecast")
    series, frame = forecast.series, forecast.frame
    fig = go.Figure([_band(frame, 95, BAND_95), _band(frame, 80, BAND_80), *_history_traces(series),
                     go.Scatter(x=frame["period"], y=frame["mean"], name="forecast", mode="lines+markers",
                                line={"color": VOLUME_COLOR, "dash": "dash"}, marker={"size": 4})])
    if alerts is not None and len(alerts):
        fig.add_traces(_alert_traces(alerts))
    fig.update_yaxes(tickformat=_TICKS[series.metric.kind], title_text=escape(series.metric.label))
    fig.update_layout(legend={"orientation": "h", "y": -0.15})
    unit = UNITS[series.freq]
    subtitle = (f"{forecast.model} on {forecast.params.get('periods', len(series.values))} {unit}; "
                f"{len(frame)} {unit} ahead with 80 % and 95 % prediction intervals")
    if backtest is not None and backtest.beats:
        subtitle += f"<br>Backtest: {backtest.verdict}"
    elif backtest is not None:
        subtitle += (f"<br>Note: in the backtest the model does not beat {backtest.benchmark} (MASE "
                     f"{backtest.mase_model:.2f} vs {backtest.mase_naive:.2f}): use the naive forecast.")
    return apply_layout(fig, title=f"{escape(series.metric.label)}: forecast", subtitle=subtitle, height=460)


def decomposition_figure(decomposition: Decomposition | None) -> go.Figure:
    """Trend, seasonal and remainder of an STL decomposition in three stacked panels."""
    if decomposition is None or decomposition.frame.empty:
        return empty_figure("No decomposition: the series needs two full seasons.", title="Decomposition")
    frame = decomposition.frame
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        subplot_titles=("Trend", f"Seasonal (period {decomposition.period})", "Remainder"))
    for row, (column, color) in enumerate((("trend", INK_COLOR), ("seasonal", VOLUME_COLOR),
                                           ("remainder", MUTED_TEXT_COLOR)), start=1):
        trace = (go.Bar(x=frame["period"], y=frame[column], name=column, marker_color=color) if column == "remainder"
                 else go.Scatter(x=frame["period"], y=frame[column], name=column, mode="lines", line={"color": color}))
        fig.add_trace(trace, row=row, col=1)
    fig.add_hline(y=0, line={"color": GUIDE_COLOR, "width": 1}, row=3, col=1)
    fig.update_layout(showlegend=False)
    subtitle = (f"STL (robust) with a season of {decomposition.period} {UNITS[decomposition.freq]}; "
                f"seasonal strength {decomposition.strength:.2f} (0 none, 1 all of the variation)")
    if decomposition.filled:
        subtitle += f"; {decomposition.filled} gap(s) filled by interpolation"
    return apply_layout(fig, title=f"{escape(decomposition.label)}: trend and season", subtitle=subtitle, height=620)


def backtest_figure(backtest: Backtest | None) -> go.Figure:
    """MASE of the model and of (seasonal) naive per fold and overall; below 1 beats the in-sample naive."""
    if backtest is None or backtest.folds.empty:
        return empty_figure("No backtest: the series is too short for the folds.", title="Backtest")
    folds = backtest.folds
    labels = [f"fold {f}" for f in folds["fold"]] + ["overall"]
    fig = go.Figure()
    for name, column, overall, color in (("model", "mase_model", backtest.mase_model, VOLUME_COLOR),
                                         (backtest.benchmark, "mase_naive", backtest.mase_naive, NO_DATA_COLOR)):
        values = list(folds[column]) + [overall]
        fig.add_trace(go.Bar(x=labels, y=values, name=name, marker_color=color, text=[f"{v:.2f}" for v in values],
                             textposition="outside", cliponaxis=False))
    fig.add_hline(y=1, line={"color": GUIDE_COLOR, "dash": "dash"})
    fig.update_yaxes(title_text="MASE (lower is better)", rangemode="tozero")
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": -0.2})
    subtitle = (f"{backtest.verdict[0].upper()}{backtest.verdict[1:]}. {backtest.model}, {len(folds)} folds of "
                f"{backtest.params.get('horizon')} periods; sMAPE {backtest.smape_model:.1f} % vs "
                f"{backtest.smape_naive:.1f} %")
    return apply_layout(fig, title="Backtest: model vs " + backtest.benchmark, subtitle=subtitle, height=400)
