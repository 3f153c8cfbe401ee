"""Every page under AppTest: empty store, demo dataset, one-row dataset; plus behaviour through the UI."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.ingest import import_file
from analytics.mapping import suggest_mapping
from analytics.readers import profile_file
from analytics.store import Store
from pages import shared

PAGES = [shared.OVERVIEW_PAGE, shared.SENTIMENT_PAGE, shared.DATA_PAGE, shared.MODELS_PAGE]
APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=120)


def _import_csv(home: Path, name: str, content: str) -> str:
    store = Store.open_default()
    try:
        store.set_setting("demo_seeded", "yes")
        path = home / name
        path.write_text(content, encoding="utf-8")
        profile = profile_file(path)
        report = import_file(store, profile, suggest_mapping(profile.preview).mapping)
        return report.dataset_id
    finally:
        store.close()


def _run_page(page: str) -> AppTest:
    at = _app()
    at.run()
    if page != shared.OVERVIEW_PAGE:
        at.switch_page(page)
        at.run()
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("page", PAGES)
def test_page_with_empty_store(home, page):
    store = Store.open_default()
    store.set_setting("demo_seeded", "yes")  # an analyst who deleted everything
    store.close()
    at = _run_page(page)
    assert not at.exception, at.exception
    if page == shared.OVERVIEW_PAGE:
        assert any("no dataset yet" in info.value.lower() for info in at.info)


@pytest.mark.parametrize("page", PAGES)
def test_page_with_demo_dataset(demo_home, page):
    at = _run_page(page)
    assert not at.exception, at.exception
    if page == shared.OVERVIEW_PAGE:
        assert [m.label for m in at.metric] == [
            "Interactions", "Mean rating", "% negative", "Net sentiment", "Expectation gap"]
        assert all(m.value not in ("", "–") for m in at.metric)


@pytest.mark.parametrize("page", PAGES)
def test_page_with_one_row_dataset(home, page):
    _import_csv(home, "one.csv", "comment,stars\nGreat service!,5\n")
    at = _run_page(page)
    assert not at.exception, at.exception
    if page == shared.OVERVIEW_PAGE:
        assert _metric(at, "Interactions") == "1"
        assert _metric(at, "Mean rating").startswith("5.00")


def test_first_start_imports_the_demo(home):
    at = _app()
    at.run()
    assert not at.exception
    assert at.sidebar.selectbox(key=shared.ACTIVE_DATASET).value is not None
    assert int(_metric(at, "Interactions").replace(",", "")) > 0


def test_filters_change_the_kpis(demo_home):
    at = _app()
    at.run()
    at.segmented_control(key="overview_period").set_value("Whole selection").run()
    everything = int(_metric(at, "Interactions").replace(",", ""))
    at.sidebar.multiselect(key=shared.FILTER_CHANNELS).set_value(["chat"]).run()
    chats = int(_metric(at, "Interactions").replace(",", ""))
    assert 0 < chats < everything
    # Filters survive a page change and a return.
    at.switch_page(shared.DATA_PAGE).run()
    at.switch_page(shared.OVERVIEW_PAGE).run()
    assert at.sidebar.multiselect(key=shared.FILTER_CHANNELS).value == ["chat"]
    assert int(_metric(at, "Interactions").replace(",", "")) == chats


def test_remapping_a_column_changes_the_overview(home):
    rows = "".join(f"{t},{a},{b}\n" for t, a, b in [("ok", 5, 1), ("fine", 4, 2), ("meh", 5, 1), ("bad", 4, 2)])
    dataset_id = _import_csv(home, "two_scores.csv", "comment,stars,other_score\n" + rows)
    at = _app()
    at.run()
    assert _metric(at, "Mean rating").startswith("4.50")
    at.switch_page(shared.DATA_PAGE).run()
    at.selectbox(key=f"remap_{dataset_id}_rating").set_value("other_score")
    next(b for b in at.button if b.label == "Re-map and rebuild").click().run()
    assert not at.exception, at.exception
    at.switch_page(shared.OVERVIEW_PAGE).run()
    assert _metric(at, "Mean rating").startswith("1.50")


def test_bad_upload_shows_a_message_and_keeps_datasets(demo_home, tmp_path):
    """Profiling is what the upload widget triggers; AppTest cannot upload, so call the same path."""
    bad = tmp_path / "junk.csv"
    bad.write_bytes(bytes(range(256)) * 50)
    with pytest.raises(ValueError):
        profile_file(bad)
    at = _app()
    at.run()
    assert not at.exception
    assert int(_metric(at, "Interactions").replace(",", "")) > 0


@pytest.mark.parametrize("page", PAGES)
def test_frame_survives_reruns(demo_home, page):
    """A rerun must execute app.py (frame + filters), not the page file alone."""
    at = _run_page(page)
    at.run()
    at.run()
    assert not at.exception
    assert at.sidebar.selectbox(key=shared.ACTIVE_DATASET).value is not None
    assert at.sidebar.multiselect(key=shared.FILTER_CHANNELS) is not None


def test_clicked_bar_lists_its_verbatims(demo_home):
    from analytics.drilldown import DrillDown

    at = _app()
    at.run()
    at.session_state[shared.OVERVIEW_DRILL] = DrillDown("channel", "phone")
    at.run()
    assert not at.exception
    assert any("channel = phone" in info.value for info in at.info)
    shown = at.dataframe[0].value
    assert len(shown) > 0 and set(shown["channel"]) == {"phone"}
    next(b for b in at.button if b.label == "Show all").click().run()
    assert set(at.dataframe[0].value["channel"]) > {"phone"}


def test_sentiment_scores_once_and_shows_the_mix(demo_home):
    from analytics.predictions import LEXICON_MODEL_ID, load_predictions

    at = _app()
    at.run()
    at.switch_page(shared.SENTIMENT_PAGE).run()
    assert not at.exception
    assert [m.label for m in at.metric] == ["% negative text", "% positive text", "Net sentiment"]
    store = shared.get_store()
    dataset_id = at.sidebar.selectbox(key=shared.ACTIVE_DATASET).value
    stored = load_predictions(store, dataset_id, LEXICON_MODEL_ID)
    assert len(stored) > 19_000
    at.run()  # a rerun reads the store instead of scoring again
    assert not at.progress
    assert len(load_predictions(store, dataset_id, LEXICON_MODEL_ID)) == len(stored)


def test_sentiment_without_text_says_what_to_map(home):
    _import_csv(home, "ratings_only.csv", "stars,when\n5,2025-01-01\n2,2025-01-02\n")
    at = _app()
    at.run()
    at.switch_page(shared.SENTIMENT_PAGE).run()
    assert not at.exception
    assert any("needs a text column" in info.value for info in at.info)
