"""Tests for models.flows.sync: each finished job is taken in exactly once, from fake job folders."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analytics.store.database import DatasetInfo, insert_dataset_row, now_utc
from analytics.store.model_rows import register_model, registered_models
from analytics.store.predictions import load_predictions
from models.flows.sync import sync_finished_jobs
from models.jobs import RESULT_FILE, SPEC_FILE, STATUS_FILE, SYNCED_FILE, JobSpec, list_jobs


def _job(home: Path, job_id: str, *, kind: str, state: str = "done", result: dict | None = None,
         model_folder: str = "", dataset_id: str = "ds0000000001") -> Path:
    folder = home / "jobs" / job_id
    folder.mkdir(parents=True)
    spec = JobSpec(kind=kind, task="sentiment" if kind == "train" else "sentiment-score", input_path="",
                   name=f"job {job_id}", dataset_id=dataset_id, model_folder=model_folder)
    (folder / SPEC_FILE).write_text(spec.to_json())
    status = {"job_id": job_id, "kind": kind, "task": spec.task, "name": spec.name, "dataset_id": dataset_id,
              "state": state, "created_at": pd.Timestamp.now(tz="UTC").isoformat()}
    (folder / STATUS_FILE).write_text(json.dumps(status))
    if result is not None:
        (folder / RESULT_FILE).write_text(json.dumps(result))
    return folder


def _dataset(store, dataset_id: str = "ds0000000001") -> None:
    now = now_utc()
    info = DatasetInfo(id=dataset_id, name="d", source_name="d.csv", source_sha256=dataset_id, created_at=now,
                       updated_at=now, version=1, n_rows=2, n_rejected=0, mapping={"text": "t"})
    with store.write() as cur:
        insert_dataset_row(cur, info)


def _train_result(folder: Path) -> dict:
    return {"model_folder": str(folder), "labels": ["negative", "positive"],
            "report": {"macro_f1": 0.8, "accuracy": 0.9, "n": 10}, "baselines": {}}


def test_a_finished_training_job_is_registered_once(store, home):
    _job(home, "t1", kind="train", result=_train_result(home / "models" / "m1"))
    first = sync_finished_jobs(store, home=home)
    assert [m.model_id for m in first.registered] == ["m1"] and first.problems == ()
    assert [m.model_id for m in registered_models(store)] == ["m1"]
    assert registered_models(store)[0].active and registered_models(store)[0].metrics["macro_f1"] == 0.8
    assert (home / "jobs" / "t1" / SYNCED_FILE).exists() and list_jobs(home=home)[0].synced
    assert sync_finished_jobs(store, home=home).registered == ()  # nothing new the second time


def test_a_finished_scoring_job_stores_its_predictions_under_its_model(store, home):
    _dataset(store)
    folder = str(home / "models" / "m1")
    register_model(store, model_id="m1", task="sentiment", name="m", folder=folder, dataset_id=None,
                   labels=("negative", "positive"), metrics={})
    path = home / "scored.parquet"
    pd.DataFrame({"record_id": ["a", "b", "c"], "label": ["negative", "positive", None],
                  "confidence": [0.9, 0.8, None]}).to_parquet(path)
    _job(home, "s1", kind="score", result={"predictions_path": str(path), "rows": 3}, model_folder=folder)
    report = sync_finished_jobs(store, home=home)
    assert report.imported == (("ds0000000001", "m1"),)
    stored = load_predictions(store, "ds0000000001", "m1")
    assert sorted(stored["record_id"]) == ["a", "b"]  # rows without a label (no text) are not stored


def test_results_whose_dataset_or_files_are_gone_are_reported_not_retried(store, home):
    folder = str(home / "models" / "m1")
    register_model(store, model_id="m1", task="sentiment", name="m", folder=folder, dataset_id=None,
                   labels=("negative", "positive"), metrics={})
    _job(home, "s1", kind="score", result={"predictions_path": str(home / "gone.parquet")}, model_folder=folder,
         dataset_id="ds0000000009")  # the dataset was deleted while the job ran
    _dataset(store)
    _job(home, "s2", kind="score", result={"predictions_path": str(home / "gone.parquet")}, model_folder=folder)
    report = sync_finished_jobs(store, home=home)
    assert report.imported == () and len(report.problems) == 1 and "job s2" in report.problems[0]
    assert all(job.synced for job in list_jobs(home=home))
    assert sync_finished_jobs(store, home=home).problems == ()


def test_unfinished_and_failed_jobs(store, home):
    _job(home, "q1", kind="train", state="queued")
    _job(home, "f1", kind="train", state="failed")
    report = sync_finished_jobs(store, home=home)
    assert report.registered == () and registered_models(store) == []
    synced = {job.job_id: job.synced for job in list_jobs(home=home)}
    assert synced == {"q1": False, "f1": True}  # the queued job is looked at again on the next view
