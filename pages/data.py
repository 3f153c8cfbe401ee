"""Data: upload, map, validate and import files; manage stored datasets."""
import streamlit as st

from analytics.ingest import ImportOptions, import_file, remap_dataset, stage_upload
from analytics.mapping import suggest_mapping
from analytics.ratings import RATING_SCALES
from analytics.readers import profile_file
from analytics.sample import load_demo_dataset
from analytics.schema import CANONICAL_FIELDS
from analytics.store import gapsight_home
from analytics.verbatims import shorten_cells
from pages import shared

UPLOAD_TYPES = ["csv", "tsv", "txt", "dat", "xlsx", "parquet", "jsonl", "ndjson", "json"]
NONE = "— none —"

store = shared.get_store()
st.title("Data")


def mapping_inputs(columns: tuple[str, ...], current: dict, *, key: str) -> dict:
    """One selectbox per canonical field, preset to ``current``; returns the chosen mapping."""
    chosen = {}
    for column, spec in zip(st.columns(3) * len(CANONICAL_FIELDS), CANONICAL_FIELDS):
        options = [NONE, *columns]
        preset = current.get(spec.name)
        chosen[spec.name] = column.selectbox(
            spec.name, options, index=options.index(preset) if preset in options else 0,
            help=spec.description, key=f"{key}_{spec.name}")
    return {name: (None if value == NONE else value) for name, value in chosen.items()}


def scale_input(*, key: str):
    """Rating scale: detected from the values unless the analyst says otherwise."""
    labels = {"Detect from the values": None} | {scale.label: scale for scale in RATING_SCALES}
    return labels[st.selectbox("Rating scale", list(labels), key=key)]


def show_report(report: dict, dataset_id: str) -> None:
    """The validation report: counts, reasons, missing values, warnings, rejected rows."""
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
        shared.download_buttons(rejects, basename=f"gapsight-{dataset_id}-rejected", key=f"rejects_{dataset_id}")


st.subheader("Import a file")
round_key = f"uploader_{st.session_state.setdefault('upload_round', 0)}"
uploaded = st.file_uploader(
    f"CSV, TSV, TXT, Excel (.xlsx), Parquet or JSON-lines · up to {st.get_option('server.maxUploadSize')} MB "
    "(larger files: split them, or convert them to Parquet)", type=UPLOAD_TYPES, key=round_key)
if uploaded is not None and (st.session_state[shared.UPLOAD] or {}).get("file_id") != uploaded.file_id:
    try:
        path = stage_upload(uploaded, uploaded.name, directory=gapsight_home() / "uploads")
        profile = profile_file(path, filename=uploaded.name)
    except ValueError as error:
        st.session_state[shared.UPLOAD] = None
        st.error(f"{uploaded.name}: {error}", icon=":material/error:")
        st.stop()
    suggestion = suggest_mapping(profile.preview, column_types=profile.column_types)
    st.session_state[shared.UPLOAD] = {"file_id": uploaded.file_id, "profile": profile, "suggestion": suggestion}

upload = st.session_state[shared.UPLOAD] if uploaded is not None else None
if upload:
    profile, suggestion = upload["profile"], upload["suggestion"]
    facts = [profile.format.upper(), f"{profile.size_bytes / 1e6:,.1f} MB", f"{len(profile.columns)} columns"]
    if profile.encoding:
        facts += [f"encoding {profile.encoding.label}", f"delimiter {profile.dialect.label}",
                  "header row" if profile.dialect.has_header else "no header row (columns named for you)"]
    st.caption(" · ".join(facts))
    for warning in profile.warnings:
        st.warning(warning, icon=":material/warning:")
    st.dataframe(shorten_cells(profile.preview.head(20)), hide_index=True, width="stretch")
    st.caption("Detected types: " + ", ".join(f"{c}: {t}" for c, t in profile.column_types.items()))
    with st.form("import_form"):
        st.markdown("**Map columns** (suggested automatically; change any of them)")
        mapping = mapping_inputs(profile.columns, suggestion.mapping, key="import_map")
        name = st.text_input("Dataset name", value=profile.filename)
        scale = scale_input(key="import_scale")
        again = st.checkbox("Import again even if this exact file was imported before")
        submitted = st.form_submit_button("Import", type="primary")
    if submitted:
        bar = st.progress(0.0, text="Importing…")
        try:
            report = import_file(store, profile, mapping, name=name, options=ImportOptions(scale, again),
                                 progress=lambda f, message: bar.progress(min(f, 1.0), text=message))
        except ValueError as error:
            bar.empty()
            st.error(str(error), icon=":material/error:")
            st.stop()
        st.session_state[shared.IMPORT_REPORT] = report.to_dict()
        st.session_state[shared.UPLOAD] = None
        st.session_state["upload_round"] += 1
        st.session_state["manage_dataset"] = report.dataset_id
        shared.select_dataset(report.dataset_id)
        st.rerun()

