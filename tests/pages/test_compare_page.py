"""The Compare page in AppTest: two channels of the demo, before / after a date, one value against the rest, bad input."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from pages.common import keys
from tests.pages.test_pages import _import_csv, open_page


def _page() -> AppTest:
    return open_page(keys.COMPARE_PAGE)


def test_phone_is_rated_below_review_on_the_demo_and_the_rest_is_corrected(demo_home):
    at = _page()
    at.selectbox(key="compare_column").set_value("channel").run()
    at.selectbox(key="compare_a_channel").set_value("review")
    at.selectbox(key="compare_b_channel").set_value("phone").run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["phone"]) < float(metrics["review"]) and metrics["Difference (B − A)"].startswith("-")
    verdict = at.text[0].value
    assert verdict.startswith("review is higher than phone") and "Welch t-test p < 0.001" in verdict
    assert any("Mann" in str(v) for v in at.dataframe[0].value["test"])  # both tests are reported
    at.selectbox(key="compare_rest_column").set_value("channel").run()
    rest = at.dataframe[-1].value
    assert set(rest["group"]) == {"review", "email", "chat", "phone", "survey"}
    assert bool(rest.set_index("group").loc["phone", "significant"])
    assert any("p-values adjusted with Holm" in c.value for c in at.caption)


def test_before_and_after_a_date(demo_home):
    at = _page()
    at.radio(key="compare_mode").set_value("Before / after a date").run()
    assert not at.exception, at.exception
    assert at.text[0].value and "before 20" in at.text[0].value


def test_a_group_of_one_gets_a_verdict_not_a_crash(home):
    _import_csv(home, "tiny.csv", "text,rating,channel\nok,4,email\nbad,1,phone\nfine,5,phone\ngreat,5,phone\n")
    at = _page()
    at.selectbox(key="compare_column").set_value("channel").run()
    at.selectbox(key="compare_a_channel").set_value("email")
    at.selectbox(key="compare_b_channel").set_value("phone").run()
    assert not at.exception, at.exception
    assert "n = 1" in " ".join(c.value for c in at.caption)
    assert at.text[0].value.startswith("Too little data: email has a single value; a test needs at least 2")


def test_nothing_to_compare_says_what_to_map(home):
    _import_csv(home, "plain.csv", "text\nhello\nagain\n")
    at = _page()
    assert any("Nothing to compare yet" in i.value for i in at.info)
