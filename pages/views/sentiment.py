"""Sentiment: every interaction scored by the active model, its mix, breakdowns, trend and mismatches."""
import os

import streamlit as st

from analytics.figures.sentiment import sentiment_by_figure, sentiment_mix_figure, sentiment_trend_figure
from analytics.insights.sentiment import (
    attach_sentiment,
    net_sentiment,
    sentiment_by,
    sentiment_mix,
    sentiment_trend,
    star_text_mismatches,
)
from analytics.insights.verbatims import enrich_verbatims, search_verbatims
from analytics.store.model_rows import get_model
from analytics.store.predictions import LEXICON_MODEL_ID
from models.flows.default_sentiment import advance_default_sentiment
from models.flows.lexicon_scoring import lexicon_name
from pages.common.frame import current_filters, filtered_rows
from pages.common.guards import require_dataset, require_rows, require_text
from pages.common.loaders import dataset_rows, get_store, model_caption, sentiment_predictions, stored_tags
from pages.common.widgets import (
    download_buttons,
    job_progress,
    model_picker,
    period_switch,
    plain_label,
    rerun_when_finished,
    scope_caption,
)
from pages.panels.sentiment import cuts_panel, explain_panel, relabel_panel

# Tests switch the background fine-tune off; a user never needs to.
AUTO_TRAIN = os.environ.get("GAPSIGHT_AUTO_TRAIN", "1") != "0"
BACKGROUND_STAGES = ("training", "scoring", "retraining")


@st.fragment(run_every=3)
def background_status(stage: str) -> None:
    """Live progress of the background fine-tune / scoring; reloads the page when its stage changes."""
    source = advance_default_sentiment(store, info, dataset_rows(info), start=AUTO_TRAIN)
    if source.stage != stage:
        st.rerun()
    rerun_when_finished([source.job])
    if source.job is not None and source.stage in BACKGROUND_STAGES:
        job_progress(source.job, key="sentiment_cancel", note=source.note)
    elif source.note:
        st.caption(plain_label(source.note))


store = get_store()
info = require_dataset(store)
st.title("Sentiment")
require_text(info, needs="Sentiment needs")

baseline = lexicon_name(info.report.get("languages"))
model_picker(store, info, "sentiment", baseline=baseline, label="Sentiment model for this dataset")
source = advance_default_sentiment(store, info, dataset_rows(info), start=AUTO_TRAIN)
if source.stage in BACKGROUND_STAGES or (source.stage == "waiting" and source.note):  # polled until it moves on
    background_status(source.stage)
elif source.stage == "lexicon" and source.job is not None:
    st.warning(plain_label(source.note), icon=":material/warning:")
    if st.button("Try training again", key="sentiment_retry"):
        advance_default_sentiment(store, info, dataset_rows(info), retry=True)
        st.rerun()
if info.rating_scale:
    cuts_panel(store, info)
model_id = source.model_id
model = None if model_id == LEXICON_MODEL_ID else get_model(store, model_id)
model_folder, model_name = (model.folder if model else LEXICON_MODEL_ID), model_caption(store, model, baseline)
predictions, _ = sentiment_predictions(store, info, model_id)
n_labelled = int(predictions["source"].eq("you").sum())

frame = attach_sentiment(filtered_rows(info), predictions)
scored = frame[frame["sentiment"].notna()]
scope_caption(info, current_filters().describe(), len(scored), f"of {len(frame):,} interactions scored "
              "(rows without text have no sentiment)",
              [f"model: {model_name}"] + ([f"{n_labelled:,} labelled by you"] if n_labelled else []))
require_rows(scored, what="scored interaction")

mix = sentiment_mix(scored)
shares = dict(zip(mix["sentiment"], mix["share"]))
left, middle, right = st.columns(3)
left.metric("% negative text", f"{shares['negative']:.1%}", border=True)
middle.metric("% positive text", f"{shares['positive']:.1%}", border=True)
right.metric("Net sentiment", f"{net_sentiment(mix):+.1f} pts", border=True,
             help="% positive − % negative texts, by the model named above.")
st.plotly_chart(sentiment_mix_figure(mix, model_name=model_name), key="sentiment_mix")

by_tab, time_tab, mismatch_tab, verbatim_tab = st.tabs(["By group", "Over time", "Star–text mismatches",
                                                         "Verbatims"])
with by_tab:
    options = [c for c in ("channel", "category", "product", "customer_id") if scored[c].notna().any()]
    if options:
        by = st.segmented_control("Break down by", options, default=options[0], key="sentiment_by") or options[0]
        table = sentiment_by(scored, by=by, top=None if st.session_state.get("sentiment_by_all") else 15)
        st.plotly_chart(sentiment_by_figure(table, by=by), key="sentiment_by_chart")
        if table.attrs["groups"] > 15:
            st.toggle(f"Show all {table.attrs['groups']:,} groups", key="sentiment_by_all")
    else:
        st.info("Map a channel, category or product column to break sentiment down.")
with time_tab:
    if scored["timestamp"].notna().any():
        freq = period_switch("Per", key="sentiment_freq")
        st.plotly_chart(sentiment_trend_figure(sentiment_trend(scored, freq=freq), freq=freq), key="sentiment_trend")
    else:
        st.info("Map a timestamp column (Data page, Re-map tab) to see sentiment over time.")
with mismatch_tab:
    if scored["rating"].notna().any():
        mismatches = star_text_mismatches(scored)
        st.caption(f"{len(mismatches):,} interactions whose stars and text disagree (confidence ≥ 0.6).")
        st.dataframe(mismatches[["mismatch", "rating_raw", "sentiment", "confidence", "text", "record_id"]].head(500),
                     hide_index=True, width="stretch",
                     column_config={"confidence": st.column_config.ProgressColumn(min_value=0, max_value=1)})
    else:
        st.info("Mismatches need a rating column next to the text.")
with verbatim_tab:
    choice = st.segmented_control("Show", ["negative", "neutral", "positive"], key="sentiment_show")
    query = st.text_input("Search the texts", key="sentiment_query")
    subset = scored if not choice else scored[scored["sentiment"] == choice]
    page = search_verbatims(subset, query=query, limit=500)
    shown = page.rows.merge(subset[["record_id", "sentiment", "confidence", "source"]], on="record_id", how="left")
    st.caption(f"{page.total:,} interactions; the 500 most recent are shown. Tick rows to relabel or explain them.")
    table = st.dataframe(shown, hide_index=True, width="stretch", on_select="rerun", selection_mode="multi-row",
                         key="sentiment_verbatims",
                         column_config={"confidence": st.column_config.ProgressColumn(min_value=0, max_value=1),
                                        "text": st.column_config.TextColumn(width="large"),
                                        "source": st.column_config.TextColumn("labelled by")})
    selected = shown.iloc[table.selection.rows]["record_id"].tolist() if table is not None else []
    download_buttons(lambda: enrich_verbatims(search_verbatims(subset, query=query, limit=None).rows,
                                              sentiment=predictions, tags=stored_tags(store, info)),
                     basename=f"gapsight-{info.id}-sentiment-verbatims", key="sentiment_download")
    relabel, explain = st.columns(2)
    with relabel:
        relabel_panel(store, info, selected, list(page.matched_ids), n_labelled)
    with explain:
        explain_panel(shown, model_key=model_folder, preselect=selected[0] if selected else None)
