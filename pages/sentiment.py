"""Sentiment: every interaction scored by the active model, its mix, breakdowns, trend and mismatches."""
import streamlit as st

from analytics.predictions import LEXICON_MODEL_ID, load_predictions, save_predictions
from analytics.sentiment import (
    attach_sentiment, sentiment_by, sentiment_by_figure, sentiment_mix, sentiment_mix_figure, sentiment_trend,
    sentiment_trend_figure, star_text_mismatches,
)
from analytics.verbatims import search_verbatims
from models.sentiment import LEXICON_NAME, lexicon_predictions
from pages import shared

store = shared.get_store()
info = shared.require_dataset(store)
st.title("Sentiment")
if not info.mapping.get("text"):
    st.info("Sentiment needs a text column. Map one on the Data page (Re-map tab).")
    st.page_link(shared.DATA_PAGE, label="Go to Data", icon=":material/database:")
    st.stop()

predictions = load_predictions(store, info.id, LEXICON_MODEL_ID)
if predictions.empty:
    rows = shared.dataset_rows(info)
    bar = st.progress(0.0, text="Scoring every interaction with the VADER lexicon (once per dataset)…")
    scored = lexicon_predictions(rows["record_id"].tolist(), rows["text"].tolist(),
                                 progress=lambda done, total: bar.progress(done / max(total, 1),
                                                                           text=f"Scoring… {done:,} of {total:,}"))
    save_predictions(store, info.id, LEXICON_MODEL_ID, scored)
    bar.empty()
    predictions = load_predictions(store, info.id, LEXICON_MODEL_ID)

frame = attach_sentiment(shared.filtered_rows(info), predictions)
scored = frame[frame["sentiment"].notna()]
st.caption(f"{info.name} · {shared.current_filters().describe()} · model: {LEXICON_NAME} · "
           f"{len(scored):,} of {len(frame):,} interactions scored (rows without text have no sentiment)")
if scored.empty:
    st.warning("No scored interaction matches the filters. Widen the date range or clear the filters.")
    st.stop()

mix = sentiment_mix(scored)
shares = dict(zip(mix["sentiment"], mix["share"]))
left, middle, right = st.columns(3)
left.metric("% negative text", f"{shares['negative']:.1%}", border=True)
middle.metric("% positive text", f"{shares['positive']:.1%}", border=True)
right.metric("Net sentiment", f"{100 * (shares['positive'] - shares['negative']):+.1f} pts", border=True,
             help="% positive − % negative texts, by the model named above.")
st.plotly_chart(sentiment_mix_figure(mix, model_name=LEXICON_NAME), key="sentiment_mix")

by_tab, time_tab, mismatch_tab, verbatim_tab = st.tabs(["By group", "Over time", "Star–text mismatches",
                                                         "Verbatims"])
with by_tab:
    options = [c for c in ("channel", "category", "product", "customer_id") if scored[c].notna().any()]
    if options:
        by = st.segmented_control("Break down by", options, default=options[0], key="sentiment_by") or options[0]
        st.plotly_chart(sentiment_by_figure(sentiment_by(scored, by=by), by=by), key="sentiment_by_chart")
    else:
        st.info("Map a channel, category or product column to break sentiment down.")
with time_tab:
    freq = "M" if st.segmented_control("Per", ["Week", "Month"], default="Week", key="sentiment_freq") == "Month" \
        else "W"
    trend = sentiment_trend(scored, freq=freq)
    if trend.empty:
        st.info("Map a timestamp column to see sentiment over time.")
    else:
        st.plotly_chart(sentiment_trend_figure(trend, freq=freq), key="sentiment_trend")
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
    shown = page.rows.merge(subset[["record_id", "sentiment", "confidence"]], on="record_id", how="left")
    st.caption(f"{page.total:,} interactions; the 500 most recent are shown.")
    st.dataframe(shown, hide_index=True, width="stretch",
                 column_config={"confidence": st.column_config.ProgressColumn(min_value=0, max_value=1),
                                "text": st.column_config.TextColumn(width="large")})
