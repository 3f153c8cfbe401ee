"""Topics & intents panels for work done in the background: the dataset's embeddings and a fine-tuned classifier's tags."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.predictions import RegisteredModel, active_model, load_predictions
from analytics.store import DatasetInfo, Store
from models.embedding_jobs import advance_dataset_embeddings
from models.jobs import cancel_job, latest_job
from models.model_jobs import register_job_model
from models.model_scoring import advance_model_predictions


@st.fragment(run_every=3)
def embedding_status(info: DatasetInfo, rows: pd.DataFrame) -> None:
    """Live progress of the background embedding job; reloads the page when the embeddings are ready."""
    state = advance_dataset_embeddings(info, rows)
    if state.ready:
        st.rerun()
    if state.job is not None and state.job.state in ("queued", "running"):
        st.progress(min(state.job.fraction, 1.0), text=state.job.message or state.note)
        st.button("Cancel", key="topics_embed_cancel", on_click=cancel_job, args=(state.job.job_id,))
    elif state.job is not None:
        st.error(state.note, icon=":material/error:")
        if st.button("Try again", key="topics_embed_retry"):
            advance_dataset_embeddings(info, rows, retry=True)
    else:
        st.caption(state.note)


@st.fragment(run_every=3)
def _scoring_status(store: Store, info: DatasetInfo, rows: pd.DataFrame, model: RegisteredModel, stage: str) -> None:
    """Live progress while a fine-tuned model scores the dataset; reloads the page when it is done."""
    state = advance_model_predictions(store, info, rows, model)
    if state.stage != stage:
        st.rerun()
    if state.job is not None:
        st.progress(min(state.job.fraction, 1.0), text=f"{state.note} {state.job.message} Zero-shot serves meanwhile.")


def classifier_tags(store: Store, info: DatasetInfo, rows: pd.DataFrame, *, task: str, column: str,
                    key: str) -> tuple[pd.DataFrame | None, RegisteredModel | None]:
    """``record_id`` and ``column`` from the active fine-tuned ``task`` classifier; (None, None) while zero-shot serves."""
    job = latest_job(task=task, dataset_id=info.id, kind="train")
    if job is not None:
        register_job_model(store, job)
    model = active_model(store, task)
    if model is None:
        st.caption(f"Zero-shot. With a labelled column, fine-tune a classifier on the Models page "
                   f"(It predicts: {task}s) and it replaces zero-shot here.")
        return None, None
    if not st.toggle(f"Use the fine-tuned {task} classifier '{model.name}' "
                     f"(test macro-F1 {model.metrics.get('macro_f1') or 0:.2f})", True, key=key):
        return None, None
    state = advance_model_predictions(store, info, rows, model)
    if state.stage == "scoring":
        _scoring_status(store, info, rows, model, state.stage)
    elif state.stage != "ready":
        st.warning(state.note or "The classifier has not scored this dataset.", icon=":material/warning:")
    if state.stage != "ready":
        return None, None
    tags = load_predictions(store, info.id, model.model_id).rename(columns={"label": column})
    return tags[["record_id", column]], model
