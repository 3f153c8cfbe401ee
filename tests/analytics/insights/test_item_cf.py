"""Tests for analytics.insights.item_cf: hand-computed similarities and recommendations, the demo's planted pairs,
the rules blend and bad input."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics.insights.baskets import build_baskets
from analytics.insights.item_cf import (
    bought_together,
    item_similarity,
    purchase_matrix,
    recommend_for_customers,
)
from analytics.insights.rules import mine_rules

# Five customers × four items, one order each except c5, who bought A twice:
#   c1: A B   c2: A B C   c3: B C   c4: C D   c5: A, A
# Customers per item n: A 3 (c1 c2 c5), B 3 (c1 c2 c3), C 3 (c2 c3 c4), D 1 (c4).
# Both bought: AB 2 (c1 c2), AC 1 (c2), BC 2 (c2 c3), CD 1 (c4); AD and BD 0.
# Plain cosine: AB = 2/3, AC = 1/3, BC = 2/3, CD = 1/√3.
# Inverse weighting (1 / items bought: c1 1/2, c2 1/3, c3 1/2, c4 1/2, c5 1):
#   AB = (1/2 + 1/3) / 3 = 5/18, AC = (1/3) / 3 = 1/9, BC = (1/3 + 1/2) / 3 = 5/18, CD = (1/2) / √3.
ORDERS = {"o1": ("c1", "A;B"), "o2": ("c2", "A;B;C"), "o3": ("c3", "B;C"), "o4": ("c4", "C;D"),
          "o5": ("c5", "A"), "o6": ("c5", "A")}


def tiny_rows() -> pd.DataFrame:
    """One row per contact, each repeating its order's item list (as the demo does); o2 has two contacts."""
    contacts = ["o1", "o2", "o2", "o3", "o4", "o5", "o6"]
    return pd.DataFrame({"customer_id": [ORDERS[o][0] for o in contacts], "order_id": contacts,
                         "item": [ORDERS[o][1] for o in contacts]})


@pytest.fixture(scope="module")
def tiny():
    return purchase_matrix(tiny_rows())


def cosine(tiny, **options):
    return item_similarity(tiny, shrink=0, weighting="none", **options)


def test_purchase_matrix_counts_order_lines_once(tiny):
    assert list(tiny.customers) == ["c1", "c2", "c3", "c4", "c5"] and list(tiny.items) == list("ABCD")
    # o2's two contacts count once; c5 bought A in two orders
    assert tiny.matrix.toarray().tolist() == [[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 0], [0, 0, 1, 1], [2, 0, 0, 0]]
    assert tiny.source == "item" and tiny.n_rows == 7 and tiny.n_set_aside == 0


def test_purchase_matrix_falls_back_to_product_and_counts_rows_without_orders():
    rows = pd.DataFrame({"customer_id": ["a", "a", "b", None], "product": ["tea", "tea", " cup ", "tea"]})
    matrix = purchase_matrix(rows)
    assert matrix.source == "product" and list(matrix.items) == ["cup", "tea"]
    assert matrix.matrix.toarray().tolist() == [[0, 2], [1, 0]]  # no order id: each row is an order line
    assert matrix.n_set_aside == 1


def test_plain_cosine_by_hand(tiny):
    expected = np.array([[0, 2 / 3, 1 / 3, 0],
                         [2 / 3, 0, 2 / 3, 0],
                         [1 / 3, 2 / 3, 0, 1 / math.sqrt(3)],
                         [0, 0, 1 / math.sqrt(3), 0]])
    np.testing.assert_allclose(cosine(tiny).toarray(), expected)


def test_weighted_and_shrunk_similarity_by_hand(tiny):
    weighted = item_similarity(tiny, shrink=0).toarray()
    assert weighted[0, 1] == pytest.approx(5 / 18) and weighted[0, 2] == pytest.approx(1 / 9)
    assert weighted[1, 2] == pytest.approx(5 / 18) and weighted[2, 3] == pytest.approx(0.5 / math.sqrt(3))
    assert weighted[0, 3] == 0 and np.all(np.diag(weighted) == 0)
    # the default shrinks by n_ij / (n_ij + 10): AB 2/12, AC 1/11
    shrunk = item_similarity(tiny).toarray()
    assert shrunk[0, 1] == pytest.approx(5 / 18 * 2 / 12) and shrunk[0, 2] == pytest.approx(1 / 9 / 11)
    plain_shrunk = item_similarity(tiny, weighting="none").toarray()
    assert plain_shrunk[2, 3] == pytest.approx(1 / math.sqrt(3) / 11)


