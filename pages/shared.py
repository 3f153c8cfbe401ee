"""Streamlit glue shared by every page: session keys, cached loaders, the frame and its filters."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analytics.export import to_csv_bytes, to_xlsx_bytes
from analytics.filters import FilterOptions, Filters, apply_filters, filter_options, without_full_date_range
from analytics.labels import apply_labels, load_labels
from analytics.predictions import LEXICON_MODEL_ID, load_predictions
from analytics.sample import seed_demo_once
from analytics.store import DatasetInfo, Store, gapsight_home

# Session-state keys: every page reads and writes state through these names only.
ACTIVE_DATASET = "active_dataset"
PENDING_DATASET = "pending_dataset"  # set by pages, applied before the picker is drawn
FILTERS_OF = "filters_of_dataset"
FILTER_DATES = "filter_dates"
FILTER_CATEGORIES = "filter_categories"
FILTER_CHANNELS = "filter_channels"
FILTER_PRODUCTS = "filter_products"
UPLOAD = "upload"  # the uploaded file copied to disk, with its profile and mapping
IMPORT_REPORT = "import_report"
OVERVIEW_DRILL = "overview_drill"  # the clicked chart element whose verbatims the Overview lists

# Page widgets whose choice should survive a visit to another page (Streamlit drops the state of
# widgets that are not drawn; re-assigning the key on every run keeps it).
PAGE_CHOICES = {"overview_period": "Last 90 days", "overview_freq": "Week", "overview_query": "",
                "sentiment_query": ""}

DATA_PAGE = "pages/data.py"
OVERVIEW_PAGE = "pages/overview.py"
SENTIMENT_PAGE = "pages/sentiment.py"
MODELS_PAGE = "pages/models.py"
TOPICS_PAGE = "pages/topics.py"


def init_state() -> None:
    """Create every session key with its default, once per browser session."""
    defaults = {ACTIVE_DATASET: None, PENDING_DATASET: None, FILTERS_OF: None, UPLOAD: None,
                IMPORT_REPORT: None}
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)
    for key, default in PAGE_CHOICES.items():
        st.session_state[key] = st.session_state.get(key, default)


@st.cache_resource(show_spinner=False)
def _store_at(home: str) -> Store:
    return Store.open_default()


def get_store() -> Store:
    """The process-wide store for the current ``GAPSIGHT_HOME`` (one DuckDB connection)."""
    return _store_at(str(gapsight_home()))


def seed_demo(store: Store) -> None:
    """Import the generated demo dataset on the very first start, with a progress bar."""
    if store.get_setting("demo_seeded") == "yes":
        return
    bar = st.progress(0.0, text="Preparing the demo dataset (first start only)…")
    seed_demo_once(store, progress=lambda fraction, message: bar.progress(min(fraction, 1.0), text=message))
    bar.empty()


@st.cache_resource(max_entries=4, show_spinner="Loading dataset…")
def _rows(home: str, dataset_id: str, version: int) -> pd.DataFrame:
    # Shared read-only between sessions: callers filter into new frames and never mutate it.
    return get_store().load_rows(dataset_id)


def dataset_rows(info: DatasetInfo) -> pd.DataFrame:
    """All canonical rows of a dataset, cached per (dataset, version); treat as read-only."""
    return _rows(str(gapsight_home()), info.id, info.version)


@st.cache_data(max_entries=8, show_spinner=False)
def _options(home: str, dataset_id: str, version: int) -> FilterOptions:
    return filter_options(_rows(home, dataset_id, version))


def dataset_filter_options(info: DatasetInfo) -> FilterOptions:
    """Distinct dates, categories, channels and products of a dataset, computed once per version."""
    return _options(str(gapsight_home()), info.id, info.version)


def select_dataset(dataset_id: str | None) -> None:
    """Make a dataset the active one from any page (applied on the next rerun)."""
    st.session_state[PENDING_DATASET] = dataset_id or ""


def active_dataset(store: Store) -> DatasetInfo | None:
    """The dataset picked in the frame, or None when the store is empty."""
    dataset_id = st.session_state.get(ACTIVE_DATASET)
    if not dataset_id:
        return None
    try:
        return store.get_dataset(dataset_id)
    except ValueError:
        return None


def render_frame(store: Store) -> None:
    """Draw the sidebar shared by all pages: dataset picker and global filters."""
    datasets = store.list_datasets()
    ids = [d.id for d in datasets]
    names = {d.id: d.name for d in datasets}
    pending = st.session_state.get(PENDING_DATASET)
    if pending is not None:
        st.session_state[ACTIVE_DATASET] = pending if pending in ids else None
        st.session_state[PENDING_DATASET] = None
    if st.session_state.get(ACTIVE_DATASET) not in ids:
        st.session_state[ACTIVE_DATASET] = ids[0] if ids else None
    with st.sidebar:
        if not ids:
            st.caption("No dataset yet: import one on the Data page.")
            return
        st.selectbox("Dataset", ids, format_func=lambda i: names.get(i, i), key=ACTIVE_DATASET)
        info = store.get_dataset(st.session_state[ACTIVE_DATASET])
        _render_filters(info)


def _render_filters(info: DatasetInfo) -> None:
    options = dataset_filter_options(info)
    if st.session_state.get(FILTERS_OF) != (info.id, info.version):
        # A different dataset (or a re-mapped one) has other values: start from "everything".
        for key in (FILTER_CATEGORIES, FILTER_CHANNELS, FILTER_PRODUCTS):
            st.session_state[key] = []
        st.session_state[FILTER_DATES] = (
            (options.date_min, options.date_max) if options.date_min else ())
        st.session_state[FILTERS_OF] = (info.id, info.version)
        st.session_state[OVERVIEW_DRILL] = None
    st.subheader("Filters")
    if options.date_min:
        st.date_input("Date range", min_value=options.date_min, max_value=options.date_max,
                      key=FILTER_DATES, format="YYYY-MM-DD")
    for label, key, values in (("Category", FILTER_CATEGORIES, options.categories),
                               ("Channel", FILTER_CHANNELS, options.channels),
                               ("Product", FILTER_PRODUCTS, options.products)):
        if values:
            st.multiselect(label, values, key=key, placeholder="All")
    if not current_filters().is_empty and st.button("Clear filters", width="stretch"):
        st.session_state[FILTERS_OF] = None
        st.rerun()


def current_filters() -> Filters:
    """The global filters as the frame's widgets hold them."""
    dates = st.session_state.get(FILTER_DATES) or ()
    date_from = dates[0] if len(dates) >= 1 else None
    date_to = dates[1] if len(dates) >= 2 else None
    return Filters(
        date_from=date_from if isinstance(date_from, date) else None,
        date_to=date_to if isinstance(date_to, date) else None,
        categories=tuple(st.session_state.get(FILTER_CATEGORIES) or ()),
        channels=tuple(st.session_state.get(FILTER_CHANNELS) or ()),
        products=tuple(st.session_state.get(FILTER_PRODUCTS) or ()),
    )


