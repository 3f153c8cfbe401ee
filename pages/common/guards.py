"""Guards at the top of pages: stop with a message and a way forward when a page cannot run."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.store.database import DatasetInfo, Store
from pages.common.frame import active_dataset
from pages.common.keys import DATA_PAGE


def require_dataset(store: Store) -> DatasetInfo:
    """Guard for analysis pages: stop with a pointer to the Data page when nothing is loaded."""
    info = active_dataset(store)
    if info is None:
        st.info("There is no dataset yet. Import a CSV, Excel, Parquet or JSON-lines file on the Data page.")
        st.page_link(DATA_PAGE, label="Go to Data", icon=":material/upload_file:")
        st.stop()
    return info


def require_text(info: DatasetInfo, *, needs: str) -> None:
    """Guard for text analyses: stop with a pointer to re-mapping when no text column is mapped."""
    if not info.mapping.get("text"):
        st.info(f"{needs} a text column. Map one on the Data page (Re-map tab).")
        st.page_link(DATA_PAGE, label="Go to Data", icon=":material/database:")
        st.stop()


def require_rows(frame: pd.DataFrame, *, what: str = "interaction") -> None:
    """Guard for filtered views: stop with advice when the filters leave nothing to show."""
    if frame.empty:
        st.warning(f"No {what} matches the filters. Widen the date range or clear the filters in the sidebar.")
        st.stop()