def test_neighbours_by_hand(tiny):
    similarity = cosine(tiny)
    assert bought_together(similarity, tiny.items, item="A").values.tolist() == [["B", 2 / 3], ["C", 1 / 3]]
    assert bought_together(similarity, tiny.items, item="D")["item"].tolist() == ["C"]
    # C's neighbours: B 2/3, D 0.577, A 1/3; one neighbour kept per row keeps B only
    assert bought_together(similarity, tiny.items, item="C", k=2)["item"].tolist() == ["B", "D"]
    assert cosine(tiny, neighbours=1).toarray()[2].tolist() == [0, pytest.approx(2 / 3), 0, 0]


def test_recommendations_by_hand(tiny):
    table = recommend_for_customers(tiny, cosine(tiny), k=3)
    by = {c: group for c, group in table.groupby("customer_id")}
    # c1 owns A, B: C scores S[A,C] + S[B,C] = 1/3 + 2/3 = 1, mostly because of B; D scores 0 and is left out
    assert by["c1"][["rank", "item", "because"]].values.tolist() == [[1, "C", "B"]]
    assert by["c1"]["score"].iloc[0] == pytest.approx(1.0)
    # c4 owns C, D: B = 2/3 + 0, A = 1/3 + 0, both because of C
    assert by["c4"][["item", "because"]].values.tolist() == [["B", "C"], ["A", "C"]]
    np.testing.assert_allclose(by["c4"]["score"], [2 / 3, 1 / 3])
    # c5 owns A: B 2/3, C 1/3
    assert by["c5"]["item"].tolist() == ["B", "C"]
    assert list(table.columns) == ["customer_id", "rank", "item", "score", "because"]


def test_owned_items_can_be_kept_and_customers_chosen(tiny):
    table = recommend_for_customers(tiny, cosine(tiny), k=3, exclude_owned=False, customers=["c1"])
    # A = S[B,A] = 2/3, B = S[A,B] = 2/3 (tie: item order), C = 1
    assert table["item"].tolist() == ["C", "A", "B"] and table["rank"].tolist() == [1, 2, 3]
    assert table["because"].tolist() == ["B", "B", "A"]


def test_c2_gets_d_through_c(tiny):
    table = recommend_for_customers(tiny, cosine(tiny), customers=["c2"])
    assert table[["item", "because"]].values.tolist() == [["D", "C"]]
    assert table["score"].iloc[0] == pytest.approx(1 / math.sqrt(3))


