""""Download this view as an HTML report" (Overview, Recommendations): what the page shows, in one offline file."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from analytics.export.report import ReportKpi, ReportSection, build_report, report_filename
from analytics.figures.overview import satisfaction_trend_figure
from analytics.insights.kpis import KpiSet, compute_kpis, format_kpi, trend, trend_freq
from analytics.insights.recommend import ActionRanking
from analytics.store.database import DatasetInfo, Store
from analytics.store.segments import list_segmentations, segment_members
from pages.common.expectations import with_best_expectation

ACTION_COLUMNS = ["rank", "dimension", "slice_kind", "slice_value", "n", "score", "reason"]


def _segments_table(store: Store, info: DatasetInfo) -> pd.DataFrame | None:
    saved = list_segmentations(store, info.id)
    if not saved:
        return None
    members = segment_members(store, saved[0].segmentation_id)
    sizes = members.value_counts().rename_axis("segment").reset_index(name="customers")
    return sizes.assign(share=(sizes["customers"] / sizes["customers"].sum()).round(3), segmentation=saved[0].name)


def _kpis(store: Store, info: DatasetInfo, rows: pd.DataFrame) -> KpiSet:
    """The Overview's KPIs over the whole selection (for a page that does not draw them)."""
    (kpi_rows,), source = with_best_expectation(store, info, rows)
    return compute_kpis(kpi_rows, scale=info.rating_scale or (0.0, 1.0), period_days=None,
                        gap_method=source.method if source else None)


def _trend_figure(info: DatasetInfo, rows: pd.DataFrame):
    if "timestamp" not in rows.columns or not rows["timestamp"].notna().any():
        return None
    freq = trend_freq(rows)
    return satisfaction_trend_figure(trend(rows, freq=freq), freq=freq, scale=info.rating_scale or (0.0, 1.0))


def report_button(store: Store, info: DatasetInfo, rows: pd.DataFrame, *, key: str, scope: str,
                  kpis: KpiSet | None = None, trend_figure=None, gaps: pd.DataFrame | None = None,
                  ranking: ActionRanking | None = None, alerts: pd.DataFrame | None = None) -> None:
    """A download button for the view as one offline HTML file; built only when pressed (plotly.js alone is about
    4.6 MB). KPIs and the trend the page did not draw are computed then, from ``rows``."""
    def build() -> bytes:
        shown = kpis if kpis is not None else _kpis(store, info, rows)
        figure = trend_figure if kpis is not None else _trend_figure(info, rows)
        cards = [ReportKpi(k.label, *format_kpi(k), note=f"n = {k.n:,} {k.n_noun}") for k in shown.kpis]
        sections = [ReportSection("Satisfaction trend", shown.note, figures=(figure,) if figure else ())]
        if ranking is not None:
            sections.append(ReportSection("What to do first", ranking.formula,
                                          tables=(ranking.actions[ACTION_COLUMNS].head(10),)))
        if gaps is not None:
            sections.append(ReportSection("Largest gaps", "Gaps in the rating's units with 95 % bootstrap intervals; "
                                          "only gaps whose whole interval lies below zero.", tables=(gaps,)))
        if alerts is not None:
            sections.append(ReportSection("Alerts", "The most severe alerts of the last scan.", tables=(alerts,)))
        if (segments := _segments_table(store, info)) is not None:
            sections.append(ReportSection("Segments", "The newest saved segmentation.", tables=(segments,)))
        return build_report(title=f"Gapsight · {info.name}", subtitle=scope, kpis=cards, sections=sections,
                            generated_at=datetime.now()).encode("utf-8")

    st.download_button("Download this view as an HTML report", build, key=key, mime="text/html",
                       file_name=report_filename(info.name, datetime.now()), on_click="ignore",
                       icon=":material/description:",
                       help="One self-contained file: opens offline in any browser, every text escaped.")
