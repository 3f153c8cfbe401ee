"""Every page under AppTest: empty store, demo dataset, one-row dataset; plus behaviour through the UI."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.ingest.mapping import suggest_mapping
from analytics.ingest.pipeline import import_file
from analytics.ingest.readers import profile_file
from analytics.store.database import Store
from pages.common import keys
from pages.common.loaders import get_store
from tests.pages.reading import all_read

PAGES = list(keys.ALL_PAGES)  # every page in the navigation
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
    if page != keys.OVERVIEW_PAGE:
        at.switch_page(page)
        at.run()
    return at


def open_page(page: str, *, timeout: int = 180) -> AppTest:
    """The app run once, then switched to ``page``, with no exception on the way."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
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
    if page == keys.OVERVIEW_PAGE:
        assert any("no dataset yet" in info.value.lower() for info in at.info)


def seed_stand_in_embeddings(home: Path) -> list[str]:
    """Seed the first dataset's embedding cache with random unit vectors (the real ones take minutes on a CPU)."""
    import numpy as np

    from models.flows.embedding_jobs import embeddings_path

    store = Store.open_default()
    info = store.list_datasets()[0]
    ids = store.load_rows(info.id)["record_id"].astype(str).tolist()
    store.close()
    vectors = np.random.default_rng(0).normal(size=(len(ids), 384))
    path = embeddings_path(info, home)  # its encoder's folder: MiniLM's, or the multilingual one for Chinese data
    path.parent.mkdir(exist_ok=True)
    np.savez(path, embeddings=(vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float16),
             record_ids=np.asarray(ids))
    return ids


@pytest.mark.parametrize("page", PAGES)
def test_page_with_demo_dataset(demo_home, page):
    if page == keys.TOPICS_PAGE:
        seed_stand_in_embeddings(demo_home)
    at = _run_page(page)
    assert not at.exception, at.exception
    if page == keys.OVERVIEW_PAGE:
        assert [m.label for m in at.metric] == [
            "Interactions", "Mean rating", "% negative", "Net sentiment", "Expectation gap"]
        assert all(m.value not in ("", "–") for m in at.metric)


@pytest.mark.parametrize("page", PAGES)
def test_page_with_one_row_dataset(home, page):
    _import_csv(home, "one.csv", "comment,stars\nGreat service!,5\n")
    at = _run_page(page)
    assert not at.exception, at.exception
    if page == keys.OVERVIEW_PAGE:
        assert _metric(at, "Interactions") == "1"
        assert _metric(at, "Mean rating").startswith("5.00")


def test_first_start_imports_the_demo(home):
    at = _app()
    at.run()
    assert not at.exception
    assert at.sidebar.selectbox(key=keys.ACTIVE_DATASET).value is not None
    assert int(_metric(at, "Interactions").replace(",", "")) > 0
    # The demo's sentences are read on that first start: a manager sees what to do first at once.
    assert len([b for b in at.button if (b.key or "").startswith("overview_action_")]) == 3


def test_filters_change_the_kpis(demo_home):
    at = _app()
    at.run()
    at.segmented_control(key="overview_period").set_value("Whole selection").run()
    everything = int(_metric(at, "Interactions").replace(",", ""))
    at.sidebar.multiselect(key=keys.FILTER_CHANNELS).set_value(["chat"]).run()
    chats = int(_metric(at, "Interactions").replace(",", ""))
    assert 0 < chats < everything
    # Filters survive a page change and a return.
    at.switch_page(keys.DATA_PAGE).run()
    at.switch_page(keys.OVERVIEW_PAGE).run()
    assert at.sidebar.multiselect(key=keys.FILTER_CHANNELS).value == ["chat"]
    assert int(_metric(at, "Interactions").replace(",", "")) == chats


def test_a_date_filter_keeps_the_deltas_against_the_quarter_before(demo_home):
    from datetime import date

    at = _app()
    at.run()
    at.sidebar.date_input(key=keys.FILTER_DATES).set_value((date(2025, 1, 1), date(2025, 3, 31))).run()
    assert not at.exception, at.exception
    interactions = next(m for m in at.metric if m.label == "Interactions")
    assert interactions.delta not in (None, "")
    assert "vs the 90 days before (2024-10-03 – 2024-12-31)" in all_read(at.caption)
    assert "data starts" not in " ".join(c.value for c in at.caption)


def test_the_search_placeholder_is_an_example_that_finds_verbatims(demo_home):
    at = _app()
    at.run()
    search = at.text_input(key="overview_query")
    example = search.placeholder.removeprefix("e.g. ")
    search.set_value(example).run()
    assert not at.exception, at.exception
    caption = next(c.value for c in at.caption if "matching interactions" in c.value)
    assert int(caption.split()[0].replace(",", "")) > 0, caption


