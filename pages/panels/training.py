"""Models page: the training form. Every run fits several model kinds on one split and activates the best.

On a CPU the default is the two linear models (minutes), optionally followed by the transformer's fine-tune
as a second background job that reuses them; on a GPU all three in one job. Each choice says how long it
should take before it starts, from speeds measured on this machine.
"""
from __future__ import annotations

import dataclasses

import streamlit as st

from analytics.language import describe_mix
from analytics.store.database import DatasetInfo, Store
from analytics.store.model_rows import registered_models
from models.base import BASE_MODEL_NAME, choose_base
from models.device import DeviceInfo
from models.flows.estimates import seconds_of, training_estimate
from models.flows.model_jobs import label_sources, start_fine_tune, training_frame
from models.jobs import list_jobs
from models.multilingual import MULTILINGUAL_BASE_NAME
from models.recipes import default_config
from pages.common.loaders import dataset_rows
from pages.common.widgets import plain_label

PREDICTS = {"": "what the column is named", "intent": "intents (used on Topics & intents)",
            "topic": "topics / service dimensions (used on Topics & intents)"}
CHOICES = {
    "quick": "TF-IDF + LR and MiniLM embeddings + LR",
    "then_full": "Those two now, then fine-tune the transformer in the background (the best of three serves)",
    "full": "All three in one job: TF-IDF + LR, embeddings + LR and the fine-tuned transformer",
}


def _eta(store: Store, device: DeviceInfo, n_texts: int, recipe: str, config=None) -> str:
    estimate = training_estimate(registered_models(store), list_jobs(), n_texts=n_texts, recipe=recipe,
                                 device=device, config=config)
    return estimate.phrase if estimate else "time not yet measured on this machine"


def _choices(store: Store, device: DeviceInfo, n_texts: int) -> dict[str, str]:
    """Each recipe with its ETA; the GPU's default is all three at once, the CPU's the quick pair first."""
    quick, full = _eta(store, device, n_texts, "quick"), _eta(store, device, n_texts, "full")
    labelled = {"quick": f"{CHOICES['quick']} ({quick})",
                "then_full": f"{CHOICES['then_full']}; the fine-tune: {full}", "full": f"{CHOICES['full']} ({full})"}
    order = ("full", "quick") if device.is_cuda else ("quick", "then_full", "full")
    return {key: labelled[key] for key in order}


def train_form(store: Store, info: DatasetInfo, device: DeviceInfo) -> None:
    """Labels, what it predicts, which models, the fine-tune's settings; starts one or two background jobs."""
    sources, defaults = label_sources(store, info), default_config(cuda=device.is_cuda)
    choices = _choices(store, device, info.n_rows)
    with st.form("train_form"):
        source = st.selectbox("Labels", sources.options,
                              help="Any column of the dataset, or sentiment derived from ratings.")
        predicts = st.selectbox("It predicts", PREDICTS, format_func=PREDICTS.get, key="train_predicts",
                                help="Intent and topic models tag interactions on the Topics & intents page.")
        recipe = st.radio("Models to train", list(choices), format_func=choices.get, key="train_recipe",
                          help="Each is scored on the same held-out rows; the best validation macro-F1 is activated "
                               "and the report says by how much it won.")
        with st.expander("Fine-tuning settings (transformer only)"):
            automatic = choose_base(info.report.get("languages"))
            languages = describe_mix(info.report.get("languages") or {})
            bases = {automatic: f"{automatic} (chosen for this dataset's texts: {languages})",
                     **{b: b for b in (BASE_MODEL_NAME, MULTILINGUAL_BASE_NAME) if b != automatic}}
            base = st.selectbox("Base model", list(bases), format_func=bases.get, key="train_base",
                                help="MiniLM reads English; the multilingual e5-small (4-bit weights, twice as slow) "
                                     "reads Chinese and about 100 other languages. The embedding model uses it too.")
            left, middle, right, last = st.columns(4)
            epochs = left.number_input("Epochs", 1, 20, defaults.epochs)
            learning_rate = middle.number_input("Learning rate", 1e-6, 1e-2, defaults.learning_rate, format="%.0e")
            batch_size = right.number_input("Batch size", 4, 512, defaults.batch_size)
            max_length = last.number_input("Max tokens", 16, 512, defaults.max_length)
            st.caption(f"The new classification head learns at {defaults.head_learning_rate:.0e}; at least "
                       f"{defaults.min_steps} steps are planned, with early stopping on validation macro-F1.")
        name = st.text_input("Model name", placeholder="defaults to the label column and dataset")
        st.caption(f"Times are for this dataset's {info.n_rows:,} rows (at most: only labelled texts train).")
        submitted = st.form_submit_button("Start training", type="primary")
    if not submitted:
        return
    try:
        frame, task = training_frame(store, info, dataset_rows(info), sources, source, predicts=predicts)
        config = {"epochs": int(epochs), "learning_rate": float(learning_rate), "batch_size": int(batch_size),
                  "max_length": int(max_length)}
        st.success(_start(store, info, device, frame, task=task, name=name or f"{task} · {info.name}",
                          config=config, choice=recipe, base=base))
    except ValueError as error:
        st.error(plain_label(error), icon=":material/error:")


def _start(store: Store, info: DatasetInfo, device: DeviceInfo, frame, *, task: str, name: str, config: dict,
           choice: str, base: str) -> str:
    """Start the chosen job(s); the message says what runs and for about how long."""
    recipe = "quick" if choice == "then_full" else choice
    overridden = dataclasses.replace(default_config(cuda=device.is_cuda), **config)
    first = training_estimate(registered_models(store), list_jobs(), n_texts=len(frame), recipe=recipe,
                              device=device, config=overridden)
    job_id = start_fine_tune(info, frame, task=task, name=name, config=config, recipe=recipe,
                             expected_seconds=seconds_of(first), base=base)
    message = f"Started job {job_id} on {len(frame):,} labelled texts{first or ''}."
    if choice == "then_full":
        later = training_estimate(registered_models(store), list_jobs(), n_texts=len(frame), recipe="full",
                                  device=device, config=overridden)
        second = start_fine_tune(info, frame, task=task, name=name, config=config, recipe="full",
                                 expected_seconds=seconds_of(later), reuse_models=[job_id], base=base)
        message += (f" The fine-tune follows as job {second}{later or ''}; it reuses the two linear models and "
                    "takes over only if it beats them on the same validation rows.")
    return message + " Progress below."
