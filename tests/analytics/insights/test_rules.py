"""Tests for analytics.insights.rules: hand-computed supports and metrics, set-aside counts, guard rails, demo pairs."""
from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd
import pytest
from mlxtend.frequent_patterns import fpgrowth

from analytics.insights import rules as R
from analytics.insights.baskets import (
    CUSTOMER_PRODUCTS,
    CUSTOMER_TOPICS,
    INTERACTION_TOPICS,
    INTERACTION_WORDS,
    ORDER_ITEMS,
    build_baskets,
    supported_kinds,
)
from analytics.insights.rules import (
    CONVICTION_CAP,
    MiningTimeout,
    NoFrequentItems,
    SearchTooLarge,
    estimate_search,
    filter_rules,
    mine_rules,
    one_hot,
    rule_basket_ids,
    rule_record_ids,
    rule_sentences,
)

# The textbook transactions (Tan, Steinbach & Kumar, "Introduction to Data Mining", table 6.1), N = 5.
TEXTBOOK = {
    "T1": ["bread", "milk"],
    "T2": ["bread", "diapers", "beer", "eggs"],
    "T3": ["milk", "diapers", "beer", "cola"],
    "T4": ["bread", "milk", "diapers", "beer"],
    "T5": ["bread", "milk", "diapers", "cola"],
}


def order_lines(transactions: dict[str, list[str]]) -> pd.DataFrame:
    """One row per order line, as order-line data (Online Retail) comes."""
    rows = [(order, item) for order, items in transactions.items() for item in items]
    return pd.DataFrame({"record_id": [f"r{i}" for i in range(len(rows))], "order_id": [r[0] for r in rows],
                         "item": [r[1] for r in rows]})


def rule(result, antecedent: str, consequent: str) -> pd.Series:
    table = result.rules
    match = table[(table["antecedent"] == antecedent) & (table["consequent"] == consequent)]
    assert len(match) == 1, (antecedent, consequent)
    return match.iloc[0]


@pytest.fixture(scope="module")
def textbook():
    return mine_rules(build_baskets(order_lines(TEXTBOOK)), min_support=0.4, min_confidence=0.0, min_lift=0.0)


def test_textbook_supports_by_hand(textbook):
    # Counts: bread 4, milk 4, diapers 4, beer 3, cola 2, eggs 1 (< 2 = 0.4 × 5: not frequent).
    # Pairs reaching 2: bread+milk 3 (T1 T4 T5), bread+diapers 3 (T2 T4 T5), milk+diapers 3 (T3 T4 T5),
    # beer+diapers 3 (T2 T3 T4), beer+bread 2 (T2 T4), beer+milk 2 (T3 T4), cola+milk 2 (T3 T5),
    # cola+diapers 2 (T3 T5). Triples reaching 2: beer+diapers+milk (T3 T4), bread+diapers+milk (T4 T5),
    # beer+bread+diapers (T2 T4), cola+diapers+milk (T3 T5). No quadruple (bread milk diapers beer: T4 only).
    sets = textbook.itemsets.set_index("itemset")
    assert len(sets) == 5 + 8 + 4
    assert sets.loc["bread", "support"] == pytest.approx(4 / 5)
    assert sets.loc["cola", "support"] == pytest.approx(2 / 5)
    assert "eggs" not in sets.index
    assert sets.loc["beer; diapers", "support"] == pytest.approx(3 / 5)
    assert sets.loc["beer; diapers; milk", "n_baskets"] == 2
    assert textbook.report.n_baskets == 5 and textbook.report.n_items == 6


