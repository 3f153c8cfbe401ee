"""The Data page's survey-construct mapping: several columns measure expectation, several experience."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.insights.constructs import (
    CONSTRUCT_NAMES,
    Construct,
    ConstructItem,
    detect_item_range,
    suggest_constructs,
)
from analytics.store.constructs import load_constructs, save_constructs
from analytics.store.database import DatasetInfo, Store
from pages.common.widgets import plain_label

LABELS = {"expectation": "Expectation items (what they expected)", "experience": "Experience items (what they got)"}


@st.cache_data(max_entries=16, show_spinner=False)
def _detected(_store: Store, dataset_id: str, version: int, column: str) -> tuple[float, float] | str:
    try:
        return detect_item_range(_store.load_raw(dataset_id, columns=[column])[column])
    except ValueError as error:
        return str(error)


def constructs_panel(store: Store, info: DatasetInfo) -> None:
    """Pick the items of each construct, check each item's range, save; the Expectation gap page reads them."""
    st.caption("A survey often asks several questions per construct (ECSI: expectation expe1–expe5, satisfaction "
               "sat1–sat4). Each item is brought to 0–1 from its own range, each construct is the mean of its "
               "items, and the gap is experience − expectation per respondent.")
    columns = [str(c) for c in info.meta.get("columns", ())]
    saved = load_constructs(store, info.id)
    current = {c.name: [i.column for i in c.items] for c in saved} or suggest_constructs(columns, info.mapping)
    ranges = {i.column: (i.low, i.high) for c in saved for i in c.items}
    if not saved and current:
        st.caption("Suggested from the item families of the columns mapped to expected and rating.")
    picked = {name: st.multiselect(LABELS[name], columns, default=[c for c in current.get(name, []) if c in columns],
                                   key=f"constructs_{name}_{info.id}") for name in CONSTRUCT_NAMES}
    lines, problems = [], []
    for name in CONSTRUCT_NAMES:
        for column in picked[name]:
            found = ranges.get(column) or _detected(store, info.id, info.version, column)
            if isinstance(found, str):
                problems.append(found)
                continue
            lines.append({"construct": name, "column": column, "low": found[0], "high": found[1]})
    for problem in problems:
        st.warning(plain_label(problem), icon=":material/warning:")  # names the column
    table = st.data_editor(pd.DataFrame(lines, columns=["construct", "column", "low", "high"]), hide_index=True,
                           disabled=["construct", "column"], key=f"constructs_ranges_{info.id}", width="stretch",
                           column_config={"low": st.column_config.NumberColumn("scale bottom"),
                                          "high": st.column_config.NumberColumn("scale top")})
    st.caption("Ranges are detected from each column's values; correct one when the questionnaire's scale is wider "
               "than the answers given (e.g. nobody answered 1 on a 1–10 scale).")
    left, right = st.columns(2)
    if left.button("Save the constructs", type="primary", key=f"constructs_save_{info.id}",
                   disabled=not (picked["expectation"] and picked["experience"]) or bool(problems)):
        try:
            save_constructs(store, info.id, [Construct(name, tuple(
                ConstructItem(r["column"], float(r["low"]), float(r["high"]))
                for r in table.to_dict("records") if r["construct"] == name)) for name in CONSTRUCT_NAMES])
        except (ValueError, TypeError) as error:
            st.error(f"Nothing was saved: {plain_label(error)}", icon=":material/error:")
            return
        st.success("Saved: the Expectation gap page now offers the survey constructs.", icon=":material/check:")
    if saved and right.button("Clear the constructs", key=f"constructs_clear_{info.id}"):
        save_constructs(store, info.id, [])
        st.rerun()
