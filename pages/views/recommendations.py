"""Recommendations: what to fix first and why, with the evidence behind each action; products for customers;
reply strategies for open interactions in priority order; the view as an HTML report."""
import streamlit as st

from pages.common import keys
from pages.common.expectations import scored_rows
from pages.common.frame import current_filters
from pages.common.guards import require_dataset
from pages.common.loaders import get_store
from pages.common.widgets import scope_caption
from pages.panels.alerts import severe_alerts
from pages.panels.gap import Scale, gaps_in_units, largest_gaps_found
from pages.panels.recommendations import navigate_if_asked, products_panel, what_to_fix_first
from pages.panels.replies import replies_panel
from pages.panels.report import report_button

navigate_if_asked()
store = get_store()
info = require_dataset(store)
st.title("Recommendations")
rows, _, segments_from = scored_rows(store, info)
scale = Scale(info.rating_scale)
scope_caption(info, current_filters().describe(), len(rows), "interactions",
              [f"segments from '{segments_from}'"] if segments_from else [])

# Only the open tab runs: products and replies cost seconds the first time, and a manager comes for the actions.
actions_tab, products_tab, replies_tab = st.tabs(["What to fix first", "Products for customers", "Reply strategies"],
                                                 key=keys.REC_TAB, on_change="rerun")
if actions_tab.open:
    with actions_tab:
        ranking = what_to_fix_first(store, info, rows, scale)
        found = largest_gaps_found(store, info, rows)
        report_button(store, info, rows, key="rec_report", scope=f"{current_filters().describe()} · {len(rows):,} "
                      "interactions", ranking=ranking, gaps=gaps_in_units(*found) if found else None,
                      alerts=severe_alerts(store, info))
if products_tab.open:
    with products_tab:
        products_panel(store, info, rows)
if replies_tab.open:
    with replies_tab:
        replies_panel(store, info, rows)
