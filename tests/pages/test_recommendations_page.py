"""The Recommendations page and the Overview's "What to do first" in AppTest: actions, evidence links, products."""
from __future__ import annotations

import datetime as dt
import re

from streamlit.testing.v1 import AppTest

from pages.common import keys
from tests.pages.test_pages import APP, _import_csv, open_page


def _page(tab: str | None = None) -> AppTest:
    at = open_page(keys.RECOMMENDATIONS_PAGE)
    if tab is not None:  # only the open tab runs
        at.session_state[keys.REC_TAB] = tab
        at.run()
        assert not at.exception, at.exception
    return at


def _score_parts(text: str) -> tuple[float, list[float]]:
    """The numbers of a printed "score S = volume share a × negativity b × |gap| c (…) × trend d" line."""
    score = float(re.match(r"score ([0-9.]+) = ", text).group(1))
    return score, [float(v) for v in re.findall(r"(?:volume share|negativity|\|gap\||trend) ([0-9.]+)", text)]


def test_the_actions_print_their_formula_and_parts_and_quote_typical_complaints(scored_demo_home):
    at = _page()
    assert not at.exception, at.exception
    assert at.text[0].value.startswith("score = volume share × negativity × gap part × trend")
    assert any("left out for fewer than 30 mentions" in c.value for c in at.caption)
    score, parts = _score_parts(at.text[1].value)
    assert len(parts) == 4
    product = 1.0
    for part in parts:
        product *= part
    assert abs(product - score) <= 0.0005 + 0.02 * score  # the printed parts are rounded
    quotes = [t.value for t in at.text[3:6]]
    assert len(quotes) == 3 and all(q.startswith("“") and "(INT-" in q for q in quotes)
    assert at.expander[0].label.startswith("\\#1 ")
    assert "rec_report" in [b.key for b in at.get("download_button")]  # the view as an HTML report


def test_in_the_march_2025_window_delivery_is_the_first_action(scored_demo_home):
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.session_state[keys.FILTER_DATES] = (dt.date(2025, 2, 15), dt.date(2025, 4, 15))
    at.switch_page(keys.RECOMMENDATIONS_PAGE).run()
    assert not at.exception, at.exception
    assert at.expander[0].label.startswith("\\#1 delivery")


def test_following_an_action_opens_its_evidence_with_the_filters_preset(scored_demo_home):
    at = _page()
    first = at.expander[0].label.replace("\\", "")
    dimension = first.split(" ", 1)[1].split(" · ")[0]
    next(b for b in at.button if b.key == "rec_follow_1").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Expectation gap"
    assert at.selectbox(key="gap_by").value == "dimension"
    assert at.selectbox(key="gap_evidence_dimension").value == dimension


def test_the_overview_lists_what_to_do_first_once_the_sentences_are_scored(demo_home):
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not [b for b in at.button if (b.key or "").startswith("overview_action_")]  # nothing scored yet
    assert any("open the Recommendations page once" in c.value for c in at.caption)
    at.switch_page(keys.RECOMMENDATIONS_PAGE).run()  # scores the sentences, once per dataset version
    at.switch_page(keys.OVERVIEW_PAGE).run()
    actions = [b for b in at.button if (b.key or "").startswith("overview_action_")]
    assert len(actions) == 3 and actions[0].label.startswith("\\#1 ")
    actions[1].click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Recommendations"
    assert at.session_state[keys.REC_FOCUS] == 2


def test_products_for_a_customer_bought_together_and_the_offline_evaluation(scored_demo_home):
    at = _page("Products for customers")
    recommended = at.dataframe[0].value
    assert 0 < len(recommended) <= 10 and list(recommended["rank"]) == list(range(1, len(recommended) + 1))
    at.selectbox(key="rec_item").set_value("Aurora Espresso Machine").run()
    assert at.dataframe[1].value["item"].iloc[0] == "Velvet Milk Frother"  # the planted pair (DEMO.md fact 6)
    next(b for b in at.button if b.key == "rec_evaluate").click().run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    cf, popularity = (float(metrics[k].rstrip("%")) for k in ("Collaborative filtering", "Popularity baseline"))
    assert cf > popularity


def test_no_text_and_no_customer_say_what_is_needed(home):
    _import_csv(home, "ratings.csv", "rating,product\n5,Lamp\n1,Desk\n3,Lamp\n")
    at = _page()
    assert "map a text column" in " ".join(i.value for i in at.info)
    at.session_state[keys.REC_TAB] = "Products for customers"
    at.run()
    assert not at.exception, at.exception
    assert "customer" in " ".join(i.value for i in at.info).lower()


def test_per_product_with_the_advertised_gap_the_planted_products_come_first(scored_demo_home):
    """The four products that fall short of their advertised rating (DEMO.md fact 5) are the first four products."""
    at = _page()
    at.selectbox(key="rec_gap_source").set_value("advertised")
    at.multiselect(key="rec_slices").set_value(["product"]).run()
    assert not at.exception, at.exception
    products = list(dict.fromkeys(e.label.replace("\\", "").split(" · product ")[1] for e in at.expander))
    assert set(products[:4]) == {"Zephyr Air Fryer", "Brook Cold Brew Maker", "Nimbus Memory Foam Pillow",
                             "Drift Inflatable Kayak"}
