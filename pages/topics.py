"""Topics & intents: zero-shot intents and service dimensions, discovered topics, volume × sentiment, trends."""
import pandas as pd
import streamlit as st

from analytics.sentiment import attach_sentiment
from analytics.store import gapsight_home
from analytics.topics import (
    DEFAULT_INTENT_KEYWORDS, DEFAULT_INTENTS, DEFAULT_KEYWORDS, DEFAULT_TOPICS, assign_labels, discover_topics,
    has_text, label_table, parse_label_table, rename_and_merge, suggest_k, topic_examples, topic_summary,
    topic_trend, topic_trend_figure, topic_volume_sentiment_figure,
)
from models.device import choose_device
from models.embeddings import load_encoder
from models.embedding_jobs import INLINE_LIMIT, advance_dataset_embeddings, embeddings_path
from models.topic_embeddings import dataset_embeddings, is_cached, label_embeddings
from models.zeroshot import keyword_matches
from pages import shared
from pages.topics_panels import classifier_tags, embedding_status

LABELS_OF = "topics_labels_of"  # (dataset id, scheme) -> {"table", "threshold", "multi_label", "rev"}
K_OF = "topics_k_of"  # dataset id -> k submitted in the Discover form
RENAMES_OF = "topics_renames_of"  # (dataset id, version, k) -> {automatic name: new name}
# scheme -> (column, multi-label column, descriptions, keywords, default threshold, several labels per row)
SCHEMES = {"intents": ("intent", "intents", DEFAULT_INTENTS, DEFAULT_INTENT_KEYWORDS, 0.25, False),
           "topics": ("topic", "topics", DEFAULT_TOPICS, DEFAULT_KEYWORDS, 0.30, True)}
TASK_OF = {"intents": "intent", "topics": "topic"}  # the fine-tuned model's task that replaces zero-shot
NUMBER, PERCENT = st.column_config.NumberColumn(format="%.1f"), st.column_config.NumberColumn(format="percent")


@st.cache_resource(show_spinner="Loading the MiniLM encoder…")
def _encoder():
    return load_encoder()


def _vectors(info, progress=None):
    rows = shared.dataset_rows(info)
    return dataset_embeddings(rows["record_id"].tolist(), rows["text"].tolist(), progress=progress,
                              cache_path=embeddings_path(info),
                              device=choose_device(), encoder=_encoder())


@st.cache_data(show_spinner="Tagging every interaction…", max_entries=8)
def _tags(home, dataset_id, version, scheme, descriptions, keywords, threshold, multi_label, _info):
    rows = shared.dataset_rows(_info)
    labels = label_embeddings(dict(descriptions), device=choose_device(), encoder=_encoder())
    tags = assign_labels(_vectors(_info) @ labels.T, [label for label, _ in descriptions], threshold=threshold,
                         multi_label=multi_label,
                         keyword_hits=keyword_matches(rows["text"].tolist(), dict(keywords)) if keywords else None)
    tags = tags.rename(columns=dict(zip(("label", "labels"), SCHEMES[scheme][:2])))
    return tags.assign(record_id=rows["record_id"].to_numpy())[has_text(rows).to_numpy()]


@st.cache_data(show_spinner="Clustering the embeddings…", max_entries=8)
def _discover(home, dataset_id, version, k, _info):
    rows = shared.dataset_rows(_info)
    mask = has_text(rows).to_numpy()
    found = discover_topics(_vectors(_info)[mask], rows.loc[mask, "text"].tolist(), k=k)
    return found, rows.loc[mask, "record_id"].tolist()


def _labels_form(dataset_id, scheme):
    _, _, descriptions, keywords, threshold, multi = SCHEMES[scheme]
    defaults = {"table": label_table(descriptions, keywords), "threshold": threshold, "multi_label": multi}
    saved = st.session_state.setdefault(LABELS_OF, {})
    current = saved.setdefault((dataset_id, scheme), {**defaults, "rev": 0})
    rev = current["rev"]  # a new revision draws fresh widgets from the stored table
    with st.expander(f"Edit the {scheme}: labels, descriptions, keywords, threshold"), \
            st.form(f"topics_{scheme}_form", border=False):
        table = st.data_editor(current["table"], num_rows="dynamic", hide_index=True, width="stretch",
                               key=f"topics_{scheme}_editor_{rev}", column_config={
                                   "description": st.column_config.TextColumn(width="large"),
                                   "keywords": st.column_config.TextColumn(help="Comma-separated; a whole-word "
                                                                           "match assigns the label.")})
        left, right = st.columns(2)
        minimum = left.slider("Minimum similarity", 0.0, 0.8, current["threshold"], 0.01,
                              key=f"topics_{scheme}_threshold_{rev}",
                              help="Interactions less similar than this to every label are 'other'.")
        several = right.toggle(f"Several {scheme} per interaction", current["multi_label"],
                               key=f"topics_{scheme}_multi_{rev}")
        apply, reset = st.columns(2)
        if apply.form_submit_button("Apply", type="primary", width="stretch"):
            try:
                parse_label_table(table)
                saved[(dataset_id, scheme)] = {"table": table.reset_index(drop=True), "threshold": minimum,
                                               "multi_label": several, "rev": rev + 1}
            except ValueError as error:
                st.error(str(error))
        if reset.form_submit_button("Reset to defaults", width="stretch"):
            saved[(dataset_id, scheme)] = {**defaults, "rev": rev + 1}
    return saved[(dataset_id, scheme)]


