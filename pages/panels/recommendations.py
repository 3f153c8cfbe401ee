"""Panels of the Recommendations page and the Overview's "What to do first": ranked actions and products."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.home import gapsight_home
from analytics.insights.baskets import ORDER_ITEMS
from analytics.insights.item_cf import bought_together, item_similarity, purchase_matrix, recommend_for_customers
from analytics.insights.item_cf_evaluation import evaluate_hit_rate
from analytics.insights.recommend import SLICE_KINDS, ActionRanking, evidence_page, rank_actions
from analytics.store.alerts import load_alerts
from analytics.store.database import DatasetInfo, Store
from analytics.store.rules import load_rules
from pages.common import keys
from pages.common.expectations import default_source, gap_mentions, gap_scores, gap_sources, has_sentence_scores
from pages.common.frame import current_filters
from pages.common.loaders import cached, served_predictions
from pages.common.widgets import plain_label

PAGES = {"gap": keys.GAP_PAGE, "forecast": keys.FORECAST_PAGE, "segments": keys.SEGMENTS_PAGE,
         "sentiment": keys.SENTIMENT_PAGE}
_FILTER_KEYS = {"products": keys.FILTER_PRODUCTS, "channels": keys.FILTER_CHANNELS,
                "categories": keys.FILTER_CATEGORIES}


def action_ranking(store: Store, info: DatasetInfo, rows: pd.DataFrame, *, min_n: int = 30,
                   score_sentences: bool = True, source_key: str | None = None,
                   slices: tuple[str, ...] = SLICE_KINDS) -> ActionRanking | None:
    """The ranked actions of the filtered rows (cached), the gap from ``source_key`` (default: the best source);
    None when the texts' sentences are not scored yet and ``score_sentences`` is False (the Overview never starts
    that work)."""
    if not info.mapping.get("text"):
        return None
    tagged = served_predictions(store, info, "topic") is not None
    if not (score_sentences or tagged or has_sentence_scores(store, info)):
        return None
    mentions, method = gap_mentions(store, info)
    best = None if source_key else default_source(store, info)
    key = source_key or (best.key if best else None)
    gap = gap_scores(store, info, key).frame if key else None
    saved = load_alerts(store, info.id, info.version)
    scope = (str(gapsight_home()), info.id, info.version, repr(current_filters()), len(rows), method,
             key, saved.created_at if saved else None)
    return cached("actions", scope, (min_n, slices), lambda: rank_actions(
        rows, mentions, gap=gap, alerts=saved.alerts if saved else None, min_n=min_n, slices=slices))


def follow(action: dict, source_key: str | None) -> None:
    """Preset the filters and focus of the page holding an action's evidence; the page then opens it."""
    link = evidence_page(action)
    kept = st.session_state.get(keys.FILTERS_KEPT) or {}
    for field, key in _FILTER_KEYS.items():
        value = list(link.filters.get(field, ()))
        st.session_state[key] = value
        kept.get("values", {})[key] = value
    if link.page == "gap" and source_key:
        st.session_state[keys.GAP_FOCUS] = {"source": source_key, "by": "dimension", "group": action["dimension"]}
    if link.page == "sentiment":
        st.session_state["sentiment_query"] = action["dimension"]
    st.session_state[keys.REC_NAVIGATE] = PAGES[link.page]


def navigate_if_asked() -> None:
    """Open the page a followed action asked for (switch_page cannot run inside a button callback)."""
    target = st.session_state.get(keys.REC_NAVIGATE)
    if target:
        st.session_state[keys.REC_NAVIGATE] = None
        st.switch_page(target)


def _where(dimension: str, kind: str, value: str) -> str:
    """An action's name: "delivery · all interactions", "delivery · channel email"."""
    return f"{dimension} · {value}" if kind == "all" else f"{dimension} · {kind} {value}"


def _parts(action: pd.Series, span: float, unit: str) -> str:
    gap = "" if pd.isna(action["gap"]) else f" ({action['gap'] * span:+.2f} {unit})"
    return (f"score {action['score']:.4f} = volume share {action['volume_share']:.3f} × negativity "
            f"{action['negativity']:.3f} × |gap| {action['gap_part']:.3f}{gap} × trend {action['trend']:.2f}")


def actions_panel(ranking: ActionRanking, *, source_key: str | None, span: float, unit: str, shown: int = 10) -> None:
    """The top actions, each with its score's parts, reason, three typical quotes and a link to its evidence."""
    st.text(ranking.formula)
    st.caption(f"{len(ranking.actions):,} actions with enough evidence; {ranking.left_out:,} left out for fewer than "
               f"{ranking.params.get('min_n', 30)} mentions.")
    focus = st.session_state.get(keys.REC_FOCUS)
    for action in ranking.actions.head(shown).to_dict("records"):
        title = f"#{action['rank']} {_where(action['dimension'], action['slice_kind'], action['slice_value'])}"
        with st.expander(plain_label(title), expanded=action["rank"] == 1 or focus == action["rank"]):
            st.text(_parts(pd.Series(action), span, unit))
            st.text(action["reason"])
            st.caption(f"n = {action['n']:,} mentions · three typical complaints:")
            for record_id, sentence in action["quotes"]:
                st.text(f"“{sentence}” ({record_id})")
            page = evidence_page(action).page
            st.button(f"Open the evidence on the {page.title()} page", key=f"rec_follow_{action['rank']}",
                      on_click=follow, args=(action, source_key), icon=":material/arrow_forward:")


