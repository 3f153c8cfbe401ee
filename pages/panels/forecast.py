"""Forecast & alerts pieces: cached series, forecast, backtest and alerts; the evidence of one alert; the scan."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.insights.alerts import ALL, alerts_table, one_step_alerts, scan
from analytics.insights.forecast import backtest, decompose, fit_forecast
from analytics.insights.series import PERIOD_FREQS, build_series
from analytics.insights.verbatims import shorten_cells
from analytics.store.alerts import load_alerts, save_alerts
from analytics.store.database import DatasetInfo, Store
from pages.common import keys
from pages.common.widgets import ProgressBar, plain_label

EVIDENCE_COLUMNS = ("text", "rating_raw", "timestamp", "channel", "category", "product", "customer_id", "record_id")


def slice_rows(rows: pd.DataFrame, column: str | None, value: str | None) -> pd.DataFrame:
    """The rows of one slice ("all" when no column)."""
    if not column or value in (None, ALL):
        return rows
    return rows[rows[column].astype(object).map(str, na_action="ignore") == str(value)]


@st.cache_data(max_entries=16, show_spinner="Fitting the forecast (order by AIC, then a rolling backtest)…")
def forecast_bundle(key: tuple, metric: str, freq: str, horizon: int, _rows, _sentiment, _tags):
    """Series, forecast, STL, backtest and one-step alerts of one metric and slice; a message when it cannot."""
    series = build_series(_rows, metric, freq=freq, sentiment=_sentiment, tags=_tags)
    outcome = {"series": series}
    for name, work in (("forecast", lambda: fit_forecast(series, horizon)),
                       ("backtest", lambda: backtest(series, horizon=min(horizon, max(len(series.values) // 6, 1)))),
                       ("decomposition", lambda: decompose(series)),
                       ("alerts", lambda: one_step_alerts(series))):
        try:
            outcome[name] = work()
        except ValueError as error:  # too short, constant, mostly gaps …: said on the page
            outcome[name], outcome[f"{name}_error"] = None, str(error)
    return outcome


def period_end(start: pd.Timestamp, freq: str) -> pd.Timestamp:
    """The first moment after the period that starts at ``start``."""
    return start + pd.tseries.frequencies.to_offset(PERIOD_FREQS[freq])


def evidence(rows: pd.DataFrame, alert: dict) -> None:
    """The interactions of an alert's slice and period, with what the alert says above them."""
    start = pd.Timestamp(alert["period"])
    part = slice_rows(rows, alert.get("slice_column"), alert.get("slice_value"))
    when = pd.to_datetime(part["timestamp"], errors="coerce")
    part = part[(when >= start) & (when < period_end(start, alert["freq"]))]
    where = f"{alert['slice_column']} = {alert['slice_value']}" if alert.get("slice_column") else "all data"
    st.caption(f"{plain_label(alert['metric_label'])} · {plain_label(where)} · period from {start:%Y-%m-%d}: "
               f"{len(part):,} interactions (newest first)")
    columns = [c for c in EVIDENCE_COLUMNS if c in part.columns and part[c].notna().any()]
    st.dataframe(shorten_cells(part.sort_values("timestamp", ascending=False)[columns].head(500)),
                 hide_index=True, width="stretch")


def scan_panel(store: Store, info: DatasetInfo, rows: pd.DataFrame, metrics: dict, dimensions: list[str], *,
               sentiment, tags) -> None:
    """Scan every slice of a dimension for alerts (stored per dataset version, listed on the Overview)."""
    with st.form("scan_form"):
        left, middle, right = st.columns(3)
        dimension = left.selectbox("Slices of", [None, *dimensions], format_func=lambda d: "all data only" if d is None
                                   else d)
        chosen = middle.multiselect("Metrics", list(metrics), default=list(metrics)[:2], format_func=lambda k:
                                    metrics[k].label)
        freq = right.selectbox("Every", ["W", "M", "D"], format_func={"D": "day", "W": "week", "M": "month"}.get)
        submitted = st.form_submit_button("Scan for alerts")
    if submitted and chosen:
        bar = ProgressBar("Scanning every slice for unusual periods…")
        result = scan(rows, dimension, chosen, freq=freq, sentiment=sentiment, tags=tags, progress=bar.count)
        bar.empty()
        save_alerts(store, info.id, info.version, result.alerts, result.params | {"freq": freq})
        st.success(f"Checked {result.checked:,} series in {result.seconds:.0f} s: {len(result.alerts):,} alerts, "
                   f"{len(result.skipped):,} series skipped (too few rows). The Overview lists the most severe.",
                   icon=":material/check_circle:")
    saved = load_alerts(store, info.id, info.version)
    if saved is None or saved.alerts.empty:
        st.caption("No stored alerts for this dataset version yet." if saved is None else
                   "The last scan found no alert.")
        return
    freq = saved.params.get("freq", "W")
    st.dataframe(alerts_table(saved.alerts, freq=freq), hide_index=True, width="stretch")
    labels = [f"{r.metric_label} · {r.slice_value} · {pd.Timestamp(r.period):%Y-%m-%d}"
              for r in saved.alerts.itertuples()]
    picked = st.selectbox("Show the interactions behind", range(len(labels)), format_func=labels.__getitem__,
                          index=None, placeholder="pick an alert", key="scan_evidence")
    if picked is not None:
        st.session_state[keys.ALERT_FOCUS] = saved.alerts.iloc[picked].to_dict() | {"freq": freq}
        st.rerun()
