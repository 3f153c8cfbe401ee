"""The Models page: a registered model's report with its run's comparison, and best-of runs started from the form."""
from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from analytics.store.database import Store
from analytics.store.model_rows import registered_models
from models.flows.sync import register_job_model
from models.jobs import cancel_job, job_spec, job_status, list_jobs
from models.tasks import model_factory_from_env, train_classifier
from models.training import FineTuneConfig
from pages.common import keys
from pages.common.loaders import get_store
from tests.pages.reading import as_read
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
                               model_factory=model_factory_from_env(), recipe="full")
    store = Store.open_default()
    from analytics.store.model_rows import register_model
    register_model(store, model_id=outcome.folder.name, task="topic", name="tiny topic", folder=str(outcome.folder),
                   dataset_id=None, labels=("delivery", "support"), metrics={"macro_f1": outcome.report["macro_f1"]})
    store.close()
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(keys.MODELS_PAGE).run()
    at.selectbox(key="models_chosen").set_value(outcome.folder.name).run()  # the run's other two appear too
    assert not at.exception, at.exception
    tables = [frame.value for frame in at.dataframe]
    comparison = next(t for t in tables if "n_test" in t.columns)
    winner = outcome.selection["winner_name"]
    assert comparison["model"].tolist()[0] == f"{winner} (this model)" and len(comparison) == 3
    selection = next(t for t in tables if "val_macro_f1" in t.columns)
    assert len(selection) == 3 and selection.loc[selection["activated"], "model"].tolist() == [winner]
    assert any(m.value.startswith(f"**{winner} was activated: the best validation macro-F1 of 3 models trained on "
                                  f"the same rows; {outcome.selection['test_margin']:+.3f} test macro-F1 against")
               for m in at.markdown)
    # The tiny transformer barely learns in two epochs: the page says that it lost, and to which model.
    assert [w.value for w in at.warning if "The fine-tuned transformer" in w.value] == [
        w for w in outcome.selection["warnings"] if "The fine-tuned transformer" in w]
    assert any(c.value.startswith("Confidence calibration: temperature") for c in at.caption)
    per_class = next(t for t in tables if "precision" in [c.lower() for c in t.columns])
    assert len(per_class) == 2