def what_to_fix_first(store: Store, info: DatasetInfo, rows: pd.DataFrame, scale) -> ActionRanking | None:
    """The Recommendations page's first tab: the gap source, slices and minimum n, then the ranked actions.
    Returns the ranking (for the HTML report), or None without text."""
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
        st.info(plain_label(error), icon=":material/info:")
        return None
    if ranking is None:
        st.info("Actions come from what the texts complain about: map a text column on the Data page.",
                icon=":material/info:")
    elif ranking.actions.empty:
        st.info(f"No action has {min_n} or more mentions in this selection: widen the filters or lower the minimum.",
                icon=":material/info:")
    else:
        actions_panel(ranking, source_key=key, span=scale.span, unit=scale.unit)
    return ranking


def what_to_do_first_panel(store: Store, info: DatasetInfo, rows: pd.DataFrame) -> ActionRanking | None:
    """The Overview's top three actions with their one-line reason; a click opens that action. Returns the
    ranking (for the HTML report), or None before the sentences are scored."""
    ranking = action_ranking(store, info, rows, score_sentences=False)
    if ranking is None or ranking.actions.empty:
        st.caption("Actions come from what the texts complain about: open the Recommendations page once "
                   "to score the sentences.")
        st.page_link(keys.RECOMMENDATIONS_PAGE, label="Open Recommendations", icon=":material/checklist:")
        return None
    for action in ranking.actions.head(3).itertuples(index=False):
        facts = action.reason.split(": ", 1)[-1]  # the reason repeats the action's name before the colon
        label = f"#{action.rank} {_where(action.dimension, action.slice_kind, action.slice_value)}: {facts}"
        if st.button(plain_label(label), key=f"overview_action_{action.rank}", icon=":material/task_alt:",
                     width="stretch", help=plain_label(action.reason)):
            st.session_state[keys.REC_FOCUS] = int(action.rank)
            st.session_state[keys.REC_TAB] = "What to fix first"
            st.switch_page(keys.RECOMMENDATIONS_PAGE)
    return ranking


def products_panel(store: Store, info: DatasetInfo, rows: pd.DataFrame) -> None:
    """Item-based collaborative filtering per customer and per product, blended with stored rules, evaluated."""
    scope = (str(gapsight_home()), info.id, info.version, repr(current_filters()), len(rows))
    try:
        matrix = cached("purchases", scope, (), lambda: purchase_matrix(rows))
    except ValueError as error:
        st.info(plain_label(error), icon=":material/info:")
        return
    similarity = cached("similarity", scope, (), lambda: item_similarity(matrix))
    saved = load_rules(store, info.id, ORDER_ITEMS)
    rules = saved.rules if saved is not None and saved.version == info.version else None
    st.caption(f"{len(matrix.customers):,} customers × {len(matrix.items):,} items; "
               + ("blended with the stored association rules (weight 0.3)" if rules is not None else
                  "no stored association rules: mine them on the Associations page to blend them in"))
    left, right = st.columns(2)
    counts = pd.Series(matrix.matrix.sum(axis=1).A1, index=matrix.customers).sort_values(ascending=False)
    customer = left.selectbox("Customer (most purchases first)", counts.index[:2000].tolist(), key="rec_customer")
    recs = recommend_for_customers(matrix, similarity, k=10, rules=rules, customers=[customer])
    left.dataframe(recs.drop(columns=["customer_id"]), hide_index=True, width="stretch")
    item = right.selectbox("Bought together with", matrix.items.tolist(), key="rec_item")
    right.dataframe(bought_together(similarity, matrix.items, item=item, k=5, rules=rules), hide_index=True,
                    width="stretch")
    if st.button("Evaluate: hit rate @10 against a popularity baseline", key="rec_evaluate",
                 help="Holds out each customer's last order, recommends from the rest, and counts the customers "
                      "whose held-out order holds a recommended item; the same for the 10 best sellers."):
        try:
            with st.spinner("Holding out each customer's last order and recommending from the rest…"):
                result = cached("evaluation", scope, (), lambda: evaluate_hit_rate(rows))
        except ValueError as error:
            st.info(plain_label(error), icon=":material/info:")
            return
        st.session_state[keys.REC_EVALUATION] = (scope, result)
    done = st.session_state.get(keys.REC_EVALUATION)
    if done and done[0] == scope:
        result = done[1]
        a, b, c = st.columns(3)
        a.metric("Collaborative filtering", f"{result.cf_hit_rate:.1%}", border=True)
        b.metric("Popularity baseline", f"{result.popularity_hit_rate:.1%}", border=True)
        c.metric("Customers evaluated", f"{result.n_customers:,}", border=True)
        st.caption(result.note)
