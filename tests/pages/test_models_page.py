"""The Models page: a registered model's report, and a fine-tune started from the form."""
from __future__ import annotations

import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from analytics.store.database import Store
from analytics.store.model_rows import registered_models
from models.flows.sync import register_job_model
from models.jobs import cancel_job, list_jobs
from models.tasks import model_factory_from_env, train_classifier
from models.training import FineTuneConfig
from pages.common import keys
from pages.common.loaders import get_store
from tests.pages.test_pages import APP, _import_csv

ROWS = "comment,stars,topic\n" + "".join(
    f"{text} {i},{stars},{topic}\n" for i in range(15)
    for text, stars, topic in (("awful late parcel", 1, "delivery"), ("great helpful agent", 5, "support"),
                               ("okay price fair", 3, "price")))


def test_registered_model_shows_its_report(home, monkeypatch):
    monkeypatch.setenv("GAPSIGHT_TINY_MODEL", "1")
    _import_csv(home, "labelled.csv", ROWS)
    texts = [f"awful late parcel {i}" for i in range(15)] + [f"great helpful agent {i}" for i in range(15)]
    labels = ["delivery"] * 15 + ["support"] * 15
    outcome = train_classifier(texts, labels, task="topic", models_root=home / "models", name="tiny topic",
                               config=FineTuneConfig(epochs=2, max_length=16), device="cpu",
                               model_factory=model_factory_from_env())
    store = Store.open_default()
    from analytics.store.model_rows import register_model
    register_model(store, model_id=outcome.folder.name, task="topic", name="tiny topic", folder=str(outcome.folder),
                   dataset_id=None, labels=("delivery", "support"), metrics={"macro_f1": outcome.report["macro_f1"]})
    store.close()
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(keys.MODELS_PAGE).run()
    assert not at.exception, at.exception
    tables = [frame.value for frame in at.dataframe]
    comparison = next(t for t in tables if "model" in t.columns)
    assert comparison["model"].tolist()[:2] == ["fine-tuned model", "TF-IDF + logistic regression"]
    per_class = next(t for t in tables if "precision" in [c.lower() for c in t.columns])
    assert len(per_class) == 2


def test_form_starts_a_background_fine_tune(home, monkeypatch):
    monkeypatch.setenv("GAPSIGHT_TINY_MODEL", "1")
    monkeypatch.setenv("GAPSIGHT_DEVICE", "cpu")
    _import_csv(home, "labelled.csv", ROWS)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(keys.MODELS_PAGE).run()
    label_picker = next(s for s in at.selectbox if s.label == "Labels")
    label_picker.set_value("topic")
    assert any("one epoch takes an unknown time: no fine-tune was measured" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "Start fine-tuning").click().run()
    assert not at.exception, at.exception
    assert any("Started job" in s.value for s in at.success)
    jobs = list_jobs(home=home)
    assert len(jobs) == 1 and jobs[0].task == "topic" and jobs[0].expected_seconds is None
    deadline = time.time() + 120
    while time.time() < deadline and list_jobs(home=home)[0].state in ("queued", "running"):
        time.sleep(1)
    job = list_jobs(home=home)[0]
    assert job.state == "done", job.error
    # Nobody watched the job: the next visit to any page registers its model, once.
    AppTest.from_file(APP, default_timeout=120).run()
    store = Store.open_default()
    models = registered_models(store)
    assert len(models) == 1 and set(models[0].labels) == {"delivery", "support", "price"}
    assert list_jobs(home=home)[0].synced
    # The finished fine-tune measured this CPU: the form now says how long an epoch takes before anything starts.
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(keys.MODELS_PAGE).run()
    assert any("texts/s the last fine-tune ran at on this CPU" in c.value and "one epoch takes under a minute at the" in c.value
               for c in at.caption), [c.value for c in at.caption]
    model = register_job_model(store, job)
    assert [m.model_id for m in registered_models(store)] == [model.model_id]
    assert register_job_model(store, job).model_id == model.model_id  # registering twice is a no-op
    store.close()
    assert Path(model.folder).is_dir()
    cancel_job(job.job_id, home=home)  # a finished job is left as it is
    assert list_jobs(home=home)[0].state == "done"


