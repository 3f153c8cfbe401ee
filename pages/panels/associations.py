"""The Associations page's pieces: cached baskets and mining, the basket report, rules, views and evidence."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.figures.rules import rules_matrix_figure, rules_network_figure
from analytics.insights.baskets import BASKET_KINDS, Baskets, build_baskets
from analytics.insights.rules import RuleResult, filter_rules, mine_rules, rule_items, rule_record_ids, rule_sentences
from analytics.insights.verbatims import shorten_cells
from pages.common.widgets import download_buttons, plain_label


@st.cache_data(max_entries=8, show_spinner="Building the baskets…")
def cached_baskets(key: tuple, kind: str, quantity: str | None, _rows: pd.DataFrame, _tags) -> Baskets:
    return build_baskets(_rows, kind, tags=_tags, quantity=_rows[quantity] if quantity else None)


@st.cache_data(max_entries=8, show_spinner="Mining frequent itemsets and rules…")
def cached_rules(key: tuple, kind: str, quantity: str | None, params: tuple, _baskets: Baskets) -> RuleResult:
    return mine_rules(_baskets, **dict(params))


def basket_report(baskets: Baskets) -> None:
    """Counts of baskets and items, and every line set aside with its reason."""
    report = baskets.report
    unit = BASKET_KINDS[baskets.kind].unit
    a, b, c, d = st.columns(4)
    a.metric(unit.capitalize(), f"{report.n_baskets:,}")
    b.metric("Distinct items", f"{report.n_items:,}")
    c.metric("Mean basket size", f"{report.mean_size:.2f}")
    d.metric(f"One-item {unit}", f"{report.n_single_item:,}", help="They count in the support denominator but "
             "cannot form a rule.")
    aside = {"without an id": report.n_missing_id, "cancellations (invoice 'C…')": report.n_cancelled,
             "zero or negative quantity": report.n_non_positive, "without an item": report.n_missing_item}
    parts = [f"{n:,} {why}" for why, n in aside.items() if n]
    st.caption(f"Set aside: {', '.join(parts)} (of {report.n_rows:,} lines)." if parts else
               f"All {report.n_rows:,} lines went into the baskets.")


def rules_view(result: RuleResult, rows: pd.DataFrame, baskets: Baskets, *, basename: str) -> None:
    """The rules as a table, sentences, network and matrix, with the verbatims behind one rule."""
    unit = BASKET_KINDS[result.kind].unit
    rules = result.rules
    st.caption(f"{len(rules):,} rules from {len(result.itemsets):,} frequent itemsets in {result.seconds:.1f} s "
               f"({result.params['algorithm']}, min support {result.params['min_support']:.2%}).")
    for note in result.notes:
        st.info(plain_label(note), icon=":material/info:")  # names items
    if rules.empty:
        return
    items = sorted({i for side in ("antecedent", "consequent") for text in rules[side] for i in rule_items(text)})
    item = st.selectbox("Only rules with the item", [None, *items], format_func=lambda v: "any item" if v is None else v,
                        key=f"rules_item_{result.kind}")
    shown = filter_rules(rules, item) if item else rules
    table_tab, sentences_tab, network_tab, matrix_tab, evidence_tab = st.tabs(
        ["Table", "Sentences", "Network", "Matrix", "Evidence"])
    with table_tab:
        st.dataframe(shorten_cells(shown), hide_index=True, width="stretch",
                     column_config={"support": st.column_config.NumberColumn(format="%.4f"),
                                    "confidence": st.column_config.NumberColumn(format="%.3f"),
                                    "lift": st.column_config.NumberColumn(format="%.2f"),
                                    "n_baskets": st.column_config.NumberColumn(unit, format="%d")})
        download_buttons(shown, basename=basename, key=f"rules_download_{result.kind}")
    with sentences_tab:
        for sentence in rule_sentences(shown.head(25), result.kind):
            st.text(sentence)
    with network_tab:
        st.plotly_chart(rules_network_figure(shown, unit=unit, subtitle=f"top {min(30, len(shown))} rules by lift; "
                                             "wider arrows for higher lift"), width="stretch")
    with matrix_tab:
        st.plotly_chart(rules_matrix_figure(shown, unit=unit), width="stretch")
    with evidence_tab:
        evidence(shown, rows, baskets, result.kind)


def evidence(rules: pd.DataFrame, rows: pd.DataFrame, baskets: Baskets, kind: str) -> None:
    """Pick a rule and read the interactions of the baskets that hold it."""
    top = rules.head(50).reset_index(drop=True)
    sentences = rule_sentences(top, kind)
    picked = st.selectbox("Rule", top.index, format_func=lambda i: sentences[i], key=f"rules_evidence_{kind}")
    if picked is None:
        return
    rule = top.loc[picked]
    ids = set(rule_record_ids(baskets, rule["antecedent"], rule["consequent"]))
    behind = rows[rows["record_id"].astype(str).isin(ids)]
    columns = [c for c in ("text", "rating", "order_id", "item", "customer_id", "timestamp", "record_id")
               if c in behind.columns and behind[c].notna().any()]
    st.caption(f"{int(rule['n_baskets']):,} {BASKET_KINDS[kind].unit} hold both sides; their {len(behind):,} "
               "interactions that mention an item of the rule:")
    st.dataframe(shorten_cells(behind[columns].head(500)), hide_index=True, width="stretch")
