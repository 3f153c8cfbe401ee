"""Topics & intents panels: label editing, one topic view, and work done in the background (embeddings, a classifier's tags)."""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from analytics.figures.topics import topic_trend_figure, topic_volume_sentiment_figure
from analytics.insights.topics import (
    DiscoveredTopics,
    TagScheme,
    has_text,
    label_table,
    parse_label_table,
    rename_and_merge,
    suggest_k,
    topic_examples,
    topic_summary,
    topic_trend,
)
from analytics.store.database import DatasetInfo, Store
from analytics.store.model_rows import RegisteredModel
from analytics.store.predictions import load_predictions
from models.flows.embedding_jobs import advance_dataset_embeddings
from models.flows.model_scoring import advance_model_predictions
from pages.common import keys
from pages.common.embeddings import encoder_label
from pages.common.widgets import job_progress, model_picker, period_switch, plain_label, rerun_when_finished

NUMBER, PERCENT = st.column_config.NumberColumn(format="%.1f"), st.column_config.NumberColumn(format="percent")


def labels_form(dataset_id: str, scheme: TagScheme) -> dict:
    """The editable labels, descriptions, keywords and threshold of one scheme, kept per dataset."""
    defaults = {"table": label_table(scheme.descriptions, scheme.keywords), "threshold": scheme.threshold,
                "multi_label": scheme.multi_label}
    saved = st.session_state[keys.TOPIC_LABELS_OF]
    current = saved.setdefault((dataset_id, scheme.name), {**defaults, "rev": 0})
    rev = current["rev"]  # a new revision draws fresh widgets from the stored table
    with st.expander(f"Edit the {scheme.name}: labels, descriptions, keywords, threshold"), \
            st.form(f"topics_{scheme.name}_form", border=False):
        table = st.data_editor(current["table"], num_rows="dynamic", hide_index=True, width="stretch",
                               key=f"topics_{scheme.name}_editor_{rev}", column_config={
                                   "description": st.column_config.TextColumn(width="large"),
                                   "keywords": st.column_config.TextColumn(help="Comma-separated; a whole-word "
                                                                           "match assigns the label.")})
        left, right = st.columns(2)
        minimum = left.slider("Minimum similarity", 0.0, 0.8, current["threshold"], 0.01,
                              key=f"topics_{scheme.name}_threshold_{rev}",
                              help="Interactions less similar than this to every label are 'other'.")
        several = right.toggle(f"Several {scheme.name} per interaction", current["multi_label"],
                               key=f"topics_{scheme.name}_multi_{rev}")
        apply, reset = st.columns(2)
        if apply.form_submit_button("Apply", type="primary", width="stretch"):
            try:
                parse_label_table(table)
                saved[(dataset_id, scheme.name)] = {"table": table.reset_index(drop=True), "threshold": minimum,
                                                    "multi_label": several, "rev": rev + 1}
            except ValueError as error:
                st.error(plain_label(error))
        if reset.form_submit_button("Reset to defaults", width="stretch"):
            saved[(dataset_id, scheme.name)] = {**defaults, "rev": rev + 1}
    return saved[(dataset_id, scheme.name)]


def topic_view(frame: pd.DataFrame, column: str, key: str, subtitle: str) -> None:
    """Volume × sentiment, the summary table, the trend and typical examples of one tagging."""
    summary = topic_summary(frame, topic_column=column)
    st.plotly_chart(topic_volume_sentiment_figure(summary, subtitle=subtitle), key=f"topics_{key}_bubble")
    st.dataframe(summary, hide_index=True, width="stretch", column_config={"share": PERCENT, "pct_negative": NUMBER,
                 "pct_positive": NUMBER, "net_sentiment": NUMBER, "mean_rating": NUMBER})
    freq = period_switch("Trend per", key=f"topics_{key}_freq")
    trend = topic_trend(frame, topic_column=column, freq=freq)
    if trend.empty:
        st.info("Map a timestamp column on the Data page to see topic trends.")
    else:
        st.plotly_chart(topic_trend_figure(trend, freq=freq), key=f"topics_{key}_trend")
    chosen = st.selectbox("Examples of", [None, *summary["topic"].tolist()], key=f"topics_{key}_examples",
                          format_func=lambda t: "every label" if t is None else t)
    examples = topic_examples(frame, topic_column=column, topic=chosen)
    st.caption(f"{len(examples):,} interactions shown, most typical first (at most 500).")
    st.dataframe(examples, hide_index=True, width="stretch",
                 column_config={"text": st.column_config.TextColumn(width="large")})


