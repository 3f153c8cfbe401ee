"""Recommendations: what to fix first and why, with the evidence behind each action; products for customers."""
import streamlit as st

from analytics.insights.recommend import SLICE_KINDS
from pages.common.expectations import gap_sources, scored_rows
from pages.common.frame import current_filters
from pages.common.guards import require_dataset
from pages.common.loaders import get_store
from pages.common.widgets import scope_caption
from pages.panels.gap import Scale
from pages.panels.recommendations import action_ranking, actions_panel, navigate_if_asked, products_panel

navigate_if_asked()
store = get_store()
info = require_dataset(store)
st.title("Recommendations")
rows, _, segments_from = scored_rows(store, info)
scale = Scale(info.rating_scale)
scope_caption(info, current_filters().describe(), len(rows), "interactions",
              [f"segments from '{segments_from}'"] if segments_from else [])

actions_tab, products_tab = st.tabs(["What to fix first", "Products for customers"])
with actions_tab:
    left, middle, right = st.columns([2, 2, 1])
    usable = {s.key: s for s in gap_sources(store, info) if s.available}
    if st.session_state.get("rec_gap_source") not in usable:
        st.session_state.pop("rec_gap_source", None)
    key = left.selectbox("Expectation gap from", list(usable), key="rec_gap_source",
                         format_func=lambda k: usable[k].label) if usable else None
    kinds = [k for k in SLICE_KINDS if k == "all" or (k in rows.columns and rows[k].notna().any())]
    slices = middle.multiselect("Actions for", kinds, default=kinds, key="rec_slices",
                                format_func=lambda k: "all interactions" if k == "all" else f"each {k}")
    min_n = right.number_input("Minimum mentions", 5, 1000, 30, step=5, key="rec_min_n",
                               help="Actions with fewer mentions behind them are left out (and counted).")
    try:
        ranking = action_ranking(store, info, rows, min_n=min_n, source_key=key, slices=tuple(slices or kinds))
    except ValueError as error:
        st.info(str(error), icon=":material/info:")
        ranking = None
    if ranking is None:
        st.info("Actions come from what the texts complain about: map a text column on the Data page.",
                icon=":material/info:")
    elif ranking.actions.empty:
        st.info(f"No action has {min_n} or more mentions in this selection: widen the filters or lower the minimum.",
                icon=":material/info:")
    else:
        actions_panel(ranking, source_key=key, span=scale.span, unit=scale.unit)
with products_tab:
    products_panel(store, info, rows)
