"""The Associations page in AppTest: the demo's planted pairs, guard rails, order lines, datasets without baskets."""
from __future__ import annotations

import random

from streamlit.testing.v1 import AppTest

from analytics.store.rules import load_rules
from pages.common import keys
from pages.common.loaders import get_store
from tests.pages.test_pages import _import_csv, open_page

PLANTED = [{"Aurora Espresso Machine", "Velvet Milk Frother"}, {"Pure Air Purifier", "Pure Air HEPA Filter"},
           {"Summit Two-Person Tent", "Ember Camp Stove"}]


def _page() -> AppTest:
    return open_page(keys.ASSOCIATIONS_PAGE)


def _mine(at: AppTest, **numbers) -> AppTest:
    for label, value in numbers.items():
        next(n for n in at.number_input if n.label.startswith(label)).set_value(value)
    next(b for b in at.button if b.label == "Mine rules").click().run()
    assert not at.exception, at.exception
    return at


def test_the_demo_rules_put_the_planted_pairs_first_and_are_stored(demo_home):
    at = _page()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Orders"] == "17,513" and metrics["Distinct items"] == "40"
    _mine(at)
    rules = at.dataframe[0].value
    top = [{a, c} for a, c in zip(rules["antecedent"][:6], rules["consequent"][:6], strict=True)]
    assert all(pair in PLANTED for pair in top) and all(pair in top for pair in PLANTED)
    sentences = [t.value for t in at.text]
    assert sentences[0].startswith("Customers who buy ") and " orders" in sentences[0]
    assert any("orders hold both sides" in c.value for c in at.caption)
    stored = load_rules(get_store(), get_store().list_datasets()[0].id, "order_items")
    assert stored is not None and len(stored.rules) == len(rules) and stored.params["min_support"] == 0.01
    again = at.run()  # a rerun with nothing changed reuses the cached rules
    assert not again.exception and len(again.dataframe[0].value) == len(rules)


def test_an_exploding_search_stops_with_what_to_change(home):
    rng = random.Random(0)
    items = [f"item{i}" for i in range(30)]
    lines = "".join(f"o{o},{';'.join(rng.sample(items, 26))}\n" for o in range(300))
    _import_csv(home, "dense.csv", "order_id,items\n" + lines)
    at = _page()
    next(s for s in at.selectbox if s.label == "Max items per rule").select_index(4)  # "no limit"
    _mine(at)
    assert any("too large for this machine" in e.value and "Cap max length at 3 or raise min support to 82 %" in e.value for e in at.error), \
        [e.value for e in at.error]


def test_order_lines_with_cancellations_and_returns_are_set_aside(home):
    lines = ("InvoiceNo,Description,Quantity,CustomerID\n"
             "1001,TEA CUP,2,c1\n1001,SAUCER,2,c1\n1002,TEA CUP,1,c2\n1002,SAUCER,1,c2\n"
             "C1003,TEA CUP,-1,c1\n1004,SAUCER,-3,c3\n1004,TEA CUP,1,c3\n1005,SPOON,1,c2\n")
    _import_csv(home, "lines.csv", lines)
    at = _page()
    assert next(s for s in at.selectbox if s.label.startswith("Quantity column")).value == "source: Quantity"
    assert any("Set aside: 1 cancellations (invoice 'C…'), 1 zero or negative quantity" in c.value for c in at.caption)
    _mine(at, **{"Min support": 10.0})
    rules = at.dataframe[0].value
    assert {"TEA CUP", "SAUCER"} == {rules["antecedent"][0], rules["consequent"][0]}


def test_a_dataset_without_baskets_says_what_to_map(home):
    _import_csv(home, "ratings.csv", "rating,channel\n1,web\n5,app\n")
    at = _page()
    assert any("Rules need baskets" in i.value for i in at.info)
    assert any("map an order column" in c.value for c in at.caption)
    assert any("map a text column to build word baskets" in c.value for c in at.caption)


def test_texts_alone_give_word_baskets_and_rules(home):
    _import_csv(home, "tweets.csv", "text,rating\n" + "".join(f"late parcel and rude courier #{i},1\n"
                                                             f"lovely crew and great food #{i},5\n" for i in range(6))
                + "one-off words here,3\n")
    at = _page()
    assert at.radio(key="rules_kind").value == "interaction_words"
    at = _mine(at)
    assert not at.exception, at.exception
    assert any("Interactions that mention courier also mention" in t.value for t in at.text), \
        [t.value for t in at.text][:10]


def test_texts_without_recurring_words_say_so(home):
    _import_csv(home, "few.csv", "text,rating\nlate again,1\nlovely crew,5\n")
    assert any("No word is in at least 2 of the 2 texts" in e.value for e in _page().error)


def test_one_order_gives_a_note_not_a_crash(home):
    _import_csv(home, "one.csv", "order_id,items\no1,tea\n")
    at = _mine(_page())
    assert any("Each of the 1 orders holds a single item" in i.value for i in at.info), [i.value for i in at.info]


def test_orders_that_are_all_cancelled_say_so(home):
    _import_csv(home, "cancelled.csv", "InvoiceNo,Description,Quantity\nC1,TEA CUP,-1\nC2,SAUCER,-2\n")
    at = _page()
    assert any("No orders are left once 2 of 2 rows are set aside" in e.value for e in at.error), \
        [e.value for e in at.error]
