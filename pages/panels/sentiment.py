"""Sentiment page panels that act on chosen verbatims: relabel them, explain one prediction."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.figures.explanations import explanation_figure
from analytics.insights.explanations import highlighted_words_frame
from analytics.insights.verbatims import shorten_cells
from analytics.schema import CLASSES
from analytics.store.database import DatasetInfo, Store
from analytics.store.labels import clear_labels, save_labels
from analytics.store.predictions import LEXICON_MODEL_ID
from analytics.store.rating_cuts import RatingCuts, load_cuts, save_cuts
from models.device import choose_device
from models.explain import Explanation, explain_occlusion, lexicon_score_fn, transformer_score_fn
from models.flows.default_sentiment import TASK, retrain_default_sentiment
from models.registry import LoadedModel, load_model
from pages.common import keys
from pages.common.loaders import dataset_rows
from pages.common.widgets import plain_label


@st.cache_resource(max_entries=2, show_spinner="Loading the model…")
def _loaded(folder: str) -> LoadedModel:
    return load_model(folder, int8=False)


@st.cache_data(max_entries=64, show_spinner="Working out which words drove the prediction…")
def _explain(model_key: str, text: str) -> Explanation:
    if model_key == LEXICON_MODEL_ID:
        return explain_occlusion(text, lexicon_score_fn(CLASSES), CLASSES)
    loaded = _loaded(model_key)
    if not loaded.is_transformer:
        return explain_occlusion(text, loaded.model.score_fn(temperature=loaded.meta.temperature), loaded.meta.labels)
    score = transformer_score_fn(loaded.model, loaded.tokenizer, device=choose_device("cpu"),
                                 max_length=int(loaded.meta.config.get("max_length") or 128),
                                 temperature=loaded.meta.temperature)
    return explain_occlusion(text, score, loaded.meta.labels)


def relabel_panel(store: Store, info: DatasetInfo, selected: list[str], matching: list[str], n_labels: int) -> None:
    """Give chosen rows the right sentiment; the labels show at once and teach the next fine-tune."""
    if flash := st.session_state.pop(keys.RELABEL_DONE, None):
        st.success(flash)
    with st.form("relabel_form"):
        st.markdown("**Relabel**")
        scopes = {"selected": f"Rows selected in the table ({len(selected):,})",
                  "matching": f"Every row matching this search and filter ({len(matching):,})"}
        scope = st.radio("Rows", list(scopes), format_func=scopes.get, horizontal=True, key="relabel_scope")
        label = st.segmented_control("Correct sentiment", list(CLASSES), key="relabel_label")
        give, undo = st.columns(2)
        submitted = give.form_submit_button("Save labels", type="primary", icon=":material/label:")
        removed = undo.form_submit_button("Remove my labels from these rows")
    ids, done = (selected if scope == "selected" else matching), None
    try:
        if submitted:
            done = f"Labelled {save_labels(store, info.id, TASK, ids, label or ''):,} rows '{label}'."
        elif removed:
            done = f"Removed your label from {clear_labels(store, info.id, TASK, ids):,} rows."
    except ValueError as error:
        st.error(plain_label(error), icon=":material/error:")
    if done:  # rerun so that every figure above shows the new labels
        st.session_state[keys.RELABEL_DONE] = done
        st.rerun()
    if n_labels or info.rating_scale:
        st.caption(f"{n_labels:,} rows carry your labels: they override the model here and replace the "
                   "rating-derived label when the sentiment models are trained again.")
        if st.button("Train again with my labels and cuts", key="relabel_retrain",
                     icon=":material/model_training:"):
            try:
                job_id = retrain_default_sentiment(store, info, dataset_rows(info))
                st.success(f"Started training (job {job_id}); the current model serves until the new best one is ready.")
            except ValueError as error:
                st.error(plain_label(error), icon=":material/error:")


def cuts_panel(store: Store, info: DatasetInfo) -> None:
    """Which ratings count as negative / positive when the sentiment model learns from them."""
    cuts, (low, high) = load_cuts(store, info), info.rating_scale
    step = 1.0 if float(low).is_integer() and float(high).is_integer() else 0.1
    if flash := st.session_state.pop(keys.CUTS_DONE, None):
        st.success(flash)
    with st.expander(f"Ratings → sentiment: ≤ {cuts.negative_max:g} negative, ≥ {cuts.positive_min:g} positive "
                     f"(scale {low:g}–{high:g})"), st.form("cuts_form", border=False):
        left, right = st.columns(2)
        negative = left.number_input("Negative up to", low, high, cuts.negative_max, step, key="cuts_negative")
        positive = right.number_input("Positive from", low, high, cuts.positive_min, step, key="cuts_positive")
        if st.form_submit_button("Save for the next training run"):
            try:
                save_cuts(store, info, RatingCuts(float(negative), float(positive)))
            except ValueError as error:
                st.error(plain_label(error), icon=":material/error:")
                return
            st.session_state[keys.CUTS_DONE] = ("Saved. Press 'Train again with my labels and cuts' (Verbatims tab) "
                                           "to train with them.")
            st.rerun()


def explain_panel(shown: pd.DataFrame, *, model_key: str, preselect: str | None) -> None:
    """Which words pushed the model towards its label for one verbatim (occlusion, on demand)."""
    ids = shown["record_id"].tolist()
    if not ids:
        return
    texts = dict(zip(ids, shorten_cells(shown[["text"]], max_chars=90)["text"]))
    record = st.selectbox("Explain the prediction for", ids, index=ids.index(preselect) if preselect in ids else 0,
                          format_func=lambda r: texts.get(r) or r, key="explain_record")
    if not st.toggle("Show which words drove it", key="explain_on"):
        return
    text = str(shown.loc[shown["record_id"] == record, "text"].iloc[0] or "")
    try:
        explanation = _explain(model_key, text)
    except ValueError as error:
        st.error(plain_label(error), icon=":material/error:")
        return
    target = plain_label(explanation.target)  # a trained model's classes are the user's labels
    st.caption(f"Predicted **{target}** ({max(explanation.proba):.0%}). Each bar is how much "
               f"P({target}) drops when that word is left out"
               + (" (first 150 words only)." if explanation.truncated else "."))
    st.plotly_chart(explanation_figure(list(explanation.words), list(explanation.scores),
                                       target=explanation.target), key="explain_chart")
    st.dataframe(highlighted_words_frame(list(explanation.words), list(explanation.scores)), hide_index=True,
                 width="stretch", height=220)
