"""The frame every page shares: first-start demo, finished-job sync, dataset picker and global filters."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from analytics.demo.sample import DEMO_SETTING, seed_demo_once
from analytics.insights.filters import Filters, apply_filters, without_full_date_range
from analytics.store.database import DatasetInfo, Store
from analytics.store.segments import list_segmentations
from pages.common import keys
from pages.common.loaders import dataset_filter_options, dataset_rows, get_store, saved_members
from pages.common.widgets import ProgressBar, plain_label


def alias_page(target: st.Page, url_path: str) -> st.Page:
    """A hidden page at another path that opens ``target`` (old bookmarks, guessable names)."""

    def open_target() -> None:
        st.switch_page(target)

    open_target.__name__ = f"alias_{url_path.replace('-', '_')}"  # pages made from functions are told apart by name
    return st.Page(open_target, title=target.title, url_path=url_path, visibility="hidden")


def seed_demo(store: Store) -> None:
    """Import the generated demo dataset on the very first start, with a progress bar, and score its sentences:
    a manager's first Overview then shows what to do first without a visit to another page."""
    from models.flows.sentence_scoring import ensure_sentence_scores

    if store.get_setting("demo_seeded") == "yes":
        return
    bar = ProgressBar("Preparing the demo dataset (first start only)…")
    info = seed_demo_once(store, progress=bar.fraction)
    if info is not None:
        bar.empty()
        bar = ProgressBar("Reading the demo's sentences for what to do first (first start only):")
        ensure_sentence_scores(store, info, store.load_rows(info.id), progress=bar.count)
    bar.empty()


def sync_jobs(store: Store) -> None:
    """Register models and import predictions of jobs that finished since the last run (once per script run);
    then size the app's torch threads to what a computing CPU job leaves (issue 13)."""
    from models.flows.sync import sync_finished_jobs
    from models.threads import budget_app_threads

    report = sync_finished_jobs(store)
    budget_app_threads()
    for model in report.registered:
        st.toast(plain_label(f"Model '{model.name}' ({model.task}) is ready."), icon=":material/check_circle:")
    for problem in report.problems:
        st.toast(plain_label(problem), icon=":material/warning:")


NO_SEGMENTATION = "none"  # the segmentation picker's "None" (segmentation ids start with "seg-")
LAST_DATASET_SETTING = "last_chosen_dataset"  # in the store: a new browser session opens it again


def select_dataset(dataset_id: str | None) -> None:
    """Make a dataset the active one from any page (applied on the next rerun)."""
    st.session_state[keys.PENDING_DATASET] = dataset_id or ""


def active_dataset(store: Store) -> DatasetInfo | None:
    """The dataset picked in the frame, or None when the store is empty."""
    dataset_id = st.session_state.get(keys.ACTIVE_DATASET)
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
    pending = st.session_state.get(keys.PENDING_DATASET)
    if pending is not None:
        st.session_state[keys.ACTIVE_DATASET] = pending if pending in ids else None
        st.session_state[keys.PENDING_DATASET] = None
        _remember_choice(store)
    if st.session_state.get(keys.ACTIVE_DATASET) not in ids:
        st.session_state[keys.ACTIVE_DATASET] = _opening_dataset(store, ids)
    with st.sidebar:
        if not ids:
            st.caption("No dataset yet: import one on the Data page.")
            return
        st.selectbox("Dataset", ids, format_func=lambda i: names.get(i, i), key=keys.ACTIVE_DATASET,
                     on_change=_remember_choice, args=(store,))
        info = store.get_dataset(st.session_state[keys.ACTIVE_DATASET])
        _render_filters(store, info)


def _opening_dataset(store: Store, ids: list[str]) -> str | None:
    """What a new browser session opens: the dataset last chosen, else the demo, else the newest."""
    for candidate in (store.get_setting(LAST_DATASET_SETTING), store.get_setting(DEMO_SETTING)):
        if candidate in ids:
            return candidate
    return ids[0] if ids else None


def _remember_choice(store: Store) -> None:
    chosen = st.session_state.get(keys.ACTIVE_DATASET)
    if chosen:
        store.set_setting(LAST_DATASET_SETTING, chosen)


def _render_filters(store: Store, info: DatasetInfo) -> None:
    options = dataset_filter_options(info)
    if st.session_state.get(keys.FILTERS_OF) != (info.id, info.version):
        # A different dataset (or a re-mapped one) has other values: start from "everything".
        for key in (keys.FILTER_CATEGORIES, keys.FILTER_CHANNELS, keys.FILTER_PRODUCTS, keys.FILTER_SEGMENTS):
            st.session_state[key] = []
        st.session_state[keys.FILTER_SEGMENTATION] = NO_SEGMENTATION
        st.session_state[keys.FILTER_DATES] = (
            (options.date_min, options.date_max) if options.date_min else ())
        st.session_state[keys.FILTERS_OF] = (info.id, info.version)
        st.session_state[keys.OVERVIEW_DRILL] = None
    _restore_dropped_filters(info)
    st.subheader("Filters")
    if options.date_min:
        st.date_input("Date range", min_value=options.date_min, max_value=options.date_max,
                      key=keys.FILTER_DATES, format="YYYY-MM-DD")
    for label, key, values in (("Category", keys.FILTER_CATEGORIES, options.categories),
                               ("Channel", keys.FILTER_CHANNELS, options.channels),
                               ("Product", keys.FILTER_PRODUCTS, options.products)):
        if values:
            st.multiselect(label, values, key=key, placeholder="All")
    _segment_filter(store, info)
    st.session_state[keys.FILTERS_KEPT] = {"of": (info.id, info.version),
                                           "values": {k: st.session_state.get(k) for k in _FILTER_KEYS}}
    if not current_filters().is_empty and st.button("Clear filters", width="stretch"):
        st.session_state[keys.FILTERS_OF] = None
        st.rerun()