def _run_jobs_to_the_end(home, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline and any(j.state in ("queued", "running") for j in list_jobs(home=home)):
        time.sleep(1)
    for job in list_jobs(home=home):
        assert job.state == "done", job.error


def _start_from_the_form(home, choice: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(keys.MODELS_PAGE).run()
    next(s for s in at.selectbox if s.label == "Labels").set_value("topic")
    at.radio(key="train_recipe").set_value(choice)
    next(b for b in at.button if b.label == "Start training").click().run()
    assert not at.exception, at.exception
    return at


def test_the_cpu_default_trains_the_linear_pair_and_says_how_long_before_it_starts(home, monkeypatch):
    monkeypatch.setenv("GAPSIGHT_TINY_MODEL", "1")
    monkeypatch.setenv("GAPSIGHT_DEVICE", "cpu")
    _import_csv(home, "labelled.csv", ROWS)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(keys.MODELS_PAGE).run()
    recipe = at.radio(key="train_recipe")
    assert recipe.value == "quick" and recipe.options[0].endswith("(time not yet measured on this machine)")
    at = _start_from_the_form(home, "quick")
    assert any("Started job" in s.value for s in at.success)
    jobs = list_jobs(home=home)
    assert len(jobs) == 1 and jobs[0].task == "topic" and jobs[0].expected_seconds is None
    _run_jobs_to_the_end(home)
    # Nobody watched the job: the next visit to any page registers its two models, once, the better one active.
    AppTest.from_file(APP, default_timeout=120).run()
    store = Store.open_default()
    models = registered_models(store)
    assert sorted(m.metrics["kind"] for m in models) == ["embedding_logreg", "tfidf_logreg"]
    assert [m.metrics["kind"] for m in models if m.active] == [list_jobs(home=home)[0].result["selection"]["winner"]]
    assert all(set(m.labels) == {"delivery", "support", "price"} for m in models) and list_jobs(home=home)[0].synced
    job = list_jobs(home=home)[0]
    assert register_job_model(store, job).model_id == register_job_model(store, job).model_id  # no-op twice
    assert len(registered_models(store)) == 2
    store.close()
    # The run measured this CPU: the form now says how long the quick pair takes before anything starts.
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(keys.MODELS_PAGE).run()
    assert "texts/s the last embedding model trained at on this CPU" in at.radio(key="train_recipe").options[0]
    cancel_job(job.job_id, home=home)  # a finished job is left as it is
    assert list_jobs(home=home)[0].state == "done"


def test_the_background_fine_tune_reuses_the_linear_pair(home, monkeypatch):
    monkeypatch.setenv("GAPSIGHT_TINY_MODEL", "1")
    monkeypatch.setenv("GAPSIGHT_DEVICE", "cpu")
    _import_csv(home, "labelled.csv", ROWS)
    at = _start_from_the_form(home, "then_full")
    assert any("The fine-tune follows as job" in s.value for s in at.success)
    recipes = {job_spec(j.job_id, home=home).recipe: j for j in list_jobs(home=home)}
    assert sorted(recipes) == ["full", "quick"]
    quick, full = recipes["quick"], recipes["full"]
    assert job_spec(full.job_id, home=home).reuse_models == [quick.job_id]
    _run_jobs_to_the_end(home)
    AppTest.from_file(APP, default_timeout=120).run()
    store = Store.open_default()
    models = registered_models(store)
    # Three models, not five: the fine-tune scored the quick run's two again and kept their folders.
    assert sorted(m.metrics["kind"] for m in models) == ["embedding_logreg", "tfidf_logreg", "transformer"]
    full_result = job_status(full.job_id, home=home).result
    assert {c["folder"] for c in full_result["candidates"] if c["kind"] != "transformer"} == {
        c["folder"] for c in job_status(quick.job_id, home=home).result["candidates"]}
    [active] = [m for m in models if m.active]
    assert active.folder == full_result["model_folder"]
    assert all(m.metrics["selection"]["winner"] == full_result["selection"]["winner"] for m in models)
    store.close()


def _train_tiny(home, name="tiny topic"):
    texts = [f"awful late parcel {i}" for i in range(20)] + [f"great helpful agent {i}" for i in range(20)]
    labels = ["delivery"] * 20 + ["support"] * 20
    return train_classifier(texts, labels, task="topic", models_root=home / "models", name=name,
                            config=FineTuneConfig(epochs=2, max_length=16), device="cpu",
                            model_factory=model_factory_from_env(), recipe="full")


def test_headless_model_appears_and_int8_variant_can_win_the_trade_off(home, monkeypatch):
    monkeypatch.setenv("GAPSIGHT_TINY_MODEL", "1")
    monkeypatch.setenv("GAPSIGHT_DEVICE", "cpu")
    _import_csv(home, "labelled.csv", ROWS)
    outcome = _train_tiny(home)  # as `python -m models train --recipe full` would: folders, no store rows
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(keys.MODELS_PAGE).run()
    assert not at.exception, at.exception
    registry = at.dataframe[0].value
    assert sorted(registry["model_id"]) == sorted(f.name for f in outcome.folders.values())
    assert registry.loc[registry["active"], "model_id"].tolist() == [outcome.folder.name]  # only the run's winner
    assert (registry["cpu_rows_per_s"] > 0).all() and (registry["folder"] == "present").all()
    transformer = outcome.folders["transformer"].name
    at.selectbox(key="models_chosen").set_value(transformer).run()

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
    variant = next(m for m in registered_models(store) if m.model_id == f"{transformer}-int8")
    assert not variant.active and variant.metrics["variant"] == "int8"

    for alpha, by in ((0.0, "cost_score"), (1.0, "macro_f1")):
        at.slider(key="models_alpha").set_value(alpha).run()
        ranking = next(f.value for f in at.dataframe if "utility" in f.value.columns)
        assert sorted(ranking["variant"]) == ["fp32"] * 3 + ["int8"] and ranking["rank"].tolist() == [1, 2, 3, 4]
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
    assert compare.shape[1] == 4  # the metric plus the first three models of the task


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
    cards = [as_read(m.value) for m in at.markdown if m.value.startswith("**")]
    assert "**Embeddings · labelled.csv** · embed · queued · number 1 in line, starts next" in cards
    assert "**Score with tiny** · score · queued · number 2 in line, starts after the 1 job before it in line" in cards
