"""The Segments page in AppTest: defaults, an overridden k, saving, and the segment filter on every page."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from analytics.store.segments import delete_segmentation, list_segmentations
from pages.common import keys
from pages.common.loaders import get_store
from tests.pages.reading import all_read
from tests.pages.test_pages import _import_csv, open_page


def _segments_page() -> AppTest:
    return open_page(keys.SEGMENTS_PAGE)


def _run(at: AppTest, k=None) -> AppTest:
    if k is not None:
        next(s for s in at.selectbox if s.label == "Number of segments").set_value(k)
    next(b for b in at.button if b.label == "Run segmentation").click().run()
    assert not at.exception, at.exception
    return at


def test_the_demo_segments_with_default_features_then_k_overridden_saved_and_used_as_a_filter(demo_home):
    at = _segments_page()
    ticked = next(m for m in at.multiselect if m.label == "Customer features").value
    assert set(ticked) >= {"recency_days", "frequency", "monetary_mean", "mean_rating", "phone_email_share"}
    assert any("no intent or topic model has tagged this dataset" in c.value for c in at.caption)
    assert any("RFM groups" in str(c.proto.spec) for c in at.get("plotly_chart"))  # RFM shows before any run
    _run(at)
    sizes = at.dataframe[0].value
    assert len(sizes) >= 2 and sizes["customers"].sum() == 3000
    _run(at, k=4)
    sizes = at.dataframe[0].value
    assert len(sizes) == 4 and sizes["customers"].sum() == 3000
    names = sizes["segment"].tolist()
    assert any("low ratings" in n for n in names)
    assert any("robust-scaled" in c.value for c in at.caption)

    next(t for t in at.text_input if t.label == "Save as").set_value("Demo segments")
    next(b for b in at.button if b.label == "Save segmentation").click().run()
    assert any("Saved 'Demo segments' (3,000 customers)" in s.value for s in at.success)
    saved = list_segmentations(get_store(), get_store().list_datasets()[0].id)
    assert [s.name for s in saved] == ["Demo segments"] and set(saved[0].segment_names.values()) == set(names)

    at.switch_page(keys.OVERVIEW_PAGE).run()
    everyone = at.metric[0].value
    at.selectbox(key=keys.FILTER_SEGMENTATION).set_value(saved[0].segmentation_id).run()
    unhappy = next(n for n in names if "low ratings" in n)
    at.multiselect(key=keys.FILTER_SEGMENTS).select(unhappy).run()
    assert not at.exception, at.exception
    assert at.metric[0].value != everyone
    assert f"segment (Demo segments): {unhappy}" in all_read(at.caption)
    at.switch_page(keys.SENTIMENT_PAGE).run()  # the filter survives page changes
    assert at.multiselect(key=keys.FILTER_SEGMENTS).value == [unhappy]
    assert f"segment (Demo segments): {unhappy}" in all_read(at.caption)

    delete_segmentation(get_store(), saved[0].segmentation_id)
    at.switch_page(keys.OVERVIEW_PAGE).run()
    assert any("segmentation the segment filter used was deleted" in c.value for c in at.caption)
    assert at.metric[0].value == everyone


def test_without_customers_the_page_says_which_column_enables_it(home):
    _import_csv(home, "tweets.csv", "text,rating\nlate again,1\nlovely crew,5\n")
    at = _segments_page()
    assert any("need a customer column" in i.value for i in at.info)


def test_too_few_customers_get_a_message_not_a_crash(home):
    _import_csv(home, "one.csv", "customer_id,text,rating,date\nc1,late,1,2025-01-01\n")
    at = _run(_segments_page())
    assert any("at least 3 customers" in e.value for e in at.error), [e.value for e in at.error]


def test_an_empty_store_points_to_the_data_page(home):
    from analytics.store.database import Store

    store = Store.open_default()
    store.set_setting("demo_seeded", "yes")  # an analyst deleted the demo
    store.close()
    at = _segments_page()
    assert any("There is no dataset yet" in i.value for i in at.info)