if st.session_state[shared.IMPORT_REPORT]:
    report = st.session_state[shared.IMPORT_REPORT]
    st.success(f"'{report['dataset_name']}' is now the active dataset.", icon=":material/check_circle:")
    show_report(report, report["dataset_id"])
    st.button("Dismiss report", on_click=lambda: st.session_state.update({shared.IMPORT_REPORT: None}))

st.subheader("Datasets")
datasets = store.list_datasets()
if not datasets:
    st.info("No dataset is stored. Import a file above, or load the generated demo dataset.")
if st.button("Load the demo dataset", help="Generated by Gapsight: 20,000 interactions over 24 months."):
    with st.spinner("Generating and importing the demo dataset…"):
        shared.select_dataset(load_demo_dataset(store).id)
    st.rerun()
if not datasets:
    st.stop()
st.dataframe([{"name": d.name, "file": d.source_name, "rows": d.n_rows, "rejected": d.n_rejected,
               "imported": d.created_at, "version": d.version} for d in datasets], hide_index=True, width="stretch")
names = {d.id: d.name for d in datasets}
active = shared.active_dataset(store)
chosen_id = st.selectbox("Manage dataset", list(names), format_func=names.get, key="manage_dataset",
                         index=list(names).index(active.id) if active and active.id in names else 0)
info = store.get_dataset(chosen_id)
if active is None or active.id != info.id:
    st.button("Make active", on_click=shared.select_dataset, args=(info.id,), icon=":material/check:")
tabs = st.tabs(["Preview", "Validation report", "Rename", "Re-map", "Delete"])
with tabs[0]:
    st.dataframe(shorten_cells(store.load_raw(info.id, limit=100)), hide_index=True, width="stretch")
with tabs[1]:
    show_report(info.report, info.id)
with tabs[2], st.form("rename_form"):
    new_name = st.text_input("New name", value=info.name)
    if st.form_submit_button("Rename"):
        try:
            store.rename_dataset(info.id, new_name)
            st.rerun()
        except ValueError as error:
            st.error(str(error))
with tabs[3], st.form("remap_form"):
    new_mapping = mapping_inputs(tuple(info.meta.get("columns", ())), info.mapping, key=f"remap_{info.id}")
    new_scale = scale_input(key=f"remap_scale_{info.id}")
    if st.form_submit_button("Re-map and rebuild", type="primary"):
        bar = st.progress(0.0, text="Re-mapping…")
        try:
            report = remap_dataset(store, info.id, new_mapping, options=ImportOptions(new_scale),
                                   progress=lambda f, message: bar.progress(min(f, 1.0), text=message))
            st.session_state[shared.IMPORT_REPORT] = report.to_dict()
            st.rerun()
        except ValueError as error:
            bar.empty()
            st.error(f"{error} The dataset keeps its previous mapping.", icon=":material/error:")
with tabs[4]:
    sure = st.checkbox(f"Yes, delete '{info.name}' and its {info.n_rows:,} rows permanently", key=f"sure_{info.id}")
    if st.button("Delete dataset", type="primary", disabled=not sure, icon=":material/delete:"):
        store.delete_dataset(info.id)
        st.session_state[shared.IMPORT_REPORT] = None
        st.rerun()
