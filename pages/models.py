"""Models: fine-tune a classifier on any label column in the background, follow it live, read and manage models."""
import streamlit as st

from analytics.model_reports import comparison_table, confusion_figure, per_class_table, registry_table
from analytics.predictions import activate_model, registered_models, unregister_model
from models.default_sentiment import rating_training_frame, training_config
from models.device import choose_device
from models.jobs import cancel_job, list_jobs
from models.model_jobs import labelled_frame, register_job_model, start_fine_tune
from models.registry import delete_model, read_meta
from pages import shared

FROM_RATINGS = "Sentiment from ratings (1–2 negative, 3 neutral, 4–5 positive)"

store = shared.get_store()
device = choose_device()
st.title("Models")
st.caption(f"Training and scoring run in their own process on {device.name}; you can leave this page.")


@st.fragment(run_every=2)
def job_panel() -> None:
    """Recent jobs with live progress; finished training jobs are registered as they complete."""
    jobs = [job for job in list_jobs() if job.kind == "train"][:6]
    if not jobs:
        st.caption("No training job yet.")
    for job in jobs:
        register_job_model(store, job)
        with st.container(border=True):
            st.markdown(f"**{job.name or job.task}** · {job.state}")
            if job.state in ("queued", "running"):
                st.progress(min(job.fraction, 1.0), text=job.message or "starting…")
                st.button("Cancel", key=f"cancel_{job.job_id}", on_click=cancel_job, args=(job.job_id,))
            elif job.state == "failed":
                st.error(job.error or "The job failed; see its log.", icon=":material/error:")
            else:
                st.caption(job.message)


info = shared.active_dataset(store)
st.subheader("Fine-tune a classifier")
if info is None or not info.mapping.get("text"):
    st.info("Fine-tuning needs a dataset with a text column; import or re-map one on the Data page.")
else:
    sources = ([FROM_RATINGS] if info.mapping.get("rating") else []) + [
        c for c in info.meta.get("columns", []) if c not in (info.mapping.get("text"), info.mapping.get("record_id"))]
    defaults = training_config(cuda=device.kind == "cuda")
    with st.form("train_form"):
        source = st.selectbox("Labels", sources, help="Any column of the dataset, or sentiment derived from ratings.")
        left, middle, right, last = st.columns(4)
        epochs = left.number_input("Epochs", 1, 20, defaults["epochs"])
        learning_rate = middle.number_input("Learning rate", 1e-6, 1e-2, defaults["learning_rate"], format="%.0e")
        batch_size = right.number_input("Batch size", 4, 512, defaults["batch_size"])
        max_length = last.number_input("Max tokens", 16, 512, defaults["max_length"])
        name = st.text_input("Model name", placeholder="defaults to the label column and dataset")
        submitted = st.form_submit_button("Start fine-tuning", type="primary")
    if submitted:
        rows = shared.dataset_rows(info)
        try:
            if source == FROM_RATINGS:
                frame, task = rating_training_frame(rows, max_rows=None), "sentiment"
            else:
                frame = labelled_frame(rows, store.load_raw(info.id, columns=[source]), label_column=source)
                task = source
            config = {"epochs": int(epochs), "learning_rate": float(learning_rate), "batch_size": int(batch_size),
                      "max_length": int(max_length)}
            job_id = start_fine_tune(info, frame, task=task, name=name or f"{task} · {info.name}", config=config)
            st.success(f"Started job {job_id} on {len(frame):,} labelled texts. Progress below.")
        except ValueError as error:
            st.error(str(error), icon=":material/error:")

st.subheader("Jobs")
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
try:
    metrics = read_meta(chosen.folder).metrics
except ValueError as error:
    st.error(f"{error}", icon=":material/error:")
    metrics = None
if metrics:
    st.dataframe(comparison_table(metrics), hide_index=True, width="stretch")
    left, right = st.columns(2)
    left.dataframe(per_class_table(metrics), hide_index=True, width="stretch")
    right.plotly_chart(confusion_figure(metrics), key="models_confusion")
act, delete = st.columns(2)
if not chosen.active:
    act.button("Activate for its task", on_click=activate_model, args=(store, chosen.model_id))
sure = delete.checkbox(f"Delete '{chosen.name}', its folder and its predictions", key=f"sure_{chosen.model_id}")
if delete.button("Delete model", disabled=not sure, icon=":material/delete:"):
    unregister_model(store, chosen.model_id)
    delete_model(chosen.folder)
    st.rerun()