def filtered_rows(info: DatasetInfo) -> pd.DataFrame:
    """The active dataset's rows under the global filters; dates only when narrower than the data."""
    filters = without_full_date_range(current_filters(), dataset_filter_options(info))
    return apply_filters(dataset_rows(info), filters)


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


def download_buttons(frame: pd.DataFrame, *, basename: str, key: str) -> None:
    """CSV and Excel downloads of a frame, with spreadsheet formulas neutralised."""
    left, right = st.columns(2)
    left.download_button("Download CSV", lambda: to_csv_bytes(frame), file_name=f"{basename}.csv",
                         mime="text/csv", key=f"{key}_csv", width="stretch",
                         on_click="ignore", icon=":material/download:")
    right.download_button("Download Excel", lambda: to_xlsx_bytes(frame), file_name=f"{basename}.xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key=f"{key}_xlsx", width="stretch", on_click="ignore", icon=":material/download:")


def lexicon_sentiment(store: Store, info: DatasetInfo) -> pd.DataFrame:
    """The dataset's VADER predictions, scored once (with a progress bar) the first time any page needs them."""
    from models.sentiment import ensure_lexicon_predictions  # loads the lexicon only when a page needs it

    bar = st.empty()

    def show(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Scoring sentiment with VADER (once per dataset)… {done:,} of {total:,}")

    predictions = ensure_lexicon_predictions(store, info.id, dataset_rows(info), progress=show)
    bar.empty()
    return predictions


def sentiment_predictions(store: Store, info: DatasetInfo, model_id: str | None = None) -> tuple[pd.DataFrame, str]:
    """Stored sentiment of a dataset with people's labels over it (``source`` "you"), and the model's name.

    ``model_id`` picks the model (the lexicon id for VADER); by default the fine-tuned model once it
    has scored the dataset, else VADER. This never starts a job (the Sentiment page does).
    """
    from models.default_sentiment import TASK, advance_default_sentiment  # imports torch: only when needed

    name = None
    if model_id is None:
        source = advance_default_sentiment(store, info, dataset_rows(info), start=False)
        model_id, name = source.model_id, source.model_name
    predictions = (lexicon_sentiment(store, info) if model_id == LEXICON_MODEL_ID
                   else load_predictions(store, info.id, model_id))
    return apply_labels(predictions, load_labels(store, info.id, TASK)), name or model_id
