"""The Topics & intents page under AppTest on a small CSV, its embedding cache, and zero-shot with the real MiniLM."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analytics.home import gapsight_home
from analytics.insights.topics import DEFAULT_INTENTS, DEFAULT_TOPICS, assign_labels, label_table
from analytics.store.database import Store
from pages.common import keys
from pages.common.loaders import get_store
from tests.pages.test_pages import APP, _import_csv, seed_stand_in_embeddings

TEXTS = (
    ("My parcel arrived two weeks late and the courier lost the tracking", 1),
    ("Way too expensive for what it is, the price went up again", 2),
    ("The support agent was rude and never answered my email", 1),
    ("Absolutely love it, wonderful quality, thank you so much!", 5),
    ("Where is my order? When will it arrive?", 3),
    ("Please cancel my subscription", 2),
    ("I want to return this blender and get my money back", 2),
    ("It would be great if the app had a dark mode", 4),
)
CSV = "comment,stars,date,channel\n" + "".join(
    f"\"{text} ({i})\",{stars},2025-{1 + i % 3:02d}-{1 + i % 27:02d},{('chat', 'email')[i % 2]}\n"
    for i, (text, stars) in enumerate(TEXTS * 5))  # 40 rows, three months


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=180)


def _open_topics(session: dict | None = None) -> AppTest:
    at = _app()
    at.run()
    for key, value in (session or {}).items():
        at.session_state[key] = value
    at.switch_page(keys.TOPICS_PAGE).run()
    return at


def _embedding_file(dataset_id: str):
    info = get_store().get_dataset(dataset_id)  # the app's connection holds the DuckDB file
    return gapsight_home() / "embeddings" / f"{info.id}_v{info.version}.npz"


@pytest.fixture
def embed_calls(monkeypatch):
    """Sizes of the batches the page embeds (the real MiniLM still runs)."""
    from models import topic_embeddings

    sizes = []
    real = topic_embeddings.embed

    def spy(texts, **kwargs):
        sizes.append(len(texts))
        return real(texts, **kwargs)

    monkeypatch.setattr(topic_embeddings, "embed", spy)
    return sizes


def test_page_tags_every_row_and_embeds_once(home, embed_calls):
    dataset_id = _import_csv(home, "small.csv", CSV)
    at = _open_topics()
    assert not at.exception, at.exception
    assert [t.label for t in at.tabs] == ["Intents", "Topics & dimensions", "Discover"]
    intents = next(d.value for d in at.tabs[0].dataframe if "intent" in d.value.columns)
    assert len(intents) == 40 and intents["intent"].notna().all()
    assert set(intents["intent"]) <= set(DEFAULT_INTENTS) | {"other"}
    by_text = dict(zip(intents["text"], intents["intent"]))
    assert by_text["Please cancel my subscription (5)"] == "cancellation"
    assert by_text["I want to return this blender and get my money back (6)"] == "return/refund"
    topics = next(d.value for d in at.tabs[1].dataframe if "topics" in d.value.columns)
    assert len(topics) == 40
    assert "delivery" in dict(zip(topics["text"], topics["topics"]))[
        "My parcel arrived two weeks late and the courier lost the tracking (0)"]
    discovered = next(d.value for d in at.tabs[2].dataframe if "discovered" in d.value.columns)
    assert len(discovered) == 40
    assert len(at.get("plotly_chart")) >= 6  # volume × sentiment and trend per tab

    path = _embedding_file(dataset_id)
    assert path.is_file() and embed_calls.count(40) == 1
    written = path.stat().st_mtime_ns
    again = _open_topics()  # a fresh session: the file is read, not recomputed
    assert not again.exception, again.exception
    assert embed_calls.count(40) == 1 and path.stat().st_mtime_ns == written
    assert not again.get("progress")


def test_edited_labels_and_renames_are_applied(home):
    dataset_id = _import_csv(home, "small.csv", CSV)
    labels = {"table": label_table({"shipping": "parcel, courier, late delivery",
                                    "money": "price, refund, too expensive"}, {"money": ("refund",)}),
              "threshold": 0.0, "multi_label": False, "rev": 0}
    at = _open_topics({"topics_labels_of": {(dataset_id, "intents"): labels}})
    assert not at.exception, at.exception
    intents = next(d.value for d in at.tabs[0].dataframe if "intent" in d.value.columns)
    assert set(intents["intent"]) == {"shipping", "money"}

    summary = next(d.value for d in at.tabs[2].dataframe if "volume" in d.value.columns)
    names = summary["topic"].tolist()
    assert len(names) == 3  # the suggested k for 40 texts
    version = get_store().get_dataset(dataset_id).version
    at.session_state["topics_renames_of"] = {(dataset_id, version, 3): {names[0]: "merged", names[1]: "merged"}}
    at.run()
    assert not at.exception, at.exception
    merged = next(d.value for d in at.tabs[2].dataframe if "volume" in d.value.columns)
    assert merged["topic"].tolist()[0] == "merged"
    assert merged["volume"].tolist()[0] == summary["volume"].iloc[:2].sum()
    assert len(merged) == 2


def test_dataset_without_text_says_what_to_map(home):
    _import_csv(home, "ratings_only.csv", "stars,when\n5,2025-01-01\n2,2025-01-02\n")
    at = _open_topics()
    assert not at.exception, at.exception
    assert any("need a text column" in info.value for info in at.info)
    assert not at.tabs


def test_page_with_empty_store(home):
    store = Store.open_default()
    store.set_setting("demo_seeded", "yes")
    store.close()
    at = _open_topics()
    assert not at.exception, at.exception
    assert any("no dataset yet" in info.value.lower() for info in at.info)


@pytest.mark.real_model
def test_zero_shot_defaults_pick_the_obvious_labels():
    from models.device import choose_device
    from models.embeddings import embed, load_encoder
    from models.topic_embeddings import label_embeddings

    encoder, device = load_encoder(), choose_device("cpu")
    texts = ["my parcel arrived two weeks late", "way too expensive for what it is",
             "the agent on the phone was rude and unhelpful", "This is the worst service ever, I am furious.",
             "Absolutely love it, great quality, thank you!", "Where is my order? When will it arrive?"]
    vectors = embed(texts, device=device, encoder=encoder)
    topics = assign_labels(vectors[:3] @ label_embeddings(DEFAULT_TOPICS, device=device, encoder=encoder).T,
                           list(DEFAULT_TOPICS), threshold=0.3, multi_label=False)
    assert topics["label"].tolist() == ["delivery", "price", "support"]
    intents = assign_labels(vectors[3:] @ label_embeddings(DEFAULT_INTENTS, device=device, encoder=encoder).T,
                            list(DEFAULT_INTENTS), threshold=0.25, multi_label=False)
    assert intents["label"].tolist() == ["complaint", "praise", "inquiry"]


def test_demo_dataset_with_seeded_embeddings(demo_home, embed_calls):
    """The 20,000-row demo without the minutes of embedding: its cache is seeded with stand-in vectors."""
    ids = seed_stand_in_embeddings(demo_home)
    at = _open_topics()
    assert not at.exception, at.exception
    assert len(ids) not in embed_calls
    summary = next(d.value for d in at.tabs[1].dataframe if "volume" in d.value.columns)
    assert summary["volume"].sum() >= 19_000 and summary["mean_rating"].notna().all()
    clusters = next(d.value for d in at.tabs[2].dataframe if "size" in d.value.columns)
    assert len(clusters) == 10 and clusters["size"].sum() == len(ids)


def test_a_fine_tuned_intent_classifier_replaces_zero_shot(home, monkeypatch):
    import time

    from analytics.store.model_rows import register_model
    from analytics.store.predictions import load_predictions
    from models.tasks import train_classifier
    from models.training import FineTuneConfig
    from tests.models.conftest import tiny_factory

    monkeypatch.setenv("GAPSIGHT_DEVICE", "cpu")
    dataset_id = _import_csv(home, "small.csv", CSV)
    intents = ["complaint", "complaint", "complaint", "praise", "inquiry", "cancellation", "return", "suggestion"]
    outcome = train_classifier([t for t, _ in TEXTS] * 5, intents * 5, task="intent", models_root=home / "models",
                               config=FineTuneConfig(epochs=1, max_length=16),
                               device="cpu", model_factory=tiny_factory)
    store = Store.open_default()
    register_model(store, model_id=outcome.folder.name, task="intent", name="tiny intents",
                   folder=str(outcome.folder), dataset_id=dataset_id, labels=outcome.meta.labels,
                   metrics={"macro_f1": outcome.report["macro_f1"]})
    store.close()
    at = _open_topics()
    assert not at.exception, at.exception
    picker = next(s for s in at.tabs[0].selectbox if s.label == "Intents from")
    assert picker.value == outcome.folder.name  # trained on this dataset: it serves without being picked
    assert "trained on small.csv" in picker.format_func(picker.value)
    deadline = time.time() + 120  # the page started a scoring job; zero-shot serves meanwhile
    while time.time() < deadline and load_predictions(get_store(), dataset_id, outcome.folder.name).empty:
        at = _open_topics()
        time.sleep(1)
    at = _open_topics()
    assert not at.exception, at.exception
    tagged = next(d.value for d in at.tabs[0].dataframe if "topic" in d.value.columns and "volume" in d.value.columns)
    assert set(tagged["topic"]) <= set(outcome.meta.labels) and tagged["volume"].sum() == 40
    # Switched off, the zero-shot labels (with their editor) come back.
    next(s for s in at.tabs[0].selectbox if s.label == "Intents from").set_value("vader").run()
    assert any(e.label.startswith("Edit the intents") for e in at.tabs[0].expander)


def test_large_datasets_are_embedded_by_a_background_job(home, monkeypatch):
    import time

    from models.flows import embedding_jobs
    from models.jobs import list_jobs
    from models.topic_embeddings import is_cached

    monkeypatch.setattr(embedding_jobs, "INLINE_LIMIT", 0)  # treat the 40-row file as a large one
    dataset_id = _import_csv(home, "small.csv", CSV)
    at = _open_topics()
    assert not at.exception, at.exception
    assert any("appear once every interaction is embedded" in i.value for i in at.info)
    assert not at.tabs  # nothing to show yet, and nothing computed in the page
    path = _embedding_file(dataset_id)
    deadline = time.time() + 180
    while time.time() < deadline and not path.exists():
        time.sleep(1)
    jobs = [j for j in list_jobs(home=home) if j.kind == "embed"]
    assert len(jobs) == 1 and jobs[0].state == "done", jobs[0].error
    rows = get_store().load_rows(dataset_id)
    assert is_cached(path, rows["record_id"].tolist())
    at = _open_topics()
    assert not at.exception, at.exception
    summary = next(d.value for d in at.tabs[0].dataframe if "volume" in d.value.columns)
    assert summary["volume"].sum() == 40
    assert len([j for j in list_jobs(home=home) if j.kind == "embed"]) == 1  # not started twice