_FILTER_KEYS = (keys.FILTER_DATES, keys.FILTER_CATEGORIES, keys.FILTER_CHANNELS, keys.FILTER_PRODUCTS,
                keys.FILTER_SEGMENTATION, keys.FILTER_SEGMENTS)


def _restore_dropped_filters(info: DatasetInfo) -> None:
    """Put back the filter widgets' values when Streamlit dropped them: a page that calls ``st.switch_page``
    (an alert on the Overview) ends its run early, and the next page then drew the date range as one date."""
    kept = st.session_state.get(keys.FILTERS_KEPT)
    if not kept or kept["of"] != (info.id, info.version):
        return
    for key, value in kept["values"].items():
        if st.session_state.get(key) is None and value is not None:
            st.session_state[key] = value


def _segment_filter(store: Store, info: DatasetInfo) -> None:
    """Pick a saved segmentation, then its segments; a segmentation deleted meanwhile clears the filter."""
    saved = {s.segmentation_id: s for s in list_segmentations(store, info.id)}
    chosen = st.session_state.get(keys.FILTER_SEGMENTATION) or NO_SEGMENTATION
    if chosen != NO_SEGMENTATION and chosen not in saved:
        st.session_state[keys.FILTER_NOTE] = ("The segmentation the segment filter used was deleted, so the "
                                              "filter was cleared.")
        st.session_state[keys.FILTER_SEGMENTATION], st.session_state[keys.FILTER_SEGMENTS] = NO_SEGMENTATION, []
    if st.session_state.get(keys.FILTER_NOTE):  # said once, on the run that cleared the filter
        st.caption(st.session_state[keys.FILTER_NOTE])
        st.session_state[keys.FILTER_NOTE] = ""
    if not saved:
        return
    names = {NO_SEGMENTATION: "None", **{sid: s.name for sid, s in saved.items()}}
    picked = st.selectbox("Segmentation", list(names), format_func=names.get, key=keys.FILTER_SEGMENTATION,
                          help="Saved on the Segments page; pick segments to see their customers on every page.")
    if picked == NO_SEGMENTATION:
        st.session_state[keys.FILTER_SEGMENTS] = []
        return
    segment_names = list(dict.fromkeys(saved[picked].segment_names.values()))
    st.session_state[keys.FILTER_SEGMENTS] = [v for v in st.session_state.get(keys.FILTER_SEGMENTS) or []
                                              if v in segment_names]
    st.session_state[keys.SEGMENTATION_NAME] = saved[picked].name
    st.multiselect("Segment", segment_names, key=keys.FILTER_SEGMENTS, placeholder="All")


def current_filters() -> Filters:
    """The global filters as the frame's widgets hold them."""
    dates = st.session_state.get(keys.FILTER_DATES) or ()
    date_from = dates[0] if len(dates) >= 1 else None
    date_to = dates[1] if len(dates) >= 2 else None
    return Filters(
        date_from=date_from if isinstance(date_from, date) else None,
        date_to=date_to if isinstance(date_to, date) else None,
        categories=tuple(st.session_state.get(keys.FILTER_CATEGORIES) or ()),
        channels=tuple(st.session_state.get(keys.FILTER_CHANNELS) or ()),
        products=tuple(st.session_state.get(keys.FILTER_PRODUCTS) or ()),
        segments=tuple(st.session_state.get(keys.FILTER_SEGMENTS) or ()) if st.session_state.get(
            keys.FILTER_SEGMENTATION, NO_SEGMENTATION) != NO_SEGMENTATION else (),
        segmentation=st.session_state.get(keys.SEGMENTATION_NAME) or "",
    )


def _members(filters: Filters) -> pd.Series | None:
    segmentation_id = st.session_state.get(keys.FILTER_SEGMENTATION)
    return saved_members(get_store(), segmentation_id) if filters.segments else None


def filtered_rows(info: DatasetInfo) -> pd.DataFrame:
    """The active dataset's rows under the global filters; dates only when narrower than the data."""
    filters = without_full_date_range(current_filters(), dataset_filter_options(info))
    return apply_filters(dataset_rows(info), filters, _members(filters))


def undated_filtered_rows(info: DatasetInfo) -> pd.DataFrame:
    """The active dataset's rows under every global filter but the dates: the history a period is compared with."""
    filters = replace(current_filters(), date_from=None, date_to=None)
    return apply_filters(dataset_rows(info), filters, _members(filters))