def test_textbook_metrics_by_hand(textbook):
    # {milk, diapers} → {beer}: s(A∪C) = 2/5 = 0.4; conf = 2/3 (3 baskets hold milk+diapers);
    # lift = conf / s(beer) = (2/3) / (3/5) = 10/9;
    # leverage = 0.4 − s(milk diapers) s(beer) = 0.4 − 0.6 × 0.6 = 0.04;
    # conviction = (1 − s(beer)) / (1 − conf) = 0.4 / (1/3) = 1.2.
    r = rule(textbook, "diapers; milk", "beer")
    assert r["support"] == pytest.approx(0.4) and r["n_baskets"] == 2
    assert r["confidence"] == pytest.approx(2 / 3)
    assert r["lift"] == pytest.approx(10 / 9)
    assert r["leverage"] == pytest.approx(0.04)
    assert r["conviction"] == pytest.approx(1.2)
    # diapers → beer: conf = 3/4; lift = 0.75 / 0.6 = 1.25; leverage = 0.6 − 0.8 × 0.6 = 0.12;
    # conviction = 0.4 / 0.25 = 1.6.
    r = rule(textbook, "diapers", "beer")
    assert (r["confidence"], r["lift"], r["leverage"], r["conviction"]) == pytest.approx((0.75, 1.25, 0.12, 1.6))
    # beer → diapers: every beer basket has diapers, conf = 3/3 = 1: conviction is infinite, capped.
    r = rule(textbook, "beer", "diapers")
    assert r["confidence"] == pytest.approx(1.0) and r["conviction"] == CONVICTION_CAP
    assert np.isfinite(textbook.rules[["support", "confidence", "lift", "leverage", "conviction"]]).all().all()


def test_rules_table_is_readable_and_sorted(textbook):
    table = textbook.rules
    assert list(table.columns) == list(R.RULE_COLUMNS)
    assert table["antecedent"].map(type).eq(str).all() and table["n_baskets"].dtype == np.int64
    order = table.sort_values(["lift", "support"], ascending=False, kind="stable")
    assert table["lift"].tolist() == order["lift"].tolist()
    # The best lift: cola → {diapers, milk}, conf = 2/2 = 1, lift = 1 / s(diapers, milk) = 1 / 0.6 = 5/3, and its
    # converse {diapers, milk} → cola, conf = 2/3, lift = (2/3) / s(cola) = (2/3) / 0.4 = 5/3.
    top = {tuple(pair) for pair in table.head(2)[["antecedent", "consequent"]].to_numpy()}
    assert top == {("cola", "diapers; milk"), ("diapers; milk", "cola")}
    assert table["lift"].iloc[:2].tolist() == pytest.approx([5 / 3, 5 / 3]) and table["lift"].iloc[2] < 5 / 3


def test_thresholds_filter_rules():
    result = mine_rules(build_baskets(order_lines(TEXTBOOK)), min_support=0.4, min_confidence=0.7, min_lift=1.1)
    assert (result.rules["confidence"] >= 0.7).all() and (result.rules["lift"] >= 1.1).all()
    assert ("diapers; milk", "beer") not in set(zip(result.rules["antecedent"], result.rules["consequent"]))
    assert result.params == {"min_support": 0.4, "max_len": None, "algorithm": "fpgrowth", "min_confidence": 0.7,
                             "min_lift": 1.1}


def test_item_lists_give_the_same_baskets_as_order_lines():
    lists = pd.DataFrame({"order_id": list(TEXTBOOK), "item": [" ; ".join(items) for items in TEXTBOOK.values()]})
    a, b = build_baskets(lists), build_baskets(order_lines(TEXTBOOK))
    assert list(a.items) == list(b.items) == ["beer", "bread", "cola", "diapers", "eggs", "milk"]
    assert (a.matrix != b.matrix).nnz == 0
    assert a.report.mean_size == pytest.approx(18 / 5)


def test_fpgrowth_and_apriori_find_the_same_itemsets(textbook):
    baskets = build_baskets(order_lines(TEXTBOOK))
    other = mine_rules(baskets, min_support=0.4, algorithm="apriori", min_confidence=0.0, min_lift=0.0)
    pd.testing.assert_frame_equal(other.itemsets, textbook.itemsets)
    pd.testing.assert_frame_equal(other.rules, textbook.rules)


