"""Gapsight entry point: page setup, the shared frame and navigation."""
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import sys  # noqa: E402

import streamlit as st  # noqa: E402  (the offline flag must be set before any hub import)
from streamlit.runtime.scriptrunner import get_script_run_ctx  # noqa: E402

if __name__ == "__main__" and get_script_run_ctx() is None:  # `python app.py [streamlit options]`
    from pages.common.serve import serve

    serve(__file__, sys.argv[1:])

from pages.common import keys
from pages.common.frame import alias_page, render_frame, seed_demo, sync_jobs
from pages.common.store_guard import open_store_or_stop

st.set_page_config(page_title="Gapsight", page_icon=":material/insights:", layout="wide")
keys.init_state()
store = open_store_or_stop()  # another process holding the DuckDB file: say so and stop
seed_demo(store)
sync_jobs(store)  # once per script run: finished jobs' models and predictions enter the store

pages = {path: st.Page(path, title=title, icon=icon, url_path=url, default=path == keys.OVERVIEW_PAGE)
         for section in keys.NAVIGATION.values() for path, title, icon, url in section}
navigation = st.navigation({
    name: [pages[path] for path, *_ in section]
    + [alias_page(pages[target], url) for url, target in keys.URL_ALIASES.items() if target in {p for p, *_ in section}]
    for name, section in keys.NAVIGATION.items()
})
render_frame(store)
navigation.run()
