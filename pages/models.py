"""Models: fine-tune a classifier in the background, follow it live, read, compare, rank and manage models."""
from pathlib import Path

import streamlit as st

from analytics.labels import load_labels
from analytics.rating_cuts import load_cuts
from analytics.model_ranking import rank_models
from analytics.model_reports import (
    compare_table, comparison_table, confusion_figure, per_class_table, registry_table,
)
from analytics.predictions import activate_model, registered_models, unregister_model
from models.default_sentiment import TASK as SENTIMENT, rating_training_frame, training_config
from models.device import choose_device
from models.jobs import cancel_job, list_jobs
from models.model_jobs import (
    labelled_frame, register_job_model, start_fine_tune, start_int8_variant, sync_model_folders,
)
from models.registry import delete_model, export_zip, read_meta
from pages import shared

PREDICTS = {"": "what the column is named", "intent": "intents (used on Topics & intents)",
            "topic": "topics / service dimensions (used on Topics & intents)"}

store = shared.get_store()
device = choose_device()
st.title("Models")
st.caption(f"Training and scoring run in their own process on {device.name}; you can leave this page.")
for model in sync_model_folders(store):
    st.toast(f"Registered '{model.name}' ({model.task}), saved by a headless run.")


@st.fragment(run_every=2)
def job_panel() -> None:
    """Recent jobs with live progress; finished jobs' models are registered as they complete."""
    jobs = [job for job in list_jobs() if job.kind in ("train", "quantize")][:6]
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
    corrections, cuts = load_labels(store, info.id, SENTIMENT), load_cuts(store, info)
    from_ratings = (f"Sentiment from ratings (≤ {cuts.negative_max:g} negative, ≥ {cuts.positive_min:g} positive) "
                    "and your relabels" if cuts else "Sentiment from your relabels")
    sources = ([from_ratings] if cuts or len(corrections) else []) + [
        c for c in info.meta.get("columns", []) if c not in (info.mapping.get("text"), info.mapping.get("record_id"))]
    defaults = training_config(cuda=device.kind == "cuda")
    with st.form("train_form"):
        source = st.selectbox("Labels", sources, help="Any column of the dataset, or sentiment derived from ratings.")
        predicts = st.selectbox("It predicts", PREDICTS, format_func=PREDICTS.get, key="train_predicts",
                                help="Intent and topic models tag interactions on the Topics & intents page.")
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
            if source == from_ratings:
                frame = rating_training_frame(rows, max_rows=None, corrections=corrections, cuts=cuts)
                task = SENTIMENT
            else:
                frame = labelled_frame(rows, store.load_raw(info.id, columns=[source]), label_column=source)
                task = predicts or source
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
report_tab, compare_tab, rank_tab, manage_tab = st.tabs(["Report", "Compare", "Pick by trade-off", "Manage"])
with report_tab:
    try:
        metrics = read_meta(chosen.folder).metrics
    except ValueError as error:
        st.error(f"{error}", icon=":material/error:")
        metrics = None
    if metrics:
        if before := metrics.get("compared_with"):
            st.caption(f"int8 variant: macro-F1 {metrics['macro_f1']:.3f} against {before['macro_f1']:.3f} for the "
                       f"fp32 original on the same {metrics.get('n', 0):,} test rows; "
                       f"{metrics['speed']['cpu_rows_per_s']:,.0f} against {before['cpu_rows_per_s']:,.0f} rows/s "
                       f"on this CPU; {metrics['speed']['size_mb']:.0f} against {before['size_mb']:.0f} MB.")
        st.dataframe(comparison_table(metrics), hide_index=True, width="stretch")
        left, right = st.columns(2)
        left.dataframe(per_class_table(metrics), hide_index=True, width="stretch")
        right.plotly_chart(confusion_figure(metrics), key="models_confusion")
with compare_tab:
    same_task = {m.model_id: names[m.model_id] for m in models if m.task == chosen.task}
    picked = st.multiselect("Models to compare", list(same_task), default=list(same_task)[:3],
                            format_func=same_task.get, key="models_compare")
    cards = {}
    for model_id in picked:
        model = next(m for m in models if m.model_id == model_id)
        try:
            cards[names[model_id]] = read_meta(model.folder).metrics
        except ValueError as error:
            st.warning(f"{names[model_id]}: {error}", icon=":material/warning:")
    if cards:
        st.dataframe(compare_table(cards), hide_index=True, width="stretch")
with rank_tab:
    alpha = st.slider("α: weight of quality against speed and size", 0.0, 1.0, 0.7, 0.05, key="models_alpha")
    ranking = rank_models([m for m in models if m.task == chosen.task], alpha=alpha)
    st.caption(f"U = α·macro-F1 + (1−α)·cost score, for the '{chosen.task}' models. The cost score is the mean "
               "of CPU speed and smallness relative to the best model here (1 = fastest and smallest).")
    st.dataframe(ranking.drop(columns=["model_id"]), hide_index=True, width="stretch",
                 column_config={"active": st.column_config.CheckboxColumn(),
                                "utility": st.column_config.ProgressColumn("U", min_value=0, max_value=1,
                                                                           format="%.3f")})
    if not ranking.empty and not ranking.iloc[0]["active"]:
        best = ranking.iloc[0]
        st.button(f"Activate '{best['name']}' (best U)", key="models_activate_best", on_click=activate_model,
                  args=(store, best["model_id"]))
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
    sure = st.checkbox(f"Delete '{chosen.name}', its folder and its predictions", key=f"sure_{chosen.model_id}")
    if st.button("Delete model", disabled=not sure, icon=":material/delete:"):
        unregister_model(store, chosen.model_id)
        delete_model(chosen.folder)
        st.rerun()
