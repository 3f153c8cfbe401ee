"""Models: fine-tune a classifier in the background, follow it live, read, compare, rank and manage models."""
from pathlib import Path

import streamlit as st

from analytics.insights.model_reports import registry_table
from analytics.store.model_rows import activate_model, registered_models, unregister_model
from models.device import choose_device
from models.flows.default_sentiment import training_config
from models.flows.estimates import fine_tune_estimate, seconds_of
from models.flows.model_jobs import (
    label_sources,
    start_fine_tune,
    start_int8_variant,
    sync_model_folders,
    training_frame,
)
from models.jobs import list_jobs, queue_positions, queue_wait
from models.registry import delete_model, export_zip
from pages.common.frame import active_dataset
from pages.common.loaders import dataset_rows, get_store
from pages.common.widgets import confirmed_delete, job_progress, rerun_when_finished
from pages.panels.models import compare_panel, rank_panel, report_panel

PREDICTS = {"": "what the column is named", "intent": "intents (used on Topics & intents)",
            "topic": "topics / service dimensions (used on Topics & intents)"}

store = get_store()
device = choose_device()
st.title("Models")
st.caption(f"Training and scoring run in their own process on {device.name}; you can leave this page.")
for model in sync_model_folders(store):
    st.toast(f"Registered '{model.name}' ({model.task}), saved by a headless run.")


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
            st.markdown(f"**{job.name or job.task}** · {job.kind} · {job.state}{where}")
            if job.is_active:
                job_progress(job, key=f"cancel_{job.job_id}")
            elif job.state == "failed":
                st.error(job.error or "The job failed; see its log.", icon=":material/error:")
            else:
                st.caption(job.message)


info = active_dataset(store)
st.subheader("Fine-tune a classifier")
if info is None or not info.mapping.get("text"):
    st.info("Fine-tuning needs a dataset with a text column; import or re-map one on the Data page.")
else:
    sources = label_sources(store, info)
    defaults = training_config(cuda=device.kind == "cuda")
    with st.form("train_form"):
        source = st.selectbox("Labels", sources.options,
                              help="Any column of the dataset, or sentiment derived from ratings.")
        predicts = st.selectbox("It predicts", PREDICTS, format_func=PREDICTS.get, key="train_predicts",
                                help="Intent and topic models tag interactions on the Topics & intents page.")
        left, middle, right, last = st.columns(4)
        epochs = left.number_input("Epochs", 1, 20, defaults["epochs"])
        learning_rate = middle.number_input("Learning rate", 1e-6, 1e-2, defaults["learning_rate"], format="%.0e")
        batch_size = right.number_input("Batch size", 4, 512, defaults["batch_size"])
        max_length = last.number_input("Max tokens", 16, 512, defaults["max_length"])
        name = st.text_input("Model name", placeholder="defaults to the label column and dataset")
        per_epoch = fine_tune_estimate(registered_models(store), n_texts=info.n_rows, epochs=1, device_name=device.name)
        st.caption(f"On this dataset's {info.n_rows:,} rows (at most: only labelled texts train), one epoch takes "
                   f"{per_epoch.phrase if per_epoch else 'an unknown time: no fine-tune was measured on this device yet'}.")
        submitted = st.form_submit_button("Start fine-tuning", type="primary")
    if submitted:
        try:
            frame, task = training_frame(store, info, dataset_rows(info), sources, source, predicts=predicts)
            config = {"epochs": int(epochs), "learning_rate": float(learning_rate), "batch_size": int(batch_size),
                      "max_length": int(max_length)}
            estimate = fine_tune_estimate(registered_models(store), n_texts=len(frame), epochs=int(epochs),
                                          device_name=device.name)
            job_id = start_fine_tune(info, frame, task=task, name=name or f"{task} · {info.name}", config=config,
                                     expected_seconds=seconds_of(estimate))
            st.success(f"Started job {job_id} on {len(frame):,} labelled texts{estimate or ''}. Progress below.")
        except ValueError as error:
            st.error(str(error), icon=":material/error:")

st.subheader("Jobs")
st.caption("Training, scoring, int8 and embedding jobs. On a CPU one computes at a time and the others wait in "
           "line, so none slows the others down; cancel any of them.")
job_panel()

st.subheader("Registered models")
models = registered_models(store)
if not models:
    st.info("No fine-tuned model yet: VADER serves sentiment until one is trained.")
    st.stop()
st.dataframe(registry_table(models), hide_index=True, width="stretch",
             column_config={"active": st.column_config.CheckboxColumn()})
names = {m.model_id: f"{m.name} ({m.task})" for m in models}
chosen = next(m for m in models if m.model_id == st.selectbox("Model", list(names), format_func=names.get,
                                                              key="models_chosen"))
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
    if chosen.metrics.get("variant", "fp32") == "fp32":
        if variant.button("Build int8 CPU variant", help="Measured against this model on its own test rows."):
            try:
                st.success(f"Started job {start_int8_variant(chosen)}; it appears under Jobs, then in the list.")
            except ValueError as error:
                st.error(str(error), icon=":material/error:")
    if Path(chosen.folder).is_dir():
        export.download_button("Export (zip)", lambda: export_zip(chosen.folder), file_name=f"{chosen.model_id}.zip",
                               mime="application/zip", on_click="ignore", icon=":material/download:",
                               help="A folder plain transformers loads: safetensors, tokenizer, config, card.")
    else:
        export.warning("The model folder is missing: delete this entry or retrain.", icon=":material/warning:")
    if confirmed_delete(f"Delete '{chosen.name}', its folder and its predictions", key=f"sure_{chosen.model_id}",
                        button="Delete model"):
        unregister_model(store, chosen.model_id)
        delete_model(chosen.folder)
        st.rerun()
