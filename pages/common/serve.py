"""`python app.py`: serve the app with `st.navigation` in charge from the very first run.

Streamlit treats an app whose folder holds a `pages/` directory as a legacy (v1) multipage app
until its first `st.navigation` call, so on a freshly started server the first deep link
(`/sentiment`, `/datasets`) showed a "Page not found" modal over the right page. Clearing the
flag in the serving process before any session starts removes that first-run detour.
"""
import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli


def serve(script: str, options: list[str]) -> None:
    """Run `streamlit run script *options` in this process, pages directory ignored."""
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", script, *options]
    sys.exit(cli.main())