def _render_view(frame, column, key, subtitle):
    summary = topic_summary(frame, topic_column=column)
    st.plotly_chart(topic_volume_sentiment_figure(summary, subtitle=subtitle), key=f"topics_{key}_bubble")
    st.dataframe(summary, hide_index=True, width="stretch", column_config={"share": PERCENT, "pct_negative": NUMBER,
                 "pct_positive": NUMBER, "net_sentiment": NUMBER, "mean_rating": NUMBER})
    freq = "W" if st.segmented_control("Trend per", ["Week", "Month"], default="Month",
                                       key=f"topics_{key}_freq") == "Week" else "M"
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


def _progress(text):
    bar = st.progress(0.0, text=text)
    return bar, lambda done, total: bar.progress(done / max(total, 1), text=f"{text} {done:,} of {total:,}")


store = shared.get_store()
info = shared.require_dataset(store)
st.title("Topics & intents")
shared.require_text(info, needs="Topics and intents need")

rows = shared.dataset_rows(info)
if len(rows) <= INLINE_LIMIT and not is_cached(embeddings_path(info), rows["record_id"].tolist()):
    bar, progress = _progress("Embedding every interaction with MiniLM, once per dataset version:")
    _vectors(info, progress=progress)
    bar.empty()
elif not advance_dataset_embeddings(info, rows).ready:
    st.info("Topics and intents appear once every interaction is embedded: once per dataset version, about "
            "5 minutes per 20,000 texts on a 2-core CPU, seconds on a GPU. It runs in the background; the other "
            "pages work meanwhile.", icon=":material/hourglass_top:")
    embedding_status(info, rows)
    st.stop()
sentiment, sentiment_name = shared.sentiment_predictions(store, info)
frame = attach_sentiment(shared.filtered_rows(info), sentiment)
frame = frame[has_text(frame)]
st.caption(f"{info.name} · {shared.current_filters().describe()} · {len(frame):,} interactions with text · "
           f"sentiment: {sentiment_name}")
if frame.empty:
    st.warning("No interaction with text matches the filters. Widen the date range or clear the filters.")
    st.stop()

key = (str(gapsight_home()), info.id, info.version)
tabs = st.tabs(["Intents", "Topics & dimensions", "Discover"])
for tab, scheme in zip(tabs, SCHEMES):
    with tab:
        tags, model = classifier_tags(store, info, rows, task=TASK_OF[scheme], column=SCHEMES[scheme][0],
                                      key=f"topics_{scheme}_model")
        if model is not None:
            _render_view(frame.merge(tags, on="record_id"), SCHEMES[scheme][0], scheme,
                         f"{scheme}: fine-tuned classifier '{model.name}' · sentiment: {sentiment_name}")
            continue
        labels = _labels_form(info.id, scheme)
        parsed = parse_label_table(labels["table"])
        tags = _tags(*key, scheme, tuple(parsed.descriptions.items()), tuple(parsed.keywords.items()),
                     labels["threshold"], labels["multi_label"], _info=info)
        _render_view(frame.merge(tags, on="record_id"), SCHEMES[scheme][int(labels["multi_label"])], scheme,
                     f"{scheme}: MiniLM similarity ≥ {labels['threshold']:.2f} to the descriptions or a keyword "
                     f"· sentiment: {sentiment_name}")
with tabs[2]:
    n_texts = int(has_text(rows).sum())  # clusters are found over the whole dataset; filters only select
    largest, k_of = max(2, min(30, n_texts - 1)), st.session_state.setdefault(K_OF, {})
    with st.form("topics_discover_form", border=False):
        chosen_k = st.slider("Number of topics (k)", 2, largest, min(k_of.get(info.id, suggest_k(n_texts)), largest),
                             key="topics_k")
        if st.form_submit_button("Find topics", type="primary"):
            k_of[info.id] = chosen_k
    k = min(k_of.get(info.id, suggest_k(n_texts)), largest)
    try:
        found, record_ids = _discover(*key, k, _info=info)
    except ValueError as error:
        st.error(str(error))
        st.stop()
    st.caption(f"k-means on the MiniLM embeddings, k = {k} · silhouette "
               f"{'n/a' if found.silhouette is None else f'{found.silhouette:.2f}'} (on ≤ 2,000 interactions; "
               "−1 to 1, higher is better separated) · keywords by class-based TF-IDF")
    for warning in found.warnings:
        st.warning(warning)
    renames = st.session_state.setdefault(RENAMES_OF, {}).setdefault((info.id, info.version, k), {})
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
    _render_view(frame.merge(pd.DataFrame({"record_id": record_ids, "discovered": named.tolist()}), on="record_id"),
                 "discovered", "discover", f"discovered topics (k-means, k = {k}) · sentiment: {sentiment_name}")
