"""Data: upload, map, validate and import files; manage stored datasets."""
import streamlit as st

from analytics.demo.sample import load_demo_dataset
from analytics.home import gapsight_home
from analytics.ingest.mapping import estimate_rejects, suggest_mapping
from analytics.ingest.pipeline import ImportOptions, import_file, remap_dataset, stage_upload
from analytics.ingest.readers import profile_file
from analytics.insights.verbatims import shorten_cells
from analytics.store.alerts import delete_alerts
from analytics.store.constructs import delete_constructs
from analytics.store.rules import delete_rules
from analytics.store.sentences import delete_sentences
from models.flows.embedding_jobs import forget_embeddings
from pages.common import keys
from pages.common.frame import active_dataset, select_dataset
from pages.common.loaders import get_store
from pages.common.widgets import ProgressBar, confirmed_delete
from pages.panels.constructs import constructs_panel
from pages.panels.data import mapping_inputs, scale_input, show_report

UPLOAD_TYPES = ["csv", "tsv", "txt", "dat", "xlsx", "parquet", "jsonl", "ndjson", "json"]

store = get_store()
st.title("Data")


st.subheader("Import a file")
round_key = f"uploader_{st.session_state[keys.UPLOAD_ROUND]}"
uploaded = st.file_uploader(
    f"CSV, TSV, TXT, Excel (.xlsx), Parquet or JSON-lines · up to {st.get_option('server.maxUploadSize')} MB "
    "(larger files: split them, or convert them to Parquet)", type=UPLOAD_TYPES, key=round_key)
if uploaded is not None and (st.session_state[keys.UPLOAD] or {}).get("file_id") != uploaded.file_id:
    try:
        path = stage_upload(uploaded, uploaded.name, directory=gapsight_home() / "uploads")
        profile = profile_file(path, filename=uploaded.name)
    except ValueError as error:
        st.session_state[keys.UPLOAD] = None
        st.error(f"{uploaded.name}: {error}", icon=":material/error:")
        st.stop()
    suggestion = suggest_mapping(profile.preview, column_types=profile.column_types)
    st.session_state[keys.UPLOAD] = {"file_id": uploaded.file_id, "profile": profile, "suggestion": suggestion}

upload = st.session_state[keys.UPLOAD] if uploaded is not None else None
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
        mapping = mapping_inputs(profile.columns, suggestion.mapping, key="import_map", reasons=suggestion.reasons)
        name = st.text_input("Dataset name", value=profile.filename)
        scale = scale_input(key="import_scale")
        again = st.checkbox("Import again even if this exact file was imported before")
        anyway = st.checkbox("Import even if many rows would be rejected")
        submitted = st.form_submit_button("Import", type="primary")
    estimate = estimate_rejects(profile.preview, mapping, total_rows=profile.estimated_rows) if submitted else None
    if estimate is not None and estimate.worrying and not anyway:
        st.warning(f"{estimate.message} Nothing was imported: change the mapping, or tick 'Import even if many "
                   "rows would be rejected'.", icon=":material/warning:")
    elif submitted:
        bar = ProgressBar("Importing…")
        try:
            report = import_file(store, profile, mapping, name=name, options=ImportOptions(scale, again),
                                 progress=bar.fraction)
        except ValueError as error:
            bar.empty()
            st.error(str(error), icon=":material/error:")
            st.stop()
        st.session_state[keys.IMPORT_REPORT] = report.to_dict()
        st.session_state[keys.UPLOAD] = None
        st.session_state[keys.UPLOAD_ROUND] += 1
        select_dataset(report.dataset_id)
        st.rerun()

if st.session_state[keys.IMPORT_REPORT]:
    report = st.session_state[keys.IMPORT_REPORT]
    st.success(f"'{report['dataset_name']}' is now the active dataset.", icon=":material/check_circle:")
    show_report(store, report, report["dataset_id"], key="imported")
    st.button("Dismiss report", on_click=lambda: st.session_state.update({keys.IMPORT_REPORT: None}))

st.subheader("Datasets")
datasets = store.list_datasets()
if not datasets:
    st.info("No dataset is stored. Import a file above, or load the generated demo dataset.")
if st.button("Load the demo dataset", help="Generated by Gapsight: 20,000 interactions over 24 months."):
    with st.spinner("Generating and importing the demo dataset…"):
        select_dataset(load_demo_dataset(store).id)
    st.rerun()
if not datasets:
    st.stop()
st.dataframe([{"name": d.name, "file": d.source_name, "rows": d.n_rows, "rejected": d.n_rejected,
               "imported": d.created_at, "version": d.version} for d in datasets], hide_index=True, width="stretch")
names = {d.id: d.name for d in datasets}
active = active_dataset(store)
if active is not None and st.session_state.get(keys.MANAGE_FOLLOWS) != active.id:
    st.session_state[keys.MANAGE_DATASET] = st.session_state[keys.MANAGE_FOLLOWS] = active.id  # in step with the sidebar
if st.session_state.get(keys.MANAGE_DATASET) not in names:
    st.session_state[keys.MANAGE_DATASET] = active.id if active else next(iter(names))
chosen_id = st.selectbox("Manage dataset", list(names), format_func=names.get, key=keys.MANAGE_DATASET)
info = store.get_dataset(chosen_id)
if active is None or active.id != info.id:
    st.button("Make active", on_click=select_dataset, args=(info.id,), icon=":material/check:")
tabs = st.tabs(["Preview", "Validation report", "Rename", "Re-map", "Survey constructs", "Delete"])
with tabs[0]:
    st.dataframe(shorten_cells(store.load_raw(info.id, limit=100)), hide_index=True, width="stretch")
with tabs[1]:
    show_report(store, info.report, info.id, key="validation")
with tabs[2], st.form("rename_form"):
    new_name = st.text_input("New name", value=info.name, key=f"rename_{info.id}")
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
        bar = ProgressBar("Re-mapping…")
        try:
            report = remap_dataset(store, info.id, new_mapping, options=ImportOptions(new_scale),
                                   progress=bar.fraction)
            st.session_state[keys.IMPORT_REPORT] = report.to_dict()
            st.rerun()
        except ValueError as error:
            bar.empty()
            st.error(f"{error} The dataset keeps its previous mapping.", icon=":material/error:")
with tabs[4]:
    constructs_panel(store, info)
with tabs[5]:
    if confirmed_delete(f"Yes, delete '{info.name}' and its {info.n_rows:,} rows permanently", key=f"sure_{info.id}",
                        button="Delete dataset", primary=True):
        store.delete_dataset(info.id)
        delete_rules(store, info.id)
        delete_alerts(store, info.id)
        delete_constructs(store, info.id)
        delete_sentences(store, info.id)
        forget_embeddings(info.id)
        st.session_state[keys.IMPORT_REPORT] = None
        st.rerun()
