"""Topics & intents: zero-shot intents and service dimensions, discovered topics, volume × sentiment, trends."""
import streamlit as st

from analytics.home import gapsight_home
from analytics.insights.sentiment import attach_sentiment
from analytics.insights.topics import TAG_SCHEMES, discover_dataset_topics, has_text, parse_label_table
from models.flows.embedding_jobs import INLINE_LIMIT, advance_dataset_embeddings
from pages.common.embeddings import dataset_vectors, encoder_label, has_vectors, zero_shot_tags
from pages.common.frame import current_filters, filtered_rows
from pages.common.guards import require_dataset, require_rows, require_text
from pages.common.loaders import dataset_rows, get_store, model_caption, sentiment_predictions
from pages.common.widgets import ProgressBar, scope_caption
from pages.panels.topics import classifier_tags, discover_panel, embedding_status, labels_form, topic_view


@st.cache_data(show_spinner="Clustering the embeddings…", max_entries=8)
def _discover(home, dataset_id, version, k, _info):
    return discover_dataset_topics(dataset_rows(_info), dataset_vectors(_info), k=k)


store = get_store()
info = require_dataset(store)
st.title("Topics & intents")
require_text(info, needs="Topics and intents need")

rows = dataset_rows(info)
if len(rows) <= INLINE_LIMIT and not has_vectors(info):
    bar = ProgressBar(f"Embedding every interaction with {encoder_label(info)}, once per dataset version:")
    dataset_vectors(info, progress=bar.count)
    bar.empty()
elif not advance_dataset_embeddings(info, rows).ready:
    st.info("Topics and intents appear once every interaction is embedded: once per dataset version, about "
            "1.5 minutes per 20,000 texts on an idle 2-core CPU (measured: 260 texts/s; longer while other jobs "
            "run), seconds on a GPU. It runs in the background; the other pages work meanwhile.",
            icon=":material/hourglass_top:")
    embedding_status(info, rows)
    st.stop()
sentiment, sentiment_name = sentiment_predictions(store, info)
frame = attach_sentiment(filtered_rows(info), sentiment)
frame = frame[has_text(frame)]
scope_caption(info, current_filters().describe(), len(frame), "interactions with text",
              [f"sentiment: {sentiment_name}"])
require_rows(frame, what="interaction with text")

key = (str(gapsight_home()), info.id, info.version)
tabs = st.tabs(["Intents", "Topics & dimensions", "Discover"])
for tab, scheme in zip(tabs, TAG_SCHEMES.values()):
    with tab:
        tags, model = classifier_tags(store, info, rows, task=scheme.task, column=scheme.column)
        if model is not None:
            topic_view(frame.merge(tags, on="record_id"), scheme.column, scheme.name,
                       f"{scheme.name}: trained classifier {model_caption(store, model, '')} · "
                       f"sentiment: {sentiment_name}")
            continue
        labels = labels_form(info.id, scheme)
        parsed = parse_label_table(labels["table"])
        tags = zero_shot_tags(*key, scheme.name, tuple(parsed.descriptions.items()), tuple(parsed.keywords.items()),
                     labels["threshold"], labels["multi_label"], _info=info)
        topic_view(frame.merge(tags, on="record_id"), scheme.result_column(labels["multi_label"]), scheme.name,
                   f"{scheme.name}: {encoder_label(info)} similarity ≥ {labels['threshold']:.2f} to the descriptions or a keyword "
                   f"· sentiment: {sentiment_name}")
with tabs[2]:
    discover_panel(info, rows, frame, lambda k: _discover(*key, k, _info=info), sentiment_name)