def random_lines(n_baskets: int, n_items: int, density: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    held = rng.random((n_baskets, n_items)) < density * rng.random(n_items) * 2  # items of unequal popularity
    rows, cols = np.nonzero(held)
    return pd.DataFrame({"order_id": [f"o{r}" for r in rows], "item": [f"i{c:02d}" for c in cols]})


def test_fpgrowth_and_apriori_agree_on_a_random_sparse_set():
    baskets = build_baskets(random_lines(600, 30, 0.15, seed=3))
    kwargs = dict(min_support=0.01, max_len=4, min_confidence=0.0, min_lift=0.0)
    fp, ap = mine_rules(baskets, **kwargs), mine_rules(baskets, algorithm="apriori", **kwargs)
    assert fp.itemsets["size"].value_counts().to_dict() == {1: 29, 2: 302, 3: 483, 4: 29}
    pd.testing.assert_frame_equal(fp.itemsets, ap.itemsets)
    # And both agree with mlxtend's own fpgrowth on a plain (dense) one-hot frame.
    dense = pd.DataFrame(baskets.matrix.toarray(), columns=baskets.items)
    plain = fpgrowth(dense, min_support=0.01, max_len=4, use_colnames=True)
    expected = dict(zip(plain["itemsets"].map(lambda s: "; ".join(sorted(s))), plain["support"]))
    assert dict(zip(fp.itemsets["itemset"], fp.itemsets["support"])) == pytest.approx(expected)


def test_a_support_of_exactly_the_threshold_is_kept():
    # 7 of 25 baskets hold a and b. mlxtend's FP-growth prunes with ceil(0.28 × 25) = ceil(7.000000000000001) = 8
    # and alone misses {a, b}; support ≥ min support must keep it.
    lines = order_lines({f"p{i}": ["a", "b"] for i in range(7)} | {f"q{i}": ["c"] for i in range(18)})
    baskets = build_baskets(lines)
    assert len(fpgrowth(one_hot(baskets), min_support=7 / 25)) == 3  # the edge, with mlxtend alone
    for algorithm in R.ALGORITHMS:
        result = mine_rules(baskets, min_support=7 / 25, algorithm=algorithm)
        assert result.itemsets["itemset"].tolist() == ["c", "a", "b", "a; b"]
        assert result.itemsets["support"].tolist() == [0.72, 0.28, 0.28, 0.28]


def test_mining_is_deterministic():
    baskets = build_baskets(random_lines(300, 25, 0.1, seed=5))
    first, second = (mine_rules(baskets, min_support=0.02, min_confidence=0.0) for _ in range(2))
    pd.testing.assert_frame_equal(first.rules, second.rules)


def test_one_hot_is_sparse_bool_and_drops_rare_items():
    baskets = build_baskets(order_lines(TEXTBOOK))
    frame = one_hot(baskets, min_support=0.4)
    assert frame.shape == (5, 5) and "eggs" not in frame.columns
    assert all(isinstance(t, pd.SparseDtype) and t.subtype == np.bool_ for t in frame.dtypes)
    assert frame.sparse.density == pytest.approx(17 / 25)  # 18 lines but eggs is gone
    assert list(frame.index) == list(TEXTBOOK)


SET_ASIDE = pd.DataFrame({
    "record_id": [f"r{i}" for i in range(13)],
    "order_id": ["1", "1", "2", "C3", "4", "4", None, "  ", "5", "5", "6", "6", "C8"],
    "item": ["a", "b", "a;b; c", "a", "b", "c", "a", "b", None, " ; ", "a", "a", None],
})
QUANTITY = pd.Series([1, 1, 1, -1, -2, 0, 1, 1, 1, 1, 1, 3, -1])


def test_set_aside_counts():
    baskets = build_baskets(SET_ASIDE, quantity=QUANTITY)
    report = baskets.report
    assert report.n_rows == 13
    assert report.n_missing_id == 2  # None and a blank id
    assert report.n_cancelled == 2  # C3, and C8 (cancelled before its missing item is looked at)
    assert report.n_non_positive == 2  # order 4's lines, quantity -2 and 0
    assert report.n_missing_item == 2  # order 5: no item, and a list of blanks
    assert report.n_set_aside == 8
    # Kept: 1 {a, b}, 2 {a, b, c}, 6 {a} (the same item twice counts once).
    assert list(baskets.basket_ids) == ["1", "2", "6"]
    assert (report.n_baskets, report.n_items, report.n_single_item) == (3, 3, 1)
    assert report.mean_size == pytest.approx(6 / 3)  # one-item baskets stay in the denominator


def test_without_quantity_returns_stay_and_quantity_must_align():
    report = build_baskets(SET_ASIDE).report
    assert (report.n_non_positive, report.n_baskets) == (0, 4)  # order 4 is back
    unknown = build_baskets(SET_ASIDE, quantity=QUANTITY.astype(float).where(QUANTITY > -2)).report
    assert unknown.n_non_positive == 1  # a missing quantity is not a return
    with pytest.raises(ValueError, match="aligned"):
        build_baskets(SET_ASIDE, quantity=QUANTITY.set_axis(range(1, 14)))
    with pytest.raises(ValueError, match="2 values for 13 rows"):
        build_baskets(SET_ASIDE, quantity=[1, 2])


def test_customer_products_falls_back_to_items():
    frame = pd.DataFrame({"customer_id": ["c1", "c1", "c2", None], "order_id": ["1", "C2", "3", "4"],
                          "product": ["p1", "p2", "p1", "p3"], "item": ["x", "y", "x;z", "w"]})
    baskets = build_baskets(frame, CUSTOMER_PRODUCTS)
    assert list(baskets.items) == ["p1"] and baskets.report.n_cancelled == 1 and baskets.report.n_missing_id == 1
    baskets = build_baskets(frame.drop(columns="product"), CUSTOMER_PRODUCTS)
    assert list(baskets.items) == ["x", "z"] and baskets.report.n_single_item == 1


def test_supported_kinds_name_the_missing_column():
    frame = pd.DataFrame({"record_id": ["a"], "order_id": ["1"], "item": ["x"], "customer_id": [None],
                          "product": [None]})
    support = {k.kind: k for k in supported_kinds(frame)}
    assert support[ORDER_ITEMS].supported and support[ORDER_ITEMS].hint == ""
    assert not support[CUSTOMER_PRODUCTS].supported
    assert support[CUSTOMER_PRODUCTS].hint == "map a customer column to build customer baskets"
    assert "tag the interactions" in support[INTERACTION_TOPICS].hint
    tags = pd.DataFrame({"record_id": ["a"], "label": ["price"]})
    assert support[INTERACTION_WORDS].hint == "map a text column to build word baskets"
    support = {k.kind: k for k in supported_kinds(frame.assign(customer_id=["c"], text=["late"]), tags=tags)}
    assert all(k.supported for k in support.values())
    with pytest.raises(ValueError, match="map an order column"):
        build_baskets(frame.drop(columns="order_id"))


RECORDS = pd.DataFrame({"record_id": ["r1", "r2", "r3", "r4", "r5", "r6", None],
                        "customer_id": ["c1", "c1", "c2", "c3", "c3", "c2", "c4"]})
TAGS = pd.DataFrame({"record_id": ["r1", "r1", "r2", "r2", "r3", "r4", "r6", "r9"],
                     "label": ["delivery", "price", "price", "delivery", "delivery", "other", ("price", "support"),
                               "price"]})


def test_interaction_topic_baskets():
    baskets = build_baskets(RECORDS, INTERACTION_TOPICS, tags=TAGS)
    report = baskets.report
    # r1 {delivery, price}, r2 {delivery, price}, r3 {delivery}, r6 {price, support}; r4 has only "other"
    # and r5 no tag (2 missing items); the record without id is 1 missing id; r9 is not in the frame.
    assert list(baskets.basket_ids) == ["r1", "r2", "r3", "r6"]
    assert (report.n_baskets, report.n_missing_item, report.n_missing_id, report.n_single_item) == (4, 2, 1, 1)
    result = mine_rules(baskets, min_support=0.5, min_confidence=0.0, min_lift=0.0)
    # delivery → price: s = 2/4; conf = 2/3 (3 records about delivery); lift = (2/3) / (3/4) = 8/9.
    r = rule(result, "delivery", "price")
    assert (r["support"], r["confidence"], r["lift"]) == pytest.approx((0.5, 2 / 3, 8 / 9))
    assert result.sentences()[0] == ("Interactions about delivery are also about price: confidence 0.67, "
                                     "lift 0.9, 2 interactions")
    assert rule_record_ids(baskets, "delivery", "price") == ["r1", "r2"]


def test_customer_topic_baskets():
    baskets = build_baskets(RECORDS, CUSTOMER_TOPICS, tags=TAGS)
    # c1 {delivery, price} (r1, r2), c2 {delivery, price, support} (r3, r6); c3's records carry no topic.
    assert list(baskets.basket_ids) == ["c1", "c2"] and baskets.report.n_missing_item == 2
    assert rule_basket_ids(baskets, "support", "delivery") == ["c2"]
    assert rule_record_ids(baskets, "delivery", "price") == ["r1", "r2", "r3", "r6"]
    with pytest.raises(ValueError, match="not items"):
        rule_record_ids(baskets, "delivery", "returns")


def test_rule_record_ids_on_order_lines():
    baskets = build_baskets(order_lines(TEXTBOOK))
    assert rule_basket_ids(baskets, "beer", "diapers") == ["T2", "T3", "T4"]
    # The lines of T2, T3, T4 that hold beer or diapers: r3 r4 (T2), r7 r8 (T3), r12 r13 (T4).
    assert rule_record_ids(baskets, "beer", "diapers") == ["r3", "r4", "r7", "r8", "r12", "r13"]


def test_sentences_follow_the_kind(textbook):
    table = pd.DataFrame({"antecedent": ["a; b; c"], "consequent": ["d"], "confidence": [0.5], "lift": [2.0],
                          "n_baskets": [1]})
    assert rule_sentences(table, CUSTOMER_TOPICS).iloc[0] == \
        "Customers who raise a, b and c also raise d: confidence 0.50, lift 2.0, 1 customer"
    milk = textbook.rules[(textbook.rules["antecedent"] == "diapers; milk") & (textbook.rules["consequent"] == "beer")]
    assert rule_sentences(milk, ORDER_ITEMS).tolist() == [
        "Customers who buy diapers and milk also buy beer: confidence 0.67, lift 1.1, 2 orders"]
    with pytest.raises(ValueError, match="kind='baskets'"):
        rule_sentences(table, "baskets")


def test_filter_rules_by_item(textbook):
    def holds(row, side):
        return "cola" in R.rule_items(row[side])

    # cola is in {cola, milk} and {cola, diapers} (2 rules each) and {cola, diapers, milk} (6 rules): 10 rules,
    # 5 of them with cola in the antecedent.
    cola = filter_rules(textbook.rules, "cola")
    expected = textbook.rules.apply(lambda r: holds(r, "antecedent") or holds(r, "consequent"), axis=1)
    assert cola.index.tolist() == textbook.rules.index[expected].tolist() and len(cola) == 10
    assert filter_rules(textbook.rules, "col").empty  # exact item names, not substrings
    only = filter_rules(textbook.rules, "cola", side="antecedent")
    assert only.apply(holds, axis=1, side="antecedent").all() and len(only) == 5


def test_support_matching_nothing_says_what_to_try():
    baskets = build_baskets(order_lines(TEXTBOOK))
    with pytest.raises(NoFrequentItems, match=r"the most frequent, 'bread', is in 80 % \(4 orders\)\. "
                                              r"Set min support to 80 % or lower") as caught:
        mine_rules(baskets, min_support=0.9)
    assert caught.value.highest_support == 0.8
    assert isinstance(caught.value, ValueError)


def test_no_frequent_pair_is_a_note_not_an_error():
    result = mine_rules(build_baskets(order_lines(TEXTBOOK)), min_support=0.7)
    assert result.rules.empty and list(result.rules.columns) == list(R.RULE_COLUMNS)
    # bread, diapers and milk reach 70 % (4 of 5 baskets); each pair of them is in 3 baskets.
    assert result.notes == ("No two items are together in 70 % of the orders: the most frequent pair of those "
                            "items, bread and diapers, is in 60 % (3 orders). Lower min support to find rules.",)
    apart = mine_rules(build_baskets(pd.DataFrame({"order_id": list("11223344"), "item": list("axaybzbw")})),
                       min_support=0.5)
    assert apart.notes == ("No two of the items in 50 % of the orders are ever together. Lower min support to find "
                           "rules.",)
    single = mine_rules(build_baskets(pd.DataFrame({"order_id": list("1234"), "item": list("aabb")})), min_support=0.5)
    assert single.notes == ("Each of the 4 orders holds a single item, so no rule can come from them: rules need "
                            "orders with two or more items (an items list, or one order line per item).",)
    strict = mine_rules(build_baskets(order_lines(TEXTBOOK)), min_support=0.4, min_lift=5)
    assert strict.rules.empty and "no rule reaches confidence 0.1 and lift 5" in strict.notes[0]


def exploding_baskets() -> pd.DataFrame:
    """60 orders: a..e together in 30 (support 50 %), a 22-item clique together in 12 (20 %), z alone in 18 (30 %)."""
    transactions = {f"p{i}": list("abcde") for i in range(30)}
    transactions |= {f"q{i}": [f"k{j:02d}" for j in range(22)] for i in range(12)}
    transactions |= {f"z{i}": ["z"] for i in range(18)}
    return order_lines(transactions)


def test_an_exploding_search_stops_with_what_to_change():
    baskets = build_baskets(exploding_baskets())
    # At 10 % the clique is frequent: each of its 22 items has core number 21, so up to 22 × 2^21 ≈ 4.6e7
    # itemsets could be frequent (truly 2^22 − 1 of them). Capping the length at 3 leaves at most
    # 22 × (1 + 21 + 210) + 6 others; a support above 12/60 (the next item count is z's 18/60 = 30 %) drops it.
    with pytest.raises(SearchTooLarge) as caught:
        mine_rules(baskets, min_support=0.1)
    message = str(caught.value)
    assert "up to 4.6e+07 itemsets could be frequent (at most 1,000,000)" in message
    assert message.endswith("Cap max length at 3 or raise min support to 30 %.")
    estimate = caught.value.estimate
    assert (estimate.suggested_support, estimate.suggested_max_len) == (0.3, 3)
    assert estimate.n_frequent_items == 28 and estimate.n_frequent_pairs == 10 + 231
    assert len(mine_rules(baskets, min_support=0.3).rules) > 0
    assert len(mine_rules(baskets, min_support=0.1, max_len=3, min_confidence=0.9).rules) > 0


def test_too_many_items_or_pairs_name_the_support_to_use(monkeypatch):
    baskets = build_baskets(order_lines(TEXTBOOK))
    monkeypatch.setattr(R, "MAX_FREQUENT_ITEMS", 3)
    # 5 items reach 40 %; bread, diapers and milk are in 4 of 5 baskets, so 80 % leaves 3 (beer has 3 of 5).
    with pytest.raises(SearchTooLarge, match=r"5 items reach it \(at most 3 for 5 orders\)\. "
                                             r"Raise min support to 80 % or filter the items first\.$"):
        mine_rules(baskets, min_support=0.4)
    monkeypatch.setattr(R, "MAX_FREQUENT_ITEMS", 100)
    monkeypatch.setattr(R, "MAX_FREQUENT_PAIRS", 2)
    # 8 pairs reach 2 baskets, 4 reach 3 (60 %), none reaches 4 (80 %).
    estimate = estimate_search(baskets, min_support=0.4)
    assert estimate.problem == "8 pairs reach it (at most 2)" and estimate.suggested_support == 0.8


def test_the_time_limit_really_stops_mining():
    baskets = build_baskets(random_lines(4000, 120, 0.2, seed=1))
    started = time.perf_counter()
    with pytest.raises(MiningTimeout, match="longer than 0.05 s"):
        mine_rules(baskets, min_support=0.002, max_len=2, time_limit=0.05)
    # Uninterrupted, this search takes ~30 s on a 2-core machine; guards and encoding take ~0.1 s.
    assert time.perf_counter() - started < 3.0
    assert not any(t.name == "gapsight-rules-mining" for t in threading.enumerate())


def test_bad_parameters_are_refused():
    baskets = build_baskets(order_lines(TEXTBOOK))
    for kwargs, message in [({"min_support": 0}, "min_support=0 should"), ({"max_len": 1}, "max_len=1 should"),
                            ({"algorithm": "eclat"}, "algorithm='eclat'"), ({"min_confidence": 2}, "min_confidence=2"),
                            ({"time_limit": 0}, "time_limit=0")]:
        with pytest.raises(ValueError, match=message):
            mine_rules(baskets, **kwargs)


@pytest.fixture(scope="module")
def demo_orders():
    from analytics.demo.generator import generate_demo

    demo = generate_demo()
    frame = demo.interactions.rename(columns={"interaction_id": "record_id", "items": "item"})
    return build_baskets(frame), demo.truth.planted_pairs


def test_demo_planted_pairs_are_the_top_three_rules(demo_orders):
    baskets, planted = demo_orders
    assert baskets.report.n_baskets == 17_513 and baskets.report.n_items == 40  # data/DEMO.md
    assert baskets.report.mean_size == pytest.approx(1.99, abs=0.01)
    result = mine_rules(baskets, min_support=30 / 17_513, max_len=2, min_confidence=0.0, min_lift=0.0)
    strong = result.rules[result.rules["n_baskets"] >= 30]
    pairs = [frozenset((a, c)) for a, c in zip(strong["antecedent"], strong["consequent"])]
    top = list(dict.fromkeys(pairs))[:3]  # both directions of a pair share its lift
    assert set(top) == {frozenset(p) for p in planted}
    assert set(planted) == {("Aurora Espresso Machine", "Velvet Milk Frother"),
                            ("Pure Air Purifier", "Pure Air HEPA Filter"),
                            ("Summit Two-Person Tent", "Ember Camp Stove")}
    assert strong["lift"].iloc[:6].min() >= 5 and strong["lift"].iloc[6] < 4  # DEMO.md fact 6
    sentence = rule_sentences(filter_rules(strong, "Velvet Milk Frother", side="consequent").head(1), ORDER_ITEMS)
    assert sentence.iloc[0].startswith("Customers who buy Aurora Espresso Machine also buy Velvet Milk Frother: ")


@pytest.mark.real_data
def test_online_retail_rules(shared_data):
    path = shared_data / "online-retail" / "online_retail.parquet"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    source = pd.read_parquet(path, columns=["InvoiceNo", "Description", "Quantity"])
    frame = source.rename(columns={"InvoiceNo": "order_id", "Description": "item"})
    baskets = build_baskets(frame, quantity=source["Quantity"])
    report = baskets.report
    assert report.n_cancelled == 9_288  # invoices "C…", every one with a negative quantity
    assert report.n_non_positive == 1_336  # adjustments without a "C" invoice
    assert 20_000 <= report.n_baskets <= 26_000 and report.n_baskets == 20_728
    result = mine_rules(baskets, min_support=0.01)
    assert len(result.rules) > 1_000
    pink = rule(result, "PINK REGENCY TEACUP AND SAUCER", "GREEN REGENCY TEACUP AND SAUCER")
    assert pink["lift"] > 10 and pink["confidence"] == pytest.approx(0.826, abs=0.001)
    assert pink["n_baskets"] == 633


def test_fifty_thousand_distinct_items_neither_freeze_nor_pass_silently():
    rng = np.random.default_rng(3)
    n = 60_000
    frame = pd.DataFrame({"order_id": np.repeat([f"o{i}" for i in range(n)], 2),
                          "item": [f"sku{v}" for v in rng.integers(0, 50_000, size=2 * n)]})
    baskets = build_baskets(frame)
    assert baskets.report.n_items > 45_000 and baskets.matrix.nnz <= 2 * n  # sparse, never dense
    with pytest.raises(NoFrequentItems, match="Set min support to"):
        mine_rules(baskets, min_support=0.01)
    with pytest.raises(SearchTooLarge, match=r"at min support 0\.001 % is too large .* Raise min support to"):
        mine_rules(baskets, min_support=0.00001)


def test_word_baskets_hold_each_texts_frequent_words_in_any_language():
    texts = (["快递太慢了，包装也破损了"] * 12 + ["质量很好，价格实惠"] * 12 + ["The courier was late again"] * 6
             + ["只有一次的词语"])
    frame = pd.DataFrame({"record_id": [f"r{i}" for i in range(len(texts))], "text": texts})
    baskets = build_baskets(frame, INTERACTION_WORDS)
    assert set(baskets.items) == {"快递", "太慢", "包装", "破损", "质量", "价格", "实惠", "courier", "late"}
    assert baskets.report.n_baskets == 30 and baskets.report.n_missing_item == 1  # its words are too rare
    rules = R.mine_rules(baskets, min_support=0.2, min_confidence=0.9).rules
    pairs = set(zip(rules["antecedent"], rules["consequent"]))
    assert ("快递", "太慢") in pairs and ("质量", "价格") in pairs and not any("快递" in a and "质量" in c for a, c in pairs)
    sentence = R.rule_sentences(rules[rules["antecedent"].eq("快递")].head(1), INTERACTION_WORDS).iloc[0]
    assert sentence.startswith("Interactions that mention 快递 also mention ")
