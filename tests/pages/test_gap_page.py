"""The Expectation gap page and the Overview's Largest gaps in AppTest: sources, planted gaps, focus, constructs, bad input."""
from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics.insights.dimensions import DIMENSION_KEYWORDS, keyword_regex
from pages.common import keys
from tests.pages.reading import as_read
from tests.pages.test_pages import APP, _import_csv, open_page

PLANTED = {"Zephyr Air Fryer", "Brook Cold Brew Maker", "Nimbus Memory Foam Pillow", "Drift Inflatable Kayak"}


def _page() -> AppTest:
    return open_page(keys.GAP_PAGE)


def _captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def test_the_demo_offers_every_source_but_survey_and_finds_the_planted_products(scored_demo_home):
    at = _page()
    source = at.selectbox(key="gap_source")
    assert source.options == ["Stated expectation (3,690 interactions)", "Advertised rating (20,000 interactions)",
                              "Prior average rating (19,994 interactions)"]
    assert "expe1–expe5" in _captions(at)  # the survey source says what would enable it
    source.set_value("advertised").run()
    at.selectbox(key="gap_by").set_value("product").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert set(table["product"].head(4)) == PLANTED
    assert (table["gap"].head(4) < -1.2).all()  # stars: (realised − advertised) ≈ −1.3 to −1.5
    assert (table["ci_high"].head(4) < 0).all() and table["enough"].head(4).all()
    assert "advertised rating shown before purchase" in _captions(at)
    at.selectbox(key="gap_evidence_product").set_value("Drift Inflatable Kayak").run()
    evidence = at.dataframe[1].value
    assert len(evidence) == 50 and set(evidence["product"]) == {"Drift Inflatable Kayak"}
    assert evidence["gap"].is_monotonic_increasing  # most negative first


def test_the_stated_expectation_by_category_misses_in_electronics_and_exceeds_in_garden(scored_demo_home):
    at = _page()
    at.selectbox(key="gap_by").set_value("category").run()
    table = at.dataframe[0].value.set_index("category")
    assert table["gap"].idxmin() == "Electronics" and table.loc["Electronics", "gap"] <= -0.5
    assert table["gap"].idxmax() == "Garden" and table.loc["Garden", "gap"] >= 0.5
    # Experience alone (SERVPERF) is shown beside the gap, on the 1–5 scale.
    assert table["experienced"].between(1, 5).all() and table["expected"].between(1, 5).all()


def test_the_prior_average_names_its_prior_strength_and_a_fixed_one_changes_it(scored_demo_home):
    at = _page()
    at.selectbox(key="gap_source").set_value("prior_mean").run()
    assert not at.exception, at.exception
    assert "prior strength k = 11" in _captions(at)
    at.number_input(key="gap_prior").set_value(50.0).run()
    assert "prior strength k = 50" in _captions(at)


def test_the_overview_lists_the_largest_gaps_and_a_click_opens_their_verbatims(demo_home):
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    buttons = [b for b in at.button if b.key and b.key.startswith("overview_gap_")]
    assert len(buttons) == 3
    first = as_read(buttons[0].label)
    product = first.split(" (product)")[0]
    assert product in PLANTED and "stars [" in first and "n = " in first
    assert any("Stated expectation" in c.value for c in at.caption)  # the gap KPI names its source
    buttons[0].click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Expectation gap"
    assert at.selectbox(key="gap_source").value == "explicit"
    assert at.selectbox(key="gap_by").value == "product"
    assert at.selectbox(key="gap_evidence_product").value == product
    assert set(at.dataframe[1].value["product"]) == {product}


def test_an_edited_cue_list_finds_only_its_phrases(scored_demo_home):
    at = _page()
    at.text_area(key=next(k for k in (t.key for t in at.text_area) if k.startswith("gap_cues_text_"))
                 ).set_value("was promised")
    next(b for b in at.button if b.label == "Apply the cue list").click().run()
    assert not at.exception, at.exception
    cues = next(d.value for d in at.dataframe if "cue" in d.value.columns and "outcome" in d.value.columns)
    assert len(cues) and set(cues["cue"]) == {"was promised"}


def test_no_expectation_source_says_which_column_enables_which_method(home):
    _import_csv(home, "plain.csv", 'text,rating\n"Great, as I expected",5\nNot what I expected at all,1\nFine,3\n')
    at = _page()
    assert not at.exception, at.exception
    assert any("No expectation source" in i.value for i in at.info)
    words = _captions(at)
    assert "Map an 'expected' column" in words and "Map an 'advertised' column" in words
    assert "Map a product column" in words and "expe1–expe5" in words
    assert any("missed" in c.value for c in at.caption)  # the text cues still work


