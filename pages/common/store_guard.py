"""The app's first guard: open the store, or say that another Gapsight process holds it and stop the run."""
from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

from analytics.home import gapsight_home
from analytics.store.database import DB_FILENAME, Store
from pages.common.loaders import get_store
from pages.common.widgets import plain_label


def store_in_use_message(path: Path | str, cause: str = "") -> str:
    """What to tell a user whose store file ``path`` is held by another process (``cause``: the lock error's text).

    >>> store_in_use_message("/h/gapsight.duckdb", "Conflicting lock is held in /usr/bin/python3 (PID 42)")[:47]
    'The Gapsight store /h/gapsight.duckdb is in use'
    """
    pid = re.search(r"\(PID (\d+)\)", cause)
    holder = f"another Gapsight process (PID {pid.group(1)})" if pid else "another Gapsight process"
    return (f"The Gapsight store {path} is in use by {holder}: only one app can open it at a time. "
            "Close the other Gapsight, then reload this page; or start this one with another "
            "GAPSIGHT_HOME (`GAPSIGHT_HOME=/another/folder python app.py`).")


def open_store_or_stop() -> Store:
    """The process's store; when the file cannot be opened, an ``st.error`` saying why and ``st.stop()``.

    ``st.cache_resource`` keeps no failure, so the next run (a reload once the other process has
    closed) opens the store again.
    """
    try:
        return get_store()
    except ValueError as error:
        cause = str(error.__cause__ or "")
        if "lock" in cause.lower():  # DuckDB: "Could not set lock on file …: Conflicting lock is held in …"
            st.error(store_in_use_message(gapsight_home() / DB_FILENAME, cause), icon=":material/lock:")
        else:
            st.error(plain_label(str(error)), icon=":material/error:")
        st.stop()