def test_remapping_a_column_changes_the_overview(home):
    rows = "".join(f"{t},{a},{b}\n" for t, a, b in [("ok", 5, 1), ("fine", 4, 2), ("meh", 5, 1), ("bad", 4, 2)])
    dataset_id = _import_csv(home, "two_scores.csv", "comment,stars,other_score\n" + rows)
    at = _app()
    at.run()
    assert _metric(at, "Mean rating").startswith("4.50")
    at.switch_page(keys.DATA_PAGE).run()
    at.selectbox(key=f"remap_{dataset_id}_rating").set_value("other_score")
    next(b for b in at.button if b.label == "Re-map and rebuild").click().run()
    assert not at.exception, at.exception
    at.switch_page(keys.OVERVIEW_PAGE).run()
    assert _metric(at, "Mean rating").startswith("1.50")


def test_data_page_after_an_import_with_rejected_rows(home):
    """The import report and the Validation report tab both list the rejects: Rename, Re-map and Delete stay usable."""
    store = Store.open_default()
    store.set_setting("demo_seeded", "yes")
    path = home / "dupes.csv"
    path.write_text("id,comment,stars\n1,good,5\n1,again,4\n2,bad,1\n", encoding="utf-8")
    profile = profile_file(path)
    report = import_file(store, profile, suggest_mapping(profile.preview).mapping | {"record_id": "id"})
    store.close()
    assert report.rows_rejected == 1
    at = _app()
    at.run()
    at.session_state[keys.IMPORT_REPORT] = report.to_dict()
    at.switch_page(keys.DATA_PAGE).run()
    assert not at.exception, at.exception
    assert [t.label for t in at.tabs] == ["Preview", "Validation report", "Rename", "Re-map", "Survey constructs",
                                         "Delete"]
    assert any(b.label == "Re-map and rebuild" for b in at.button)
    assert any(c.label.startswith("Yes, delete") for c in at.checkbox)


def test_a_new_session_opens_the_dataset_last_chosen_and_selectors_keep_in_step(demo_home):
    newer = _import_csv(demo_home, "newer.csv", "comment,stars\nGreat service!,5\nAwful,1\n")
    at = _app()
    at.run()
    picker = at.sidebar.selectbox(key=keys.ACTIVE_DATASET)
    assert picker.value != newer  # the demo, not merely the newest import
    demo_id = picker.value
    picker.set_value(newer).run()
    at.switch_page(keys.DATA_PAGE).run()
    assert at.selectbox(key=keys.MANAGE_DATASET).value == newer  # Manage follows the sidebar

    again = _app()  # a new browser session
    again.run()
    assert again.sidebar.selectbox(key=keys.ACTIVE_DATASET).value == newer
    again.sidebar.selectbox(key=keys.ACTIVE_DATASET).set_value(demo_id).run()
    again.switch_page(keys.DATA_PAGE).run()
    assert again.selectbox(key=keys.MANAGE_DATASET).value == demo_id
    again.text_input(key=f"rename_{demo_id}").set_value("Northwind demo")
    next(b for b in again.button if b.label == "Rename").click().run()
    assert not again.exception, again.exception
    assert "Northwind demo" in again.sidebar.selectbox(key=keys.ACTIVE_DATASET).options
    assert "Northwind demo" in again.selectbox(key=keys.MANAGE_DATASET).options


def test_a_model_from_another_dataset_serves_only_once_picked(home):
    from analytics.store.model_rows import register_model, serving_model
    from models.jobs import list_jobs

    rated = _import_csv(home, "rated.csv", "comment,stars\nGreat service!,5\nAwful,1\n")
    tweets = _import_csv(home, "tweets.csv", "tweet_id,text\n1,late again\n2,thanks a lot\n")
    store = Store.open_default()
    register_model(store, model_id="m-rated", task="sentiment", name="Sentiment from ratings · rated.csv",
                   folder=str(home / "models" / "m-rated"), dataset_id=rated, labels=("negative", "positive"),
                   metrics={})
    store.close()
    at = _app()
    at.run()
    at.sidebar.selectbox(key=keys.ACTIVE_DATASET).set_value(tweets).run()
    at.switch_page(keys.SENTIMENT_PAGE).run()
    assert not at.exception, at.exception
    caption = all_read(at.caption)
    assert "model: VADER lexicon (baseline)" in caption
    assert [j for j in list_jobs(home=home) if j.dataset_id == tweets] == []  # nothing scores it behind the user's back
    picker = next(s for s in at.selectbox if s.label == "Sentiment model for this dataset")
    assert picker.value == "vader"
    assert "trained on rated.csv" in picker.format_func("m-rated")
    picker.set_value("m-rated").run()
    assert not at.exception, at.exception
    assert serving_model(get_store(), tweets, "sentiment").model_id == "m-rated"