def test_without_timestamps_the_market_signal_comes_from_the_advertised_column(home):
    rows = "\n".join(f"r{i},{p},{r},4.5" for i, (p, r) in enumerate([("Lamp", 5), ("Lamp", 2), ("Desk", 4),
                                                                         ("Desk", 1)] * 10))
    _import_csv(home, "noclock.csv", "id,product,rating,advertised_rating\n" + rows + "\n")
    at = _page()
    assert not at.exception, at.exception
    assert at.selectbox(key="gap_source").options == ["Advertised rating (40 interactions)"]
    assert "timestamps" in _captions(at)  # why the prior average is not offered


@pytest.mark.parametrize("content", [
    "text,rating,expected,product,created_at\nok,3,3,A,2024-01-01\nok,3,3,A,2024-01-02\nok,3,3,A,2024-01-03\n",  # equal
    "text,rating,expected\nthe delivery was late,2,4\nthe delivery was fine,4,4\n",  # a topic with 2 mentions
    "text,rating,product,created_at\nlovely,5,Solo,2024-01-01\n",  # a product whose first review is the only one
])
def test_thin_data_gets_numbers_or_messages_never_a_crash(home, content):
    _import_csv(home, "thin.csv", content)
    at = _page()
    assert not at.exception, at.exception
    for tab in ("gap_by", "gap_importance_method"):
        if any(s.key == tab for s in [*at.selectbox, *at.radio]):
            assert not at.exception


def test_survey_constructs_mapped_on_the_data_page_feed_the_gap_page(home, shared_data):
    path = shared_data / "ecsi-surveys" / "satisfaction_bank.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    dataset = _import_csv(home, "bank.csv", path.read_text(encoding="utf-8"))
    at = open_page(keys.DATA_PAGE)
    picked = at.multiselect(key=f"constructs_expectation_{dataset}")
    assert picked.value == ["expe1", "expe2", "expe3", "expe4", "expe5"]  # suggested from the expected column
    assert at.multiselect(key=f"constructs_experience_{dataset}").value == ["sat1", "sat2", "sat3", "sat4"]
    assert at.data_editor(key=f"constructs_ranges_{dataset}").value[["low", "high"]].drop_duplicates(
        ).values.tolist() == [[0.0, 10.0]]
    next(b for b in at.button if b.label == "Save the constructs").click().run()
    assert not at.exception, at.exception
    assert any("Saved" in s.value for s in at.success)
    at.switch_page(keys.GAP_PAGE).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="gap_source").value == "survey"  # the best source now
    assert "Survey constructs" in at.selectbox(key="gap_source").options[0]


def test_a_clicked_heatmap_cell_or_month_shows_the_interactions_behind_it(scored_demo_home):
    at = _page()
    at.selectbox(key="gap_heat_columns").set_value("category").run()
    at.session_state[keys.GAP_PICK] = {"by": ("dimension", "category"), "group": ("delivery", "Electronics")}
    at.run()
    assert not at.exception, at.exception
    assert "The interactions behind 'delivery × Electronics'" in _captions(at)
    cell = at.dataframe[1].value
    assert len(cell) and set(cell["category"]) == {"Electronics"}
    delivery = keyword_regex(DIMENSION_KEYWORDS["delivery"])
    assert cell["text"].str.contains(delivery, regex=True).mean() >= 0.9  # texts are cut at 300 characters
    at.session_state[keys.GAP_PICK] = {"by": "period", "group": "2025-03-01"}
    at.run()
    month = at.dataframe[1].value
    assert pd.to_datetime(month["timestamp"]).dt.strftime("%Y-%m").eq("2025-03").all()


def test_the_overview_gap_kpi_uses_the_advertised_rating_when_no_expected_column_exists(home):
    rows = "\n".join(f"r{i},{p},{r},4.5" for i, (p, r) in enumerate([("Lamp", 5), ("Lamp", 2), ("Desk", 4),
                                                                         ("Desk", 1)] * 10))
    _import_csv(home, "advertised.csv", "id,product,rating,advertised_rating\n" + rows + "\n")
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    gap = next(m for m in at.metric if m.label == "Expectation gap")
    assert gap.value.startswith("-1.50")  # mean rating 3.0 against 4.5 advertised
    assert "Market signal" in gap.help and "advertised" in gap.help
    assert any("Advertised rating" in c.value for c in at.caption)


def test_what_customers_say_about_a_dimension_lists_its_criticisms_first(scored_demo_home):
    at = _page()
    at.selectbox(key="gap_driver_dimension").set_value("delivery").run()
    assert not at.exception, at.exception
    said = next(d.value for d in at.dataframe if list(d.value.columns)[:3] == ["record_id", "polarity", "rating"])
    assert said["polarity"].iloc[0] == "negative" and set(said["polarity"]) <= {"negative", "neutral", "positive"}
    delivery = keyword_regex(DIMENSION_KEYWORDS["delivery"])
    assert said["sentence"].str.contains(delivery, regex=True).all()
    assert any("interactions mention delivery" in c for c in (c.value for c in at.caption))
