"""The Overview's "Download this view as an HTML report": what the page shows, in one offline file."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from analytics.export.report import ReportKpi, ReportSection, build_report, report_filename
from analytics.insights.kpis import KpiSet, format_kpi
from analytics.insights.recommend import ActionRanking
from analytics.store.database import DatasetInfo, Store
from analytics.store.segments import list_segmentations, segment_members

ACTION_COLUMNS = ["rank", "dimension", "slice_kind", "slice_value", "n", "score", "reason"]


def _segments_table(store: Store, info: DatasetInfo) -> pd.DataFrame | None:
    saved = list_segmentations(store, info.id)
    if not saved:
        return None
    members = segment_members(store, saved[0].segmentation_id)
    sizes = members.value_counts().rename_axis("segment").reset_index(name="customers")
    return sizes.assign(share=(sizes["customers"] / sizes["customers"].sum()).round(3), segmentation=saved[0].name)


def overview_report_button(store: Store, info: DatasetInfo, kpis: KpiSet, *, scope: str, trend_figure=None,
                           gaps: pd.DataFrame | None = None, ranking: ActionRanking | None = None,
                           alerts: pd.DataFrame | None = None) -> None:
    """A download button; the report is built only when it is pressed (plotly.js alone is about 4.6 MB)."""
    def build() -> bytes:
        cards = [ReportKpi(k.label, *format_kpi(k), note=f"n = {k.n:,} {k.n_noun}") for k in kpis.kpis]
        sections = [ReportSection("Satisfaction trend", kpis.note, figures=(trend_figure,) if trend_figure else ())]
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

    st.download_button("Download this view as an HTML report", build, key="overview_report", mime="text/html",
                       file_name=report_filename(info.name, datetime.now()), on_click="ignore",
                       icon=":material/description:",
                       help="One self-contained file: opens offline in any browser, every text escaped.")