def test_the_overview_of_a_text_only_dataset_uses_its_text_sentiment(home):
    texts = ["Terrible service, never again", "Absolutely love it, thank you!", "Great, fast and friendly",
             "Awful, broken on arrival", "Wonderful staff"]
    _import_csv(home, "texts.csv", "comment,date\n" + "".join(f'"{t}",2025-01-0{i + 1}\n' for i, t in enumerate(texts)))
    at = _app()
    at.run()
    assert _metric(at, "% negative") == "–"  # nothing scored yet: no ratings to fall back on
    at.switch_page(keys.SENTIMENT_PAGE).run()  # scores the texts once (VADER) and stores them
    at.switch_page(keys.OVERVIEW_PAGE).run()
    assert not at.exception, at.exception
    assert _metric(at, "% negative") == "40.0%" and _metric(at, "Net sentiment") == "20.0 pts"
    assert "scored by VADER lexicon (baseline)" in all_read(at.caption)
    assert any("Text sentiment over time" in (c.proto.spec or "") for c in at.get("plotly_chart"))


def test_controls_that_cannot_apply_are_replaced_by_one_line_naming_the_column(home):
    _import_csv(home, "undated.csv", "comment,stars\nGreat service!,5\nAwful wait,1\nFine,3\n")
    at = _app()
    at.run()
    assert not at.exception, at.exception
    assert [s.label for s in at.segmented_control] == []  # neither "Compare" nor "Trend by" without dates
    assert len(at.get("plotly_chart")) == 1  # the rating mix; no trend, no "No data" boxes
    hint = " ".join(c.value for c in at.caption)
    assert "Map a date column to compare periods and see trends" in hint
    assert "a channel or category column to break the interactions down" in hint
    at.switch_page(keys.SENTIMENT_PAGE).run()
    assert [s.label for s in at.segmented_control if s.label == "Per"] == []


def test_small_samples_show_their_n_and_a_grey_change(home):
    # 8 interactions in the last 90 days after 60 good ones: a drop in rating that 8 rows cannot prove.
    old = "".join(f"Lovely {i},5,2024-0{1 + i % 6}-1{i % 9}\n" for i in range(60))
    new = "".join(f"Not good {i},2,2024-10-0{1 + i}\n" for i in range(8))
    _import_csv(home, "sparse.csv", "comment,stars,date\n" + old + new)
    at = _app()
    at.run()
    mean = next(m for m in at.metric if m.label == "Mean rating")
    assert mean.proto.delta.startswith("-") and "color: GRAY" in str(mean.proto)  # not red: n is too small
    captions = [c.value for c in at.caption]
    assert "n = 8 interactions" in captions and "n = 8 rated" in captions


def test_after_a_remap_every_interaction_is_scored_again(home):
    rows = "".join(f"r{i},Great stay number {i},Awful stay number {i},5\n" for i in range(6))
    dataset_id = _import_csv(home, "two_texts.csv", "review_id,review,other_text,stars\n" + rows)
    at = _app()
    at.run()
    at.switch_page(keys.SENTIMENT_PAGE).run()
    assert "6 of 6 interactions scored" in " ".join(c.value for c in at.caption)
    at.switch_page(keys.DATA_PAGE).run()
    at.selectbox(key=f"remap_{dataset_id}_text").set_value("other_text")
    next(b for b in at.button if b.label == "Re-map and rebuild").click().run()
    assert not at.exception, at.exception
    at.switch_page(keys.SENTIMENT_PAGE).run()
    caption = " ".join(c.value for c in at.caption)
    assert "6 of 6 interactions scored" in caption, caption
    assert _metric(at, "% negative text") == "100.0%"  # the new texts, not the old predictions


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
    assert at.sidebar.selectbox(key=keys.ACTIVE_DATASET).value is not None
    assert at.sidebar.multiselect(key=keys.FILTER_CHANNELS) is not None


def test_clicked_bar_lists_its_verbatims(demo_home):
    from analytics.insights.drilldown import DrillDown

    at = _app()
    at.run()
    at.session_state[keys.OVERVIEW_DRILL] = DrillDown("channel", "phone")
    at.run()
    assert not at.exception
    assert "channel = phone" in all_read(at.info)
    shown = at.dataframe[0].value
    assert len(shown) > 0 and set(shown["channel"]) == {"phone"}
    next(b for b in at.button if b.label == "Show all").click().run()
    assert set(at.dataframe[0].value["channel"]) > {"phone"}


