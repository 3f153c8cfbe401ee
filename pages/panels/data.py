"""Data page panels: reading an upload, the column-mapping inputs, the rating-scale choice and the validation report."""
from __future__ import annotations

import streamlit as st

from analytics.home import gapsight_home
from analytics.ingest.mapping import suggest_mapping
from analytics.ingest.pipeline import discard_upload, stage_upload
from analytics.ingest.ratings import RATING_SCALES
from analytics.ingest.readers import FileProfile, profile_file
from analytics.insights.verbatims import shorten_cells
from analytics.language import describe_mix
from analytics.schema import CANONICAL_FIELDS
from analytics.store.database import PREVIEW_COLUMNS, Store
from pages.common.widgets import download_buttons, plain_label

NONE = "— none —"


def read_upload(uploaded) -> dict | None:
    """Stage, profile and map a new upload; None (its error shown, its copy removed) when it cannot be read."""
    try:
        path = stage_upload(uploaded, uploaded.name, directory=gapsight_home() / "uploads")
    except ValueError as error:
        st.error(plain_label(f"{uploaded.name}: {error}"), icon=":material/error:")
        return None
    try:
        profile = profile_file(path, filename=uploaded.name)
        suggestion = suggest_mapping(profile.preview, column_types=profile.column_types)
    except ValueError as error:
        discard_upload(path)
        st.error(plain_label(f"{uploaded.name}: {error}"), icon=":material/error:")
        return None
    return {"file_id": uploaded.file_id, "profile": profile, "suggestion": suggestion}


def file_facts(profile: FileProfile) -> str:
    """Format, size, columns and, where the format has them, encoding, delimiter, header and sheet."""
    facts = [profile.format.upper(), f"{profile.size_bytes / 1e6:,.1f} MB", f"{len(profile.columns)} columns"]
    if profile.encoding:
        facts.append(f"encoding {profile.encoding.label}")
    if profile.dialect:
        facts += [f"delimiter {profile.dialect.label}",
                  "header row" if profile.dialect.has_header else "no header row (columns named for you)"]
    if profile.sheet_name:
        facts.append(f"sheet {profile.sheet_name}")
    return plain_label(" · ".join(facts))


def upload_preview(profile: FileProfile) -> None:
    """The upload's first rows and detected types, at most :data:`PREVIEW_COLUMNS` columns of them."""
    shown = list(profile.columns[:PREVIEW_COLUMNS])
    st.dataframe(shorten_cells(profile.preview[shown].head(20)), hide_index=True, width="stretch")
    more = f" (the first {len(shown)} of {len(profile.columns):,} columns)" if len(shown) < len(profile.columns) else ""
    st.caption(plain_label("Detected types" + more + ": "
                           + ", ".join(f"{c}: {profile.column_types.get(c, '?')}" for c in shown)))


def stored_preview(store: Store, dataset_id: str) -> None:
    """A stored dataset's first rows, bounded in columns and cell length; a read failure leaves the page usable."""
    try:
        frame, total = store.preview_raw(dataset_id)
    except ValueError as error:
        st.warning(plain_label(str(error)), icon=":material/warning:")
        return
    st.dataframe(frame, hide_index=True, width="stretch")
    if total > frame.shape[1]:
        st.caption(f"The first {frame.shape[1]} of {total:,} source columns.")


def mapping_inputs(columns: tuple[str, ...], current: dict, *, key: str, reasons: dict | None = None) -> dict:
    """One selectbox per canonical field, preset to ``current`` (with why, when ``reasons`` says); the mapping."""
    chosen = {}
    for column, spec in zip(st.columns(3) * len(CANONICAL_FIELDS), CANONICAL_FIELDS):
        options = [NONE, *columns]
        preset = current.get(spec.name)
        why = (reasons or {}).get(spec.name)
        chosen[spec.name] = column.selectbox(
            spec.name, options, index=options.index(preset) if preset in options else 0,
            help=spec.description + (f". Suggested: {plain_label(why)}." if why else ""), key=f"{key}_{spec.name}")
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
        st.warning(plain_label(warning), icon=":material/warning:")
    details = {"Rejected, by reason": report.get("reasons"), "Empty values kept": report.get("missing")}
    for title, counts in details.items():
        if counts:
            st.caption(title + ": " + plain_label(" · ".join(f"{k}: {v:,}" for k, v in counts.items())))
    if report.get("columns_ignored"):
        st.caption("Columns not mapped (kept for re-mapping and labels): "
                   + plain_label(", ".join(report["columns_ignored"])))
    if report.get("languages"):
        st.caption(f"Languages of the texts: {plain_label(describe_mix(report['languages']))}")
    st.caption(plain_label(f"Rating scale: {report.get('rating_scale') or 'none'} · dates: "
                           f"{report.get('timestamp_format') or 'none'} · {report.get('seconds', 0)} s"))
    if report["rows_rejected"]:
        rejects = store.load_rejects(dataset_id)
        st.dataframe(shorten_cells(rejects.head(200)), hide_index=True, width="stretch")
        download_buttons(rejects, basename=f"gapsight-{dataset_id}-rejected", key=f"{key}_rejects_{dataset_id}")