def _train_tiny(home, name="tiny topic"):
    texts = [f"awful late parcel {i}" for i in range(20)] + [f"great helpful agent {i}" for i in range(20)]
    labels = ["delivery"] * 20 + ["support"] * 20
    return train_classifier(texts, labels, task="topic", models_root=home / "models", name=name,
                            config=FineTuneConfig(epochs=2, max_length=16), device="cpu",
                            model_factory=model_factory_from_env())


def test_headless_model_appears_and_int8_variant_can_win_the_trade_off(home, monkeypatch):
    monkeypatch.setenv("GAPSIGHT_TINY_MODEL", "1")
    monkeypatch.setenv("GAPSIGHT_DEVICE", "cpu")
    _import_csv(home, "labelled.csv", ROWS)
    outcome = _train_tiny(home)  # as `python -m models train` would: a folder, no store row
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(keys.MODELS_PAGE).run()
    assert not at.exception, at.exception
    registry = at.dataframe[0].value
    assert registry["model_id"].tolist() == [outcome.folder.name] and registry["active"].tolist() == [True]
    assert registry["cpu_rows_per_s"].iloc[0] > 0 and registry["folder"].iloc[0] == "present"

    next(b for b in at.button if b.label == "Build int8 CPU variant").click().run()
    assert any("Started job" in s.value for s in at.success), [e.value for e in at.error]
    deadline = time.time() + 120
    while time.time() < deadline and list_jobs(home=home)[0].state in ("queued", "running"):
        time.sleep(1)
    assert list_jobs(home=home)[0].state == "done", list_jobs(home=home)[0].error
    # A fresh session, as after a reload (AppTest replays the waiting fragment's timer otherwise).
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(keys.MODELS_PAGE).run()
    assert not at.exception, at.exception
    store = get_store()
    variant = next(m for m in registered_models(store) if m.model_id == f"{outcome.folder.name}-int8")
    assert not variant.active and variant.metrics["variant"] == "int8"

    for alpha, by in ((0.0, "cost_score"), (1.0, "macro_f1")):
        at.slider(key="models_alpha").set_value(alpha).run()
        ranking = next(f.value for f in at.dataframe if "utility" in f.value.columns)
        assert sorted(ranking["variant"]) == ["fp32", "int8"] and ranking["rank"].tolist() == [1, 2]
        assert ranking[by].tolist() == sorted(ranking[by], reverse=True)
    at.slider(key="models_alpha").set_value(0.0).run()
    ranking = next(f.value for f in at.dataframe if "utility" in f.value.columns)
    best = next(m for m in registered_models(store) if m.name == ranking["name"].iloc[0])
    if not best.active:  # the tiny test model gains little from int8, so either may win on cost
        next(b for b in at.button if b.label.endswith("(best U)")).click().run()
        assert not at.exception, at.exception
    assert next(m for m in registered_models(store) if m.active).model_id == best.model_id
    at.selectbox(key="models_chosen").set_value(variant.model_id).run()
    assert any(c.value.startswith("int8 variant: macro-F1") for c in at.caption)
    compare = next(f.value for f in at.dataframe if "metric" in f.value.columns)
    assert compare["metric"].tolist()[:4] == ["macro_f1", "accuracy", "ece", "n_test"]
    assert compare.shape[1] == 3  # the metric plus both models of the task


def test_the_jobs_panel_lists_every_kind_with_its_place_in_line(home):
    import json

    import pandas as pd

    from models.jobs import STATUS_FILE

    _import_csv(home, "labelled.csv", ROWS)
    for job_id, kind, name, offset in (("embed-1", "embed", "Embeddings · labelled.csv", 0),
                                       ("score-1", "score", "Score with tiny", 1)):
        folder = home / "jobs" / job_id
        folder.mkdir(parents=True)
        created = (pd.Timestamp.now(tz="UTC") + pd.Timedelta(seconds=offset)).isoformat()
        (folder / STATUS_FILE).write_text(json.dumps({"job_id": job_id, "kind": kind, "task": kind, "name": name,
                                                      "state": "queued", "created_at": created}))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(keys.MODELS_PAGE).run()
    assert not at.exception, at.exception
    cards = [m.value for m in at.markdown if m.value.startswith("**")]
    assert "**Embeddings · labelled.csv** · embed · queued · number 1 in line, starts next" in cards
    assert "**Score with tiny** · score · queued · number 2 in line, starts after the 1 job before it in line" in cards