def test_sentiment_scores_once_and_shows_the_mix(demo_home):
    from analytics.store.predictions import LEXICON_MODEL_ID, load_predictions

    at = _app()
    at.run()
    at.switch_page(keys.SENTIMENT_PAGE).run()
    assert not at.exception
    assert [m.label for m in at.metric] == ["% negative text", "% positive text", "Net sentiment"]
    store = get_store()
    dataset_id = at.sidebar.selectbox(key=keys.ACTIVE_DATASET).value
    stored = load_predictions(store, dataset_id, LEXICON_MODEL_ID)
    assert len(stored) > 19_000
    at.run()  # a rerun reads the store instead of scoring again
    assert not at.progress
    assert len(load_predictions(store, dataset_id, LEXICON_MODEL_ID)) == len(stored)


def test_sentiment_without_text_says_what_to_map(home):
    _import_csv(home, "ratings_only.csv", "stars,when\n5,2025-01-01\n2,2025-01-02\n")
    at = _app()
    at.run()
    at.switch_page(keys.SENTIMENT_PAGE).run()
    assert not at.exception
    assert any("needs a text column" in info.value for info in at.info)


REVIEWS = ("id,review,stars,when\n"
           "1,The flight was late and the crew was rude,5,2025-01-01\n"
           "2,Lovely crew and a smooth flight,5,2025-01-02\n"
           "3,Late again. Terrible service,1,2025-01-03\n"
           "4,Okay trip,3,2025-01-04\n")


def test_relabel_matching_rows_overrides_the_model_and_is_stored(home):
    from analytics.store.labels import load_labels

    dataset_id = _import_csv(home, "reviews.csv", REVIEWS)
    at = _app()
    at.run()
    at.switch_page(keys.SENTIMENT_PAGE).run()
    assert not at.exception
    before = _metric(at, "% negative text")
    at.text_input(key="sentiment_query").input("crew").run()
    at.radio(key="relabel_scope").set_value("matching")
    at.segmented_control(key="relabel_label").set_value("negative")
    next(b for b in at.button if b.label == "Save labels").click().run()
    assert not at.exception
    assert any("Labelled 2 rows 'negative'" in s.value for s in at.success)
    labels = load_labels(get_store(), dataset_id, "sentiment")
    assert sorted(labels["record_id"]) == ["1", "2"] and set(labels["label"]) == {"negative"}
    assert before == "50.0%" and _metric(at, "% negative text") == "75.0%"
    assert any("2 labelled by you" in c.value for c in at.caption)
    assert any(b.label == "Train again with my labels and cuts" for b in at.button)
    # Nothing selected in the table: relabelling "selected" rows says what to do and stores nothing.
    at.radio(key="relabel_scope").set_value("selected")
    next(b for b in at.button if b.label == "Save labels").click().run()
    assert any("Select at least one row" in e.value for e in at.error)
    assert len(load_labels(get_store(), dataset_id, "sentiment")) == 2


def test_explain_shows_which_words_drove_the_prediction(home):
    _import_csv(home, "reviews.csv", REVIEWS)
    at = _app()
    at.run()
    at.switch_page(keys.SENTIMENT_PAGE).run()
    at.selectbox(key="explain_record").set_value("3")
    at.toggle(key="explain_on").set_value(True).run()
    assert not at.exception
    assert any("Predicted **negative**" in c.value for c in at.caption)
    words = at.dataframe[-1].value
    assert words["word"].tolist()[:3] == ["Late", "again", "."]
    top = words.loc[words["score"].abs().idxmax()]
    assert top["word"] == "Terrible" and top["effect"] == "towards"


def test_rating_cuts_are_saved_per_dataset_and_checked(home):
    from analytics.store.rating_cuts import RatingCuts, load_cuts

    dataset_id = _import_csv(home, "reviews.csv", REVIEWS)
    at = _app()
    at.run()
    at.switch_page(keys.SENTIMENT_PAGE).run()
    assert any("≤ 2 negative, ≥ 4 positive (scale 1–5)" in e.label for e in at.expander)
    at.number_input(key="cuts_negative").set_value(1.0)
    at.number_input(key="cuts_positive").set_value(5.0)
    next(b for b in at.button if b.label == "Save for the next training run").click().run()
    assert not at.exception, at.exception
    store = get_store()
    assert load_cuts(store, store.get_dataset(dataset_id)) == RatingCuts(1.0, 5.0)
    assert any("≤ 1 negative, ≥ 5 positive" in e.label for e in at.expander)
    at.number_input(key="cuts_negative").set_value(3.0)
    at.number_input(key="cuts_positive").set_value(3.0)
    next(b for b in at.button if b.label == "Save for the next training run").click().run()
    assert "should satisfy 1 ≤ negative < positive ≤ 5" in all_read(at.error)
    assert load_cuts(store, store.get_dataset(dataset_id)) == RatingCuts(1.0, 5.0)
