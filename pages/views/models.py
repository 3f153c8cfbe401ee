"""Models: train classifiers (best of three kinds) in the background, follow them live, read, compare, rank, manage."""
from pathlib import Path

import streamlit as st

from analytics.insights.model_reports import registry_table
from analytics.store.model_rows import activate_model, registered_models, unregister_model
from models.device import choose_device
from models.flows.model_jobs import start_int8_variant, sync_model_folders
from models.jobs import list_jobs, queue_positions, queue_wait
from models.registry import delete_model, export_zip
from pages.common.frame import active_dataset
from pages.common.loaders import get_store
from pages.common.widgets import confirmed_delete, job_progress, plain_label, rerun_when_finished
from pages.panels.models import compare_panel, rank_panel, report_panel
from pages.panels.training import train_form

store = get_store()
device = choose_device()
st.title("Models")
st.caption(f"Training and scoring run in their own process on {device.name}; you can leave this page.")
for model in sync_model_folders(store):
    st.toast(f"Registered '{plain_label(model.name)}' ({plain_label(model.task)}), saved by a headless run.")


@st.fragment(run_every=2)
def job_panel() -> None:
    """Every kind of job, newest first, with its place in the CPU queue and live progress; the page reloads
    when one finishes, so its model appears below."""
    jobs = list_jobs()[:8]
    rerun_when_finished(jobs)
    if not jobs:
        st.caption("No job yet.")
    line, waits = queue_positions(jobs), queue_wait(jobs)
    for job in jobs:
        with st.container(border=True):
            where = f" · number {line[job.job_id]} in line, {waits[job.job_id]}" if job.job_id in line else ""
            st.markdown(f"**{plain_label(job.name or job.task)}** · {job.kind} · {job.state}{where}")
            if job.is_active:
                job_progress(job, key=f"cancel_{job.job_id}")
            elif job.state == "failed":
                st.error(plain_label(job.error) if job.error else "The job failed; see its log.",
                         icon=":material/error:")
            else:
                st.caption(plain_label(job.message))


info = active_dataset(store)
st.subheader("Train a classifier")
if info is None or not info.mapping.get("text"):
    st.info("Training needs a dataset with a text column; import or re-map one on the Data page.")
else:
    train_form(store, info, device)

st.subheader("Jobs")
st.caption("Training, scoring, int8 and embedding jobs. On a CPU one computes at a time and the others wait in "
           "line, so none slows the others down; cancel any of them.")
job_panel()

st.subheader("Registered models")
models = registered_models(store)
if not models:
    st.info("No trained model yet: VADER serves sentiment until one is trained.")
    st.stop()
st.dataframe(registry_table(models), hide_index=True, width="stretch",
             column_config={"active": st.column_config.CheckboxColumn()})
names = {m.model_id: f"{m.name} ({m.task})" for m in models}
active = next((i for i, m in enumerate(models) if m.active), 0)  # the one serving opens first
picked = st.selectbox("Model", list(names), format_func=names.get, key="models_chosen", index=active)
chosen = next(m for m in models if m.model_id == picked)
report_tab, compare_tab, rank_tab, manage_tab = st.tabs(["Report", "Compare", "Pick by trade-off", "Manage"])
with report_tab:
    report_panel(chosen)
with compare_tab:
    compare_panel(models, chosen, names)
with rank_tab:
    rank_panel(store, models, chosen)
with manage_tab:
    act, variant, export = st.columns(3)
    if not chosen.active:
        act.button("Activate for its task", on_click=activate_model, args=(store, chosen.model_id))
    if chosen.metrics.get("variant", "fp32") == "fp32" and chosen.metrics.get("kind", "transformer") == "transformer":
        if variant.button("Build int8 CPU variant", help="Measured against this model on its own test rows."):
            try:
                st.success(f"Started job {start_int8_variant(chosen)}; it appears under Jobs, then in the list.")
            except ValueError as error:
                st.error(plain_label(error), icon=":material/error:")
    if Path(chosen.folder).is_dir():
        export.download_button("Export (zip)", lambda: export_zip(chosen.folder), file_name=f"{chosen.model_id}.zip",
                               mime="application/zip", on_click="ignore", icon=":material/download:",
                               help="A folder plain transformers loads: safetensors, tokenizer, config, card."
                               if chosen.metrics.get("kind", "transformer") == "transformer" else
                               "The scikit-learn model (joblib), its card and its test rows.")
    else:
        export.warning("The model folder is missing: delete this entry or retrain.", icon=":material/warning:")
    if confirmed_delete(f"Delete '{plain_label(chosen.name)}', its folder and its predictions",
                        key=f"sure_{chosen.model_id}", button="Delete model"):
        unregister_model(store, chosen.model_id)
        delete_model(chosen.folder)
        st.rerun()
