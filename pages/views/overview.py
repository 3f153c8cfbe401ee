"""Overview: KPIs with deltas, satisfaction trend, rating mix, breakdowns and the verbatims behind them."""
import html

import streamlit as st

from analytics.figures.overview import (
    breakdown_figure,
    empty_figure,
    rating_distribution_figure,
    satisfaction_trend_figure,
)
from analytics.figures.sentiment import sentiment_trend_figure
from analytics.ingest.categories import category_lists_note
from analytics.insights.drilldown import apply_drill_down, drill_from_selection
from analytics.insights.kpis import (
    MIN_N,
    breakdown,
    compute_kpis,
    format_kpi,
    missing_columns_hint,
    rating_distribution,
    trend,
    trend_freq,
)
from analytics.insights.sentiment import attach_sentiment, sentiment_trend
from analytics.insights.verbatims import enrich_verbatims, search_verbatims
from pages.common import keys
from pages.common.expectations import with_best_expectation
from pages.common.frame import current_filters, filtered_rows, undated_filtered_rows
from pages.common.guards import require_dataset, require_rows
from pages.common.loaders import dataset_filter_options, get_store, stored_sentiment, stored_tags
from pages.common.widgets import download_buttons, period_switch, plain_label, scope_caption
from pages.panels.alerts import alerts_panel
from pages.panels.gap import largest_gaps_panel
from pages.panels.recommendations import what_to_do_first_panel
from pages.panels.report import report_button

PERIODS = {"Last 30 days": 30, "Last 90 days": 90, "Last 365 days": 365, "Whole selection": None}
DRILL = keys.OVERVIEW_DRILL


def remember_click(key: str, field: str, freq: str | None = None) -> None:
    """Keep the last clicked bar; the verbatims below then show the rows behind it (bar names are HTML-escaped)."""
    points = [{**p, "y": html.unescape(p["y"])} if isinstance(p.get("y"), str) else p
              for p in st.session_state[key].selection.points]
    st.session_state[DRILL] = drill_from_selection(field, points, freq=freq)


def clickable_chart(figure, *, key: str, field: str, freq: str | None = None) -> None:
    """A plotly chart whose bars lead to their verbatims when clicked."""
    st.plotly_chart(figure, key=key, selection_mode="points",
                    on_select=lambda: remember_click(key, field, freq))


store = get_store()
info = require_dataset(store)
scale = info.rating_scale or (0.0, 1.0)
sentiment = stored_sentiment(store, info)  # the texts' stored sentiment, when the Sentiment page has scored them
rows, history = filtered_rows(info), undated_filtered_rows(info)
if sentiment is not None:
    rows, history = attach_sentiment(rows, sentiment[0]), attach_sentiment(history, sentiment[0])

st.title("Overview")
scope_caption(info, current_filters().describe(), len(rows))
require_rows(rows)

dated = dataset_filter_options(info).date_min is not None  # controls that need dates are drawn only with them
period_label = (st.segmented_control("Compare", list(PERIODS), key="overview_period") or "Last 90 days") if dated \
    else "Whole selection"
(kpi_rows, kpi_history), gap_source = with_best_expectation(store, info, rows, history)
kpis = compute_kpis(kpi_rows, scale=scale, period_days=PERIODS[period_label], history=kpi_history,
                    text_sentiment=sentiment[1] if sentiment else None,
                    gap_method=gap_source.method if gap_source else None)
st.caption(plain_label(kpis.note))  # names the sentiment model
for column, kpi in zip(st.columns(len(kpis.kpis)), kpis.kpis):
    value, delta = format_kpi(kpi)
    # A change that could be noise (95 % interval includes 0, or under MIN_N behind a period) stays grey.
    color = {"higher": "normal", "lower": "inverse"}.get(kpi.better, "off") if kpi.delta_clear else "off"
    noise = "" if kpi.delta_clear or delta is None else (
        f" The change is grey: it could be noise (its 95 % interval includes zero, or fewer than {MIN_N} "
        "interactions are behind a period).")
    column.metric(kpi.label, value, delta, delta_color=color, help=plain_label(kpi.help + noise), border=True)
    column.caption(f"n = {kpi.n:,} {kpi.n_noun}" + (f" · {gap_source.label}" if kpi.key == "mean_gap" and gap_source
                                                     else ""))