@st.fragment(run_every=3)
def embedding_status(info: DatasetInfo, rows: pd.DataFrame) -> None:
    """Live progress of the background embedding job; reloads the page when the embeddings are ready."""
    state = advance_dataset_embeddings(info, rows)
    if state.ready:
        st.rerun()
    if state.job is not None and state.job.state in ("queued", "running"):
        job_progress(state.job, key="topics_embed_cancel", note="" if state.job.message else state.note)
    elif state.job is not None:
        st.error(plain_label(state.note), icon=":material/error:")
        if st.button("Try again", key="topics_embed_retry"):
            advance_dataset_embeddings(info, rows, retry=True)
    else:
        st.caption(plain_label(state.note))


@st.fragment(run_every=3)
def _scoring_status(store: Store, info: DatasetInfo, rows: pd.DataFrame, model: RegisteredModel, stage: str) -> None:
    """Live progress while a fine-tuned model scores the dataset; reloads the page when it is done."""
    state = advance_model_predictions(store, info, rows, model)
    if state.stage != stage:
        st.rerun()
    rerun_when_finished([state.job])
    if state.job is not None:
        job_progress(state.job, key="topics_scoring_cancel", note=state.note, cancel=False)
        st.caption("Zero-shot serves meanwhile.")


def classifier_tags(store: Store, info: DatasetInfo, rows: pd.DataFrame, *, task: str, column: str
                    ) -> tuple[pd.DataFrame | None, RegisteredModel | None]:
    """``record_id`` and ``column`` from the fine-tuned ``task`` classifier serving the dataset; (None, None) while
    zero-shot serves."""
    model = model_picker(store, info, task, baseline="zero-shot (the label descriptions below)",
                         label=f"{task.capitalize()}s from")
    if model is None:
        st.caption(f"Zero-shot. With a labelled column, fine-tune a classifier on the Models page "
                   f"(It predicts: {task}s) and it replaces zero-shot here.")
        return None, None
    state = advance_model_predictions(store, info, rows, model)
    if state.stage == "scoring":
        _scoring_status(store, info, rows, model, state.stage)
    elif state.stage != "ready":
        st.warning(plain_label(state.note) if state.note else "The classifier has not scored this dataset.",
                   icon=":material/warning:")
    if state.stage != "ready":
        return None, None
    tags = load_predictions(store, info.id, model.model_id).rename(columns={"label": column})
    return tags[["record_id", column]], model


def discover_panel(info: DatasetInfo, rows: pd.DataFrame, frame: pd.DataFrame,
                   discover: Callable[[int], tuple[DiscoveredTopics, list[str]]], sentiment_name: str) -> None:
    """Topics found by clustering the embeddings, with k chosen by the user, renamed and merged by hand."""
    n_texts = int(has_text(rows).sum())  # clusters are found over the whole dataset; filters only select
    if n_texts < 3:
        st.info(f"Discovering topics needs at least 3 interactions with text; this dataset has {n_texts}.")
        return
    largest, k_of = max(2, min(30, n_texts - 1)), st.session_state[keys.TOPIC_K_OF]
    with st.form("topics_discover_form", border=False):
        chosen_k = st.slider("Number of topics (k)", 2, largest, min(k_of.get(info.id, suggest_k(n_texts)), largest),
                             key="topics_k")
        if st.form_submit_button("Find topics", type="primary"):
            k_of[info.id] = chosen_k
    k = min(k_of.get(info.id, suggest_k(n_texts)), largest)
    try:
        found, record_ids = discover(k)
    except ValueError as error:
        st.error(plain_label(error))
        return
    st.caption(f"k-means on the {encoder_label(info)} embeddings, k = {k} · silhouette "
               f"{'n/a' if found.silhouette is None else f'{found.silhouette:.2f}'} (on ≤ 2,000 interactions; "
               "−1 to 1, higher is better separated) · keywords by class-based TF-IDF")
    for warning in found.warnings:
        st.warning(plain_label(warning))
    renames = st.session_state[keys.TOPIC_RENAMES_OF].setdefault((info.id, info.version, k), {})
    with st.form("topics_rename_form", border=False):
        table = found.table().assign(rename=[renames.get(name, "") for name in found.names])
        edited = st.data_editor(table, hide_index=True, width="stretch", disabled=table.columns[:-1].tolist(),
                                key=f"topics_rename_{k}", column_config={"share": PERCENT, "rename": (
                                    st.column_config.TextColumn(help="Give two topics one name to merge them."))})
        if st.form_submit_button("Rename and merge"):
            renames.clear()
            renames.update({name: new.strip() for name, new in zip(found.names, edited["rename"].tolist())
                            if isinstance(new, str) and new.strip()})
    named = rename_and_merge(found.assignments(), renames)
    topic_view(frame.merge(pd.DataFrame({"record_id": record_ids, "discovered": named.tolist()}), on="record_id"),
               "discovered", "discover", f"discovered topics (k-means, k = {k}) · sentiment: {sentiment_name}")
