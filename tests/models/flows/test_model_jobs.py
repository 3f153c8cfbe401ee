"""Registering what jobs and the CLI saved: headless models appear in the app, job models stay with their flow."""
from __future__ import annotations

import dataclasses

import pandas as pd

from analytics.store.database import Store
from analytics.store.model_rows import active_model, register_model, registered_models
from models.flows.model_jobs import sync_model_folders
from models.jobs import JobRecorder, jobs_root
from models.registry import ModelMeta, save_model


def _save(trained, folder, *, task="sentiment", variant="fp32", name="cli model"):
    result, _ = trained
    meta = ModelMeta.from_fine_tune(result, task=task, data_fingerprint="")
    meta = dataclasses.replace(meta, variant=variant, metrics={**meta.metrics, "data": {"name": name},
                                                               "speed": {"cpu_rows_per_s": 120.0, "size_mb": 1.0}})
    return save_model(result.model, result.tokenizer, folder, meta=meta,
                      test_rows=pd.DataFrame({"text": ["x"], "label": ["positive"]}))


def test_cli_models_are_registered_once_without_replacing_the_active_one(home, trained):
    store = Store.open_default()
    root = home / "models"
    register_model(store, model_id="app-model", task="sentiment", name="app", folder=str(root / "app-model"),
                   dataset_id="ds1", labels=("negative", "positive"), metrics={})
    _save(trained, root / "cli-sentiment")
    _save(trained, root / "cli-topic", task="topic", name="topics from the CLI")
    _save(trained, root / "cli-topic-int8", task="topic", variant="int8")
    (root / "broken").mkdir()
    (root / "broken" / "gapsight.json").write_text("{not json", encoding="utf-8")
    job_folder = root / "from-a-job"
    _save(trained, job_folder)
    (jobs_root(home) / "train-1").mkdir(parents=True)
    recorder = JobRecorder(jobs_root(home) / "train-1")
    recorder.update(force=True, job_id="train-1", kind="train", task="sentiment", state="running")
    recorder.finish("done", message="saved", result={"model_folder": str(job_folder)})

    added = sync_model_folders(store)
    assert sorted(m.model_id for m in added) == ["cli-sentiment", "cli-topic", "cli-topic-int8"]
    assert active_model(store, "sentiment").model_id == "app-model"  # a CLI run never takes over
    assert active_model(store, "topic").model_id == "cli-topic"  # first of its task; int8 is never auto-active
    topic = next(m for m in added if m.model_id == "cli-topic")
    assert topic.name == "topics from the CLI · fine-tuned" and topic.metrics["speed"]["cpu_rows_per_s"] == 120.0
    assert topic.labels == tuple(ModelMeta.from_fine_tune(trained[0], task="x", data_fingerprint="").labels)
    assert sync_model_folders(store) == []  # idempotent
    assert "from-a-job" not in {m.model_id for m in registered_models(store)}
    store.close()