left, right = st.columns(2)
with left:
    st.subheader("What to do first")
    ranking = what_to_do_first_panel(store, info, rows)
with right:
    st.subheader("Largest gaps")
    gaps = largest_gaps_panel(store, info, rows)

alerts = trend_figure = None
if dated:
    st.subheader("Alerts")
    alerts = alerts_panel(store, info)
    # Each dataset starts at the granularity its span suits: days for weeks of data, months for years.
    freq = period_switch("Trend by", key=f"overview_freq_{info.id}", default=trend_freq(history), choices="DWM")
    trend_frame = trend(rows, freq=freq)
    if len(trend_frame):
        trend_figure = satisfaction_trend_figure(trend_frame, freq=freq, scale=scale)
        clickable_chart(trend_figure, key="overview_trend", field="period", freq=freq)
    else:
        st.plotly_chart(empty_figure("No interaction in the selection has a date."), key="overview_trend")
    if sentiment is not None and len(trend_frame):
        st.plotly_chart(sentiment_trend_figure(sentiment_trend(rows, freq=freq), freq=freq, source=sentiment[1]),
                        key="overview_sentiment_trend")

charts = [(field, key) for field, key, column in (("rating_raw", "overview_ratings", "rating"),
                                                  ("channel", "overview_channel", "channel"),
                                                  ("category", "overview_category", "category"))
          if info.mapping.get(column)]
grid = st.columns(2)  # two per row: three side by side clip their subtitles and bar labels
for i, (field, key) in enumerate(charts):
    with grid[i % 2]:
        if not rows[field].notna().any():
            st.plotly_chart(empty_figure(f"No interaction in the selection has a {field.removesuffix('_raw')}."),
                            key=key)
        elif field == "rating_raw":
            clickable_chart(rating_distribution_figure(rating_distribution(rows), scale=scale), key=key, field=field)
        else:
            clickable_chart(breakdown_figure(breakdown(rows, by=field, scale=scale), by=field, scale=scale),
                            key=key, field=field)
            if field == "category" and (lists := category_lists_note(info.meta)):
                st.caption(plain_label(lists))
if missing := missing_columns_hint(info.mapping, dated=dated):
    st.caption(missing)

st.subheader("Verbatims")
drill = st.session_state.get(DRILL)
if drill is not None:
    left, right = st.columns([4, 1])
    left.info(f"Showing the interactions behind the clicked bar: {plain_label(drill.label)}.",
              icon=":material/filter_alt:")
    right.button("Show all", on_click=lambda: st.session_state.update({DRILL: None}), width="stretch")
query = st.text_input("Search the texts", key="overview_query", placeholder="e.g. late delivery")
matched = apply_drill_down(rows, drill)
page = search_verbatims(matched, query=query, limit=500)
st.caption(f"{page.total:,} matching interactions; showing the {min(page.total, 500):,} most recent. "
           "Click a column header to sort; click a bar above to see the interactions behind it.")
st.dataframe(page.rows, hide_index=True, width="stretch",
             column_config={"text": st.column_config.TextColumn("text", width="large")})
download_buttons(lambda: enrich_verbatims(search_verbatims(matched, query=query, limit=None).rows,
                                          sentiment=sentiment[0] if sentiment else None, tags=stored_tags(store, info)),
                 basename=f"gapsight-{info.id}-verbatims", key="overview_download")
st.caption("The downloads hold every matching interaction (filters, search and clicked bar applied) with its "
           "stored sentiment, and intent and topic where a fine-tuned classifier has tagged them.")
report_button(store, info, rows, key="overview_report", scope=f"{current_filters().describe()} · {len(rows):,} "
              "interactions", kpis=kpis, trend_figure=trend_figure, gaps=gaps, ranking=ranking, alerts=alerts)
