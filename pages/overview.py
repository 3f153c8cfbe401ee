"""Overview: KPIs with deltas, satisfaction trend, rating mix, breakdowns and verbatims."""
import streamlit as st

from analytics.figures import (
    breakdown_figure, empty_figure, rating_distribution_figure, satisfaction_trend_figure,
)
from analytics.kpis import breakdown, compute_kpis, format_kpi, rating_distribution, trend
from analytics.verbatims import search_verbatims
from pages import shared

PERIODS = {"Last 30 days": 30, "Last 90 days": 90, "Last 365 days": 365, "Whole selection": None}

store = shared.get_store()
info = shared.require_dataset(store)
rows = shared.filtered_rows(info)
scale = info.rating_scale or (0.0, 1.0)

st.title("Overview")
st.caption(f"{info.name} · {shared.current_filters().describe() or 'all rows'} · {len(rows):,} interactions")
if rows.empty:
    st.warning("No interaction matches the filters. Widen the date range or clear the filters in the sidebar.")
    st.stop()

period_label = st.segmented_control("Compare", list(PERIODS), key="overview_period") or "Last 90 days"
kpis = compute_kpis(rows, scale=scale, period_days=PERIODS[period_label])
st.caption(kpis.note)
for column, kpi in zip(st.columns(len(kpis.kpis)), kpis.kpis):
    value, delta = format_kpi(kpi)
    color = {"higher": "normal", "lower": "inverse"}.get(kpi.better, "off")
    column.metric(kpi.label, value, delta, delta_color=color, help=kpi.help, border=True)

freq = st.segmented_control("Trend by", ["Week", "Month"], key="overview_freq")
trend_frame = trend(rows, freq="M" if freq == "Month" else "W")
st.plotly_chart(satisfaction_trend_figure(trend_frame, freq="M" if freq == "Month" else "W", scale=scale)
                if len(trend_frame) else empty_figure("No timestamps: map a date column on the Data page."),
                key="overview_trend")

left, middle, right = st.columns(3)
left.plotly_chart(rating_distribution_figure(rating_distribution(rows), scale=scale)
                  if rows["rating"].notna().any() else empty_figure("No ratings in this dataset."),
                  key="overview_ratings")
for column, by in ((middle, "channel"), (right, "category")):
    has_values = rows[by].notna().any()
    column.plotly_chart(breakdown_figure(breakdown(rows, by=by, scale=scale), by=by, scale=scale)
                        if has_values else empty_figure(f"No {by} column mapped."), key=f"overview_{by}")

st.subheader("Verbatims")
query = st.text_input("Search the texts", key="overview_query", placeholder="e.g. late delivery")
page = search_verbatims(rows, query=query, limit=500)
st.caption(f"{page.total:,} matching interactions; showing the {min(page.total, 500):,} most recent. "
           "Click a column header to sort.")
st.dataframe(page.rows, hide_index=True, width="stretch",
             column_config={"text": st.column_config.TextColumn("text", width="large")})
shared.download_buttons(rows, basename=f"gapsight-{info.id}-filtered", key="overview_download")
