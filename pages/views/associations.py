"""Associations: FP-growth / Apriori rules over orders, customers or topics, readable and traceable to verbatims."""
import streamlit as st

from analytics.home import gapsight_home
from analytics.insights.baskets import BASKET_KINDS, ORDER_ITEMS, supported_kinds
from analytics.insights.rules import ALGORITHMS
from analytics.insights.segments import SOURCE_PREFIX
from analytics.store.rules import save_rules
from pages.common import keys
from pages.common.frame import current_filters, filtered_rows
from pages.common.guards import require_dataset, require_rows
from pages.common.loaders import get_store, source_numbers, stored_tags
from pages.common.widgets import plain_label, scope_caption
from pages.panels.associations import basket_report, cached_baskets, cached_rules, rules_view

ALGORITHM_NAMES = {"fpgrowth": "FP-growth (fast)", "apriori": "Apriori (classic)"}

store = get_store()
info = require_dataset(store)
st.title("Associations")
rows = filtered_rows(info)
require_rows(rows)
rows = rows.merge(source_numbers(info), on="_row", how="left")
tags_by_task = stored_tags(store, info)
scope_caption(info, current_filters().describe(), len(rows), "interactions",
              [f"tags: {', '.join(tags_by_task)}" if tags_by_task else "no intent or topic model has tagged this "
               "dataset yet, so topic baskets are not available"])

task = None
if len(tags_by_task) > 1:
    task = st.radio("Tags for topic baskets", list(tags_by_task), horizontal=True, key="rules_tag_task")
elif tags_by_task:
    task = next(iter(tags_by_task))
tags = tags_by_task.get(task) if task else None
kinds = supported_kinds(rows, tags=tags)
usable = [k.kind for k in kinds if k.supported]
for kind in kinds:
    if not kind.supported:
        st.caption(f"{kind.label}: {kind.hint}.")
if not usable:
    st.info("Rules need baskets: orders with items, customers with products, or interactions tagged with topics. "
            "Map an order and an item column, or a customer and a product column, on the Data page.",
            icon=":material/info:")
    st.page_link(keys.DATA_PAGE, label="Go to Data", icon=":material/database:")
    st.stop()

kind = st.radio("Baskets", usable, format_func=lambda k: BASKET_KINDS[k].label, horizontal=True, key="rules_kind")
quantities = [c for c in rows.columns if c.startswith(SOURCE_PREFIX)]
quantity = None
if kind == ORDER_ITEMS and quantities:
    guess = next((i for i, c in enumerate(quantities, 1) if "qty" in c.lower() or "quant" in c.lower()), 0)
    quantity = st.selectbox("Quantity column (lines with zero or less are returns and are set aside)",
                            [None, *quantities], index=guess, format_func=lambda c: "none" if c is None else c)
key = (str(gapsight_home()), info.id, info.version, current_filters().describe(), task)
try:
    baskets = cached_baskets(key, kind, quantity, rows, tags)
except ValueError as error:  # e.g. every line is a cancellation or a return
    st.error(plain_label(error), icon=":material/error:")
    st.stop()
basket_report(baskets)

with st.form("rules_form"):
    left, middle, right = st.columns(3)
    algorithm = left.selectbox("Algorithm", ALGORITHMS, format_func=ALGORITHM_NAMES.get)
    min_support = middle.number_input("Min support (% of baskets)", 0.01, 100.0, 1.0, step=0.5, format="%.2f")
    max_len = right.selectbox("Max items per rule", [2, 3, 4, 5, None], index=1,
                              format_func=lambda v: "no limit" if v is None else str(v))
    left, middle, _ = st.columns(3)
    min_confidence = left.number_input("Min confidence", 0.0, 1.0, 0.1, step=0.05)
    min_lift = middle.number_input("Min lift", 0.0, 1000.0, 1.0, step=0.5)
    if st.form_submit_button("Mine rules", type="primary"):
        st.session_state[keys.RULES_RUN] = {"key": key, "kind": kind, "quantity": quantity, "params": (
            ("algorithm", algorithm), ("min_support", min_support / 100), ("max_len", max_len),
            ("min_confidence", float(min_confidence)), ("min_lift", float(min_lift)))}
run = st.session_state.get(keys.RULES_RUN)
if not run or (run["key"], run["kind"], run["quantity"]) != (key, kind, quantity):
    st.caption("Choose the thresholds and mine: min support 1 % suits most order data; raise it when the "
               "page says the search is too large.")
    st.stop()
try:
    result = cached_rules(key, kind, quantity, run["params"], baskets)
except ValueError as error:  # no frequent item, a search too large, the time limit: each says what to change
    st.error(plain_label(error), icon=":material/error:")
    st.stop()
if run.get("saved") != run["params"]:
    save_rules(store, info.id, info.version, kind, result.rules, dict(run["params"]) | {"filters": key[3]})
    run["saved"] = run["params"]
st.caption("These rules are stored with the dataset for the recommendations.")
rules_view(result, rows, baskets, basename=f"rules_{kind}_{info.name}")
