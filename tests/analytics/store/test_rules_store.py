"""Stored association rules: a round trip of mined rules, one set per dataset and kind, removal with the dataset."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.insights import rules as insights
from analytics.insights.baskets import CUSTOMER_TOPICS, INTERACTION_TOPICS, ORDER_ITEMS, build_baskets
from analytics.store import rules as stored
from analytics.store.rules import delete_rules, load_rules, save_rules
from tests.analytics.insights.test_rules import TEXTBOOK, order_lines


@pytest.fixture(scope="module")
def mined():
    return insights.mine_rules(build_baskets(order_lines(TEXTBOOK)), min_support=0.4, min_confidence=0.0,
                               min_lift=0.0)


def test_mined_rules_round_trip(store, mined):
    # 8 frequent pairs give 2 rules each, 4 frequent triples 6 each.
    assert save_rules(store, "ds1", 3, ORDER_ITEMS, mined.rules, mined.params) == len(mined.rules) == 40
    back = load_rules(store, "ds1", ORDER_ITEMS)
    assert (back.dataset_id, back.basket_kind, back.version) == ("ds1", "order_items", 3)
    assert back.params == mined.params  # max_len None survives JSON
    pd.testing.assert_frame_equal(back.rules, mined.rules.reset_index(drop=True), check_dtype=False)
    assert back.rules["n_baskets"].dtype == np.int64
    # The capped conviction (beer → diapers, confidence 1) is stored as the finite cap.
    row = back.rules[(back.rules["antecedent"] == "beer") & (back.rules["consequent"] == "diapers")]
    assert row["conviction"].tolist() == [insights.CONVICTION_CAP]


def test_the_store_keeps_the_columns_of_the_insights_table():
    assert stored.RULE_COLUMNS == insights.RULE_COLUMNS


def test_saving_again_replaces_and_kinds_stay_apart(store, mined):
    save_rules(store, "ds1", 1, ORDER_ITEMS, mined.rules, {"min_support": 0.4})
    save_rules(store, "ds1", 2, ORDER_ITEMS, mined.rules.head(3), {"min_support": 0.5})
    save_rules(store, "ds1", 2, CUSTOMER_TOPICS, mined.rules.head(1), {})
    latest = load_rules(store, "ds1", ORDER_ITEMS)
    assert (latest.version, latest.params, len(latest.rules)) == (2, {"min_support": 0.5}, 3)
    assert latest.rules["antecedent"].tolist() == mined.rules["antecedent"].head(3).tolist()  # saved order
    assert len(load_rules(store, "ds1", CUSTOMER_TOPICS).rules) == 1
    assert load_rules(store, "ds2", ORDER_ITEMS) is None


def test_delete_one_kind_or_the_whole_dataset(store, mined):
    for dataset in ("ds1", "ds2"):
        for kind in (ORDER_ITEMS, INTERACTION_TOPICS):
            save_rules(store, dataset, 1, kind, mined.rules, {})
    assert delete_rules(store, "ds1", INTERACTION_TOPICS) == 1
    assert load_rules(store, "ds1", INTERACTION_TOPICS) is None
    assert load_rules(store, "ds1", ORDER_ITEMS) is not None
    assert delete_rules(store, "ds1") == 1
    assert load_rules(store, "ds1", ORDER_ITEMS) is None
    assert len(load_rules(store, "ds2", ORDER_ITEMS).rules) == len(mined.rules)  # other datasets stay
    count = store.cursor().execute("SELECT count(*) FROM association_rules WHERE dataset_id = 'ds1'").fetchone()[0]
    assert count == 0


def test_a_fresh_store_has_no_rules_and_deletes_nothing(store):
    assert load_rules(store, "ds1", ORDER_ITEMS) is None
    assert delete_rules(store, "ds1") == 0


def test_empty_rules_are_a_saved_result(store, mined):
    save_rules(store, "ds1", 1, ORDER_ITEMS, mined.rules.iloc[:0], {"min_support": 0.9})
    back = load_rules(store, "ds1", ORDER_ITEMS)
    assert back.rules.empty and back.params == {"min_support": 0.9}


def test_bad_tables_are_refused_and_change_nothing(store, mined):
    save_rules(store, "ds1", 1, ORDER_ITEMS, mined.rules, {})
    with pytest.raises(ValueError, match=r"lacks the columns \['lift'\]"):
        save_rules(store, "ds1", 2, ORDER_ITEMS, mined.rules.drop(columns="lift"), {})
    with pytest.raises(ValueError, match="finite"):
        save_rules(store, "ds1", 2, ORDER_ITEMS, mined.rules.assign(conviction=np.inf), {})
    assert load_rules(store, "ds1", ORDER_ITEMS).version == 1
