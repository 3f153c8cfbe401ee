"""Forecast & alerts: a metric per slice and period, its SARIMA forecast, backtest, STL, and unusual periods."""
import streamlit as st

from analytics.figures.forecast import backtest_figure, decomposition_figure, forecast_figure
from analytics.home import gapsight_home
from analytics.insights.alerts import ALL, alerts_table
from analytics.insights.kpis import trend_freq
from analytics.insights.series import NO_TIMESTAMP, available_metrics
from pages.common import keys
from pages.common.frame import current_filters, filtered_rows
from pages.common.guards import require_dataset, require_rows
from pages.common.loaders import dataset_filter_options, get_store, served_predictions, stored_sentiment, stored_tags
from pages.common.widgets import period_switch, plain_label, scope_caption
from pages.panels.forecast import evidence, forecast_bundle, scan_panel, slice_rows

DIMENSIONS = ("category", "channel", "product")

store = get_store()
info = require_dataset(store)
st.title("Forecast & alerts")
if dataset_filter_options(info).date_min is None:
    st.info(NO_TIMESTAMP, icon=":material/info:")
    st.page_link(keys.DATA_PAGE, label="Go to Data", icon=":material/database:")
    st.stop()
rows = filtered_rows(info)
require_rows(rows)
stored = stored_sentiment(store, info)  # % negative: the serving model, else ratings, else the lexicon
sentiment = stored[0] if stored and (served_predictions(store, info, "sentiment") or not info.mapping.get("rating")) \
    else None
tags = stored_tags(store, info)
source = stored[1] if sentiment is not None else "ratings" if info.mapping.get("rating") else None
scope_caption(info, current_filters().describe(), len(rows), "interactions",
              [f"% negative from {source}"] if source else [])

focus = st.session_state.get(keys.ALERT_FOCUS)
if focus:
    with st.container(border=True):
        st.subheader("The interactions behind the alert")
        evidence(rows, focus)
        if st.button("Close", key="close_alert"):
            st.session_state[keys.ALERT_FOCUS] = None
            st.rerun()

metrics = {m.key: m for m in available_metrics(rows, sentiment=sentiment, tags=tags) if m.available}
dimensions = [d for d in DIMENSIONS if d in rows.columns and rows[d].notna().any()]
left, middle, right = st.columns(3)
metric = left.selectbox("Metric", list(metrics), format_func=lambda k: metrics[k].label, key="forecast_metric")
column = middle.selectbox("Slice", [None, *dimensions], format_func=lambda d: "all data" if d is None else d,
                          key="forecast_slice")
value = ALL
if column:
    values = rows[column].dropna().astype(str).value_counts().index.tolist()
    value = right.selectbox(f"{column} value (largest first)", values, key=f"forecast_value_{column}")
freq = period_switch("Every", key="forecast_freq", default=trend_freq(rows), choices="DWM")
options = dataset_filter_options(info)
periods = max(1, int(((options.date_max - options.date_min).days + 1) / {"D": 1, "W": 7, "M": 30.4}[freq]))
horizon = st.slider("Forecast horizon (periods)", 1, 52 if freq == "W" else 24 if freq == "M" else 60,
                    max(1, min({"D": 28, "W": 12, "M": 6}[freq], periods // 3)), key=f"forecast_horizon_{freq}")
part = slice_rows(rows, column, value)
key = (str(gapsight_home()), info.id, info.version, current_filters().describe(), column, value,
       source)
try:
    bundle = forecast_bundle(key, metric, freq, horizon, part, sentiment, tags)
except ValueError as error:  # no value at this frequency, a frequency finer than the data …
    st.error(plain_label(error), icon=":material/error:")
    st.stop()
forecast, checks, test = bundle["forecast"], bundle["alerts"], bundle["backtest"]
alerts = checks.alerts if checks is not None else None
st.plotly_chart(forecast_figure(forecast, alerts=alerts, backtest=test), width="stretch")
if forecast is not None:
    st.caption(f"{forecast.model}, AIC {forecast.aic:,.1f}. {forecast.tests}")
    for warning in forecast.warnings:
        st.caption(plain_label(warning))
else:
    st.warning(plain_label(bundle["forecast_error"]), icon=":material/warning:")
if test is not None:
    (st.success if test.beats else st.warning)(
        f"Backtest ({len(test.folds)} rolling origins): {test.verdict}. MASE {test.mase_model:.2f} against "
        f"{test.mase_naive:.2f} for {test.benchmark}; sMAPE {test.smape_model:.1f} % against {test.smape_naive:.1f} %.")
left, right = st.columns(2)
left.plotly_chart(backtest_figure(test), width="stretch")
right.plotly_chart(decomposition_figure(bundle["decomposition"]), width="stretch")
if bundle.get("decomposition_error"):
    right.caption(plain_label(bundle["decomposition_error"]))

st.subheader("Unusual periods in this series")
if checks is None:
    st.caption(plain_label(bundle.get("alerts_error", "")))
elif alerts.empty:
    st.caption(f"No period fell outside the {checks.level:.0%} one-step prediction interval ({checks.model}).")
else:
    st.dataframe(alerts_table(alerts.assign(metric_label=metrics[metric].label, kind=metrics[metric].kind,
                                            slice_column=column or "", slice_value=value), freq=freq),
                 hide_index=True, width="stretch")
    picked = st.selectbox("Show the interactions of", list(alerts["period"]), index=None, key="series_alert",
                          format_func=lambda p: f"{p:%Y-%m-%d}", placeholder="pick a period")
    if picked is not None:
        evidence(rows, {"period": picked, "freq": freq, "metric_label": metrics[metric].label,
                        "slice_column": column, "slice_value": value})

st.subheader("Scan every slice")
scan_panel(store, info, rows, metrics, dimensions, sentiment=sentiment, tags=tags)
