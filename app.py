"""Gapsight entry point: page setup, the shared frame and navigation."""
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import streamlit as st  # noqa: E402  (the offline flag must be set before any hub import)

from pages import shared  # noqa: E402

st.set_page_config(page_title="Gapsight", page_icon=":material/insights:", layout="wide")
shared.init_state()
store = shared.get_store()
shared.seed_demo(store)

# Every url_path differs from its file's name on purpose: Streamlit still knows the legacy
# `pages/` folder, and a request for a page whose path matches a file there would run that
# file alone, without this frame (tests/pages/test_pages.py::test_frame_survives_reruns).
navigation = st.navigation({
    "Overview": [st.Page(shared.OVERVIEW_PAGE, title="Overview", icon=":material/dashboard:",
                         url_path="home", default=True)],
    "Analyze": [st.Page(shared.SENTIMENT_PAGE, title="Sentiment", icon=":material/sentiment_satisfied:",
                        url_path="text-sentiment"),
                st.Page(shared.TOPICS_PAGE, title="Topics & intents", icon=":material/topic:",
                        url_path="topics-intents")],
    "Manage": [st.Page(shared.DATA_PAGE, title="Data", icon=":material/database:", url_path="datasets"),
               st.Page(shared.MODELS_PAGE, title="Models", icon=":material/model_training:",
                       url_path="model-registry")],
})
shared.render_frame(store)
navigation.run()