def rules_frame(*rows: tuple[str, str, float, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["antecedent", "consequent", "confidence", "lift"])


def test_an_item_only_the_rules_link_gets_a_score_from_them(tiny):
    similarity = cosine(tiny)
    rules = rules_frame(("A", "D", 0.8, 2.0), ("A; B", "D", 0.5, 1.5), ("A", "Unknown item", 0.9, 3.0))
    without = recommend_for_customers(tiny, similarity, customers=["c5"])
    assert "D" not in without["item"].tolist()  # S[A, D] = 0
    blended = recommend_for_customers(tiny, similarity, customers=["c5"], rules=rules, rules_weight=0.3)
    # candidates B, C, D: cf 2/3, 1/3, 0 → cf_norm 1, 0.5, 0; score = 0.7 · cf_norm + 0.3 · confidence
    assert blended["item"].tolist() == ["B", "C", "D"]
    np.testing.assert_allclose(blended["score"], [0.7, 0.35, 0.3 * 0.8])
    d = blended.set_index("item").loc["D"]
    assert d["because"] == "A" and d["rule_confidence"] == 0.8 and d["cf_norm"] == 0
    # the two-item antecedent "A; B" applies to c1 only (c5 lacks B); c1's best rule for D is still A → D
    c1 = recommend_for_customers(tiny, similarity, customers=["c1"], rules=rules).set_index("item")
    assert c1.loc["D", "rule_confidence"] == 0.8 and c1.loc["C", "score"] == pytest.approx(0.7)
    only_pair = recommend_for_customers(tiny, similarity, customers=["c1", "c5"], rules=rules.iloc[[1]])
    assert only_pair.query("item == 'D'")[["customer_id", "because"]].values.tolist() == [["c1", "A; B"]]
    no_rules = recommend_for_customers(tiny, similarity, customers=["c5"], rules=rules.iloc[:0])
    np.testing.assert_allclose(no_rules["score"], [0.7, 0.35])


def test_bought_together_adds_the_rule_lift(tiny):
    rules = rules_frame(("A", "B", 0.67, 1.25), ("A", "D", 0.3, 4.0), ("A; C", "B", 1.0, 9.0))
    table = bought_together(cosine(tiny), tiny.items, item="A", rules=rules)
    assert table["item"].tolist() == ["B", "C", "D"]  # D: no customer links it, a rule does
    np.testing.assert_allclose(table["score"], [2 / 3, 1 / 3, 0])
    np.testing.assert_allclose(table["lift"], [1.25, np.nan, 4.0])  # only rules from A alone


@pytest.fixture(scope="module")
def demo(demo_rows):
    before = demo_rows.copy()
    matrix = purchase_matrix(demo_rows)
    pd.testing.assert_frame_equal(demo_rows, before)
    return matrix, item_similarity(matrix)


@pytest.mark.parametrize("a, b", [("Aurora Espresso Machine", "Velvet Milk Frother"),
                                  ("Pure Air Purifier", "Pure Air HEPA Filter"),
                                  ("Summit Two-Person Tent", "Ember Camp Stove")])
def test_demo_planted_pairs_are_each_others_top_partner(demo, a, b):
    matrix, similarity = demo
    for item, partner in ((a, b), (b, a)):
        top = bought_together(similarity, matrix.items, item=item, k=2)
        assert top["item"].iloc[0] == partner
        # seed 7: the partner scores 0.055–0.066, about twice the runner-up (0.028–0.034)
        assert top["score"].iloc[0] >= 1.5 * top["score"].iloc[1]


def test_demo_rules_from_mine_rules_blend_in(demo, demo_rows):
    matrix, similarity = demo
    rules = mine_rules(build_baskets(demo_rows), min_support=0.005).rules
    # DEMO.md fact 6: lift 9.2 over orders for the espresso machine and its frother
    top = bought_together(similarity, matrix.items, item="Aurora Espresso Machine", rules=rules)
    assert top["item"].iloc[0] == "Velvet Milk Frother" and top["lift"].iloc[0] >= 5
    table = recommend_for_customers(matrix, similarity, rules=rules)
    assert (table["rule_confidence"] > 0).any()
    np.testing.assert_allclose(table["score"], 0.7 * table["cf_norm"] + 0.3 * table["rule_confidence"])


def test_demo_recommendations_are_complete(demo):
    matrix, similarity = demo
    table = recommend_for_customers(matrix, similarity)
    assert table["customer_id"].nunique() == len(matrix.customers) == 3_000
    assert table.groupby("customer_id").size().max() == 10 and (table["score"] > 0).all()
    owned = set(zip(*matrix.matrix.nonzero()))
    codes = zip(matrix.customers.get_indexer(table["customer_id"]), matrix.items.get_indexer(table["item"]))
    assert not owned & set(codes)


def test_no_customer_column_says_what_is_needed():
    with pytest.raises(ValueError, match="Product recommendations need a customer column.*'customer_id'.*item column"):
        purchase_matrix(pd.DataFrame({"order_id": ["1"], "item": ["tea"]}))
    with pytest.raises(ValueError, match="customer ids.*empty"):
        purchase_matrix(pd.DataFrame({"customer_id": [None, " "], "item": ["tea", "cup"]}))
    with pytest.raises(ValueError, match="no item or product values"):
        purchase_matrix(pd.DataFrame({"customer_id": ["a"], "item": [None]}))


def test_an_empty_frame_is_refused():
    for frame in (pd.DataFrame(), pd.DataFrame(columns=["customer_id", "order_id", "item", "timestamp"])):
        with pytest.raises(ValueError, match="Product recommendations need"):
            purchase_matrix(frame)


def test_bad_options_are_refused(tiny):
    similarity = cosine(tiny)
    with pytest.raises(ValueError, match="shrink=-1"):
        item_similarity(tiny, shrink=-1)
    with pytest.raises(ValueError, match="weighting='idf'"):
        item_similarity(tiny, weighting="idf")
    with pytest.raises(ValueError, match="item_source='sku'"):
        purchase_matrix(tiny_rows(), item_source="sku")
    with pytest.raises(ValueError, match="k=0"):
        recommend_for_customers(tiny, similarity, k=0)
    with pytest.raises(ValueError, match="rules_weight=1.5"):
        recommend_for_customers(tiny, similarity, rules_weight=1.5)
    with pytest.raises(ValueError, match="3 × 3 for 4 items"):
        recommend_for_customers(tiny, similarity[:3, :3])
    with pytest.raises(ValueError, match=r"rules lack the columns \['confidence'\]"):
        recommend_for_customers(tiny, similarity, rules=pd.DataFrame({"antecedent": ["A"], "consequent": ["B"]}))
    with pytest.raises(ValueError, match=r"\['zz'\] are not customers"):
        recommend_for_customers(tiny, similarity, customers=["c1", "zz"])
    with pytest.raises(ValueError, match="'a' is not an item.*Did you mean 'A'"):
        bought_together(similarity, tiny.items, item="a")
