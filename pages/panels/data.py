"""Data page panels: the column-mapping inputs, the rating-scale choice and the validation report."""
from __future__ import annotations

import streamlit as st

from analytics.ingest.ratings import RATING_SCALES
from analytics.insights.verbatims import shorten_cells
from analytics.schema import CANONICAL_FIELDS
from analytics.store.database import Store
from pages.common.widgets import download_buttons

NONE = "— none —"


def mapping_inputs(columns: tuple[str, ...], current: dict, *, key: str, reasons: dict | None = None) -> dict:
    """One selectbox per canonical field, preset to ``current`` (with why, when ``reasons`` says); the chosen mapping."""
    chosen = {}
    for column, spec in zip(st.columns(3) * len(CANONICAL_FIELDS), CANONICAL_FIELDS):
        options = [NONE, *columns]
        preset = current.get(spec.name)
        why = (reasons or {}).get(spec.name)
        chosen[spec.name] = column.selectbox(
            spec.name, options, index=options.index(preset) if preset in options else 0,
            help=spec.description + (f". Suggested: {why}." if why else ""), key=f"{key}_{spec.name}")
    return {name: (None if value == NONE else value) for name, value in chosen.items()}


def scale_input(*, key: str):
    """Rating scale: detected from the values unless the analyst says otherwise."""
    labels = {"Detect from the values": None} | {scale.label: scale for scale in RATING_SCALES}
    return labels[st.selectbox("Rating scale", list(labels), key=key)]


def show_report(store: Store, report: dict, dataset_id: str, *, key: str) -> None:
    """The validation report: counts, reasons, missing values, warnings, rejected rows.

    ``key`` tells its widgets apart: the page can show the same dataset's report twice (just imported,
    and in the Validation report tab).
    """
    read, imported, rejected = st.columns(3)
    read.metric("Rows read", f"{report['rows_read']:,}", border=True)
    imported.metric("Rows imported", f"{report['rows_imported']:,}", border=True)
    rejected.metric("Rows rejected", f"{report['rows_rejected']:,}", border=True)
    for warning in report.get("warnings", []):
        st.warning(warning, icon=":material/warning:")
    details = {"Rejected, by reason": report.get("reasons"), "Empty values kept": report.get("missing")}
    for title, counts in details.items():
        if counts:
            st.caption(title + ": " + " · ".join(f"{k}: {v:,}" for k, v in counts.items()))
    if report.get("columns_ignored"):
        st.caption("Columns not mapped (kept for re-mapping and labels): " + ", ".join(report["columns_ignored"]))
    st.caption(f"Rating scale: {report.get('rating_scale') or 'none'} · dates: "
               f"{report.get('timestamp_format') or 'none'} · {report.get('seconds', 0)} s")
    if report["rows_rejected"]:
        rejects = store.load_rejects(dataset_id)
        st.dataframe(shorten_cells(rejects.head(200)), hide_index=True, width="stretch")
        download_buttons(rejects, basename=f"gapsight-{dataset_id}-rejected", key=f"{key}_rejects_{dataset_id}")
