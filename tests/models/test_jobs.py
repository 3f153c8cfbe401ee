"""Tests for models.jobs and models.worker: real worker processes (tiny model), cancel, SIGKILL recovery.

The worker processes are started together at the beginning of the module, because most of a
worker's time is importing torch and transformers, and each test then follows its own job.
``GAPSIGHT_TINY_MODEL=1`` (a test hook) makes the workers fine-tune a tiny BERT.
"""

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from models.jobs import (
    CANCEL_FILE,
    CRASH_MESSAGE,
    PID_FILE,
    STATUS_FILE,
    JobCancelled,
    JobRecorder,
    JobSpec,
    cancel_job,
    gpu_lock,
    job_status,
    latest_job,
    list_jobs,
    start_job,
    write_job_input,
)
from models.registry import ModelMeta, read_meta, save_model
from models.tasks import TINY_MODEL_ENV, score_texts

TIMEOUT = 90.0


def _frame(texts, labels=None, *, ids=None):
    data = {"record_id": ids if ids is not None else [f"r{i}" for i in range(len(texts))], "text": texts}
    if labels is not None:
        data["label"] = labels
    return pd.DataFrame(data)


def _wait(job_id, home, until, *, timeout=TIMEOUT, seen=None):
    """Poll until ``until(status)``; record every status in ``seen``."""
    deadline = time.monotonic() + timeout
    while True:
        status = job_status(job_id, home=home)
        if seen is not None:
            seen.append(status)
        if until(status):
            return status
        if time.monotonic() > deadline:
            pytest.fail(f"job {job_id} still {status.state} ({status.message}) after {timeout} s:\n{status.log_tail}")
        time.sleep(0.1)


def _finished(status):
    return not status.is_active


def _training_started(status):
    return not status.is_active or (status.state == "running" and (status.step or 0) > 0)


SCORE_TEXTS = ["awful staff, I hate it", "", "I love the app", "the delivery was great", None, "terrible phone"]
SCORE_IDS = [50, 3, 41, 7, 12, 1]  # not sorted: the output must follow the input, not the ids


@pytest.fixture(scope="module")
def launched(tmp_path_factory, toy_maker, tiny_config, trained):
    """Every job of this module, started at once, each in its own home."""
    homes = {name: tmp_path_factory.mktemp(name) for name in ("train", "cancel", "kill", "bad", "score", "quantize")}
    result, _ = trained  # the score job uses the shared tiny model, so it need not wait for the train job
    meta = ModelMeta.from_fine_tune(result, task="sentiment", data_fingerprint="")
    model_folder = save_model(result.model, result.tokenizer, homes["score"] / "models" / "tiny", meta=meta)
    config = dataclasses.asdict(tiny_config)
    texts, labels = toy_maker(300, seed=1)
    long_texts, long_labels = toy_maker(3000, seed=2)
    long_config = {**config, "epochs": 50, "early_stopping_patience": 50}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(TINY_MODEL_ENV, "1")
        patch.setenv("OMP_NUM_THREADS", "1")  # several workers share two cores
        jobs = {}
        for name, frame, job_config in (
            ("train", _frame(texts, labels), config),
            ("cancel", _frame(long_texts, long_labels), long_config),
            ("kill", _frame(long_texts, long_labels), long_config),
            ("bad", _frame(texts[:30], ["positive"] * 30), config),
        ):
            path = write_job_input(frame, home=homes[name])
            spec = JobSpec(kind="train", task="sentiment", input_path=str(path), dataset_id=f"ds-{name}",
                           config=job_config, device="cpu", name=f"toy {name}", recipe="full")
            jobs[name] = start_job(spec, home=homes[name])
        path = write_job_input(_frame(SCORE_TEXTS, ids=SCORE_IDS), home=homes["score"])
        spec = JobSpec(kind="score", task="sentiment", input_path=str(path), model_folder=str(model_folder),
                       dataset_id="ds-score", device="cpu")
        jobs["score"] = start_job(spec, home=homes["score"])
        test_texts, test_labels = toy_maker(40, seed=3)
        original = save_model(result.model, result.tokenizer, homes["quantize"] / "models" / "tiny", meta=meta,
                              test_rows=pd.DataFrame({"text": test_texts, "label": test_labels}))
        spec = JobSpec(kind="quantize", task="sentiment", input_path="", model_folder=str(original),
                       name="tiny · int8", device="cpu")
        jobs["quantize"] = start_job(spec, home=homes["quantize"])
        # Progress is watched from the start: the train job may finish while other tests run.
        seen: list = []
        watcher = threading.Thread(
            target=_wait, args=(jobs["train"], homes["train"], _finished), kwargs={"seen": seen}, daemon=True
        )
        watcher.start()
        yield {"homes": homes, "jobs": jobs, "model_folder": model_folder, "watcher": watcher, "seen": seen}
        for name, job_id in jobs.items():  # never leave a worker behind
            try:
                if job_status(job_id, home=homes[name]).is_active:
                    pid = int((homes[name] / "jobs" / job_id / PID_FILE).read_text().split()[0])
                    os.kill(pid, signal.SIGKILL)
                    job_status(job_id, home=homes[name])  # reaps it
            except (OSError, ValueError):
                pass


def test_a_cancelled_job_ends_cancelled_and_saves_nothing(launched):
    home, job_id = launched["homes"]["cancel"], launched["jobs"]["cancel"]
    _wait(job_id, home, _training_started)
    cancel_job(job_id, home=home)
    status = _wait(job_id, home, _finished, timeout=30)
    assert status.state == "cancelled"
    assert "no model was saved" in status.message and status.result is None
    assert not (home / "models").exists() or not any((home / "models").iterdir())


def test_a_killed_worker_is_reported_failed_and_leaves_no_model(launched):
    home, job_id = launched["homes"]["kill"], launched["jobs"]["kill"]
    _wait(job_id, home, _training_started)
    folder = home / "jobs" / job_id
    pid = int((folder / PID_FILE).read_text().split()[0])
    os.kill(pid, signal.SIGKILL)
    status = _wait(job_id, home, _finished, timeout=30)
    assert status.state == "failed"
    assert status.error == CRASH_MESSAGE
    assert json.loads((folder / STATUS_FILE).read_text())["state"] == "failed"  # recorded, not only reported
    assert not (home / "models").exists() or not any((home / "models").iterdir())  # no (half-written) model
    assert job_status(job_id, home=home).error == CRASH_MESSAGE  # stable on later reads


def test_unusable_training_data_fails_with_the_plain_message(launched):
    home, job_id = launched["homes"]["bad"], launched["jobs"]["bad"]
    status = _wait(job_id, home, _finished)
    assert status.state == "failed"
    assert status.error == (
        "Every usable row has the label 'positive'; a classifier needs at least two different labels."
    )
    assert "Traceback" not in status.error and "Traceback" in status.log_tail  # the trace is in the log only
    assert not (home / "models").exists()


def test_a_train_job_reports_progress_and_saves_a_model(launched):
    home, job_id = launched["homes"]["train"], launched["jobs"]["train"]
    launched["watcher"].join(TIMEOUT)
    seen = launched["seen"]
    status = _wait(job_id, home, _finished)
    assert status.state == "done", status.error
    fractions = [s.fraction for s in seen]
    assert fractions == sorted(fractions)  # never goes back
    assert len({f for f in fractions if 0 < f < 1}) >= 2, fractions
    assert any(s.message.startswith("epoch ") and " · step " in s.message for s in seen)
    assert status.fraction == 1.0 and status.error is None
    assert status.started_at and status.finished_at and status.device.startswith("CPU")
    result = status.result
    folder = Path(result["model_folder"])
    assert folder.parent == home / "models" and (folder / "gapsight.json").is_file()
    assert result["report"]["n"] == result["split_sizes"]["test"] == 60
    assert "vader" in result["baselines"] and all(b["n"] == 60 for b in result["baselines"].values())
    assert [c["kind"] for c in result["candidates"]] == ["tfidf_logreg", "embedding_logreg", "transformer"]
    assert [c["folder"] for c in result["candidates"] if c["selected"]] == [result["model_folder"]]
    assert result["selection"]["winner_name"] in status.message
    assert result["report"]["macro_f1"] > 0.8
    assert "saved" in status.log_tail
    assert latest_job(task="sentiment", dataset_id="ds-train", home=home).job_id == job_id
    assert latest_job(task="sentiment", dataset_id="ds-other", home=home) is None
    assert [s.job_id for s in list_jobs(home=home)] == [job_id]


def test_a_score_job_writes_predictions_in_input_order(launched, cpu):
    home, job_id, folder = launched["homes"]["score"], launched["jobs"]["score"], launched["model_folder"]
    status = _wait(job_id, home, _finished)
    assert status.state == "done", status.error
    assert status.message == "Scored 6 texts"
    predictions = pd.read_parquet(status.result["predictions_path"])
    assert predictions["record_id"].tolist() == SCORE_IDS
    expected = score_texts(folder, SCORE_TEXTS, device=cpu)
    labels = [None if pd.isna(v) else v for v in predictions["label"]]
    assert labels == expected["label"].tolist()
    assert labels[1] is None and labels[4] is None  # empty texts
    np.testing.assert_allclose(predictions["proba_positive"], expected["proba_positive"], atol=1e-5)
    assert status.result["rows"] == 6 and status.result["empty_texts"] == 2
    assert status.result["labels"] == ["negative", "positive"]


def test_a_quantize_job_saves_a_measured_int8_variant(launched):
    home, job_id = launched["homes"]["quantize"], launched["jobs"]["quantize"]
    status = _wait(job_id, home, _finished)
    assert status.state == "done", status.error
    result = status.result
    variant = Path(result["model_folder"])
    assert variant == home / "models" / "tiny-int8" and result["source_folder"] == str(home / "models" / "tiny")
    assert read_meta(variant).variant == "int8" and result["report"]["n"] == 40
    assert result["speed"]["cpu_rows_per_s"] > 0 and result["compared_with"]["cpu_rows_per_s"] > 0
    assert "int8 variant saved" in status.message and "rows/s" in status.message
    assert read_meta(home / "models" / "tiny").metrics["speed"]["timed_rows"] == 40


# ---------------------------------------------------------------- without worker processes


def test_spec_round_trips_and_checks_its_fields(tmp_path):
    spec = JobSpec(kind="train", task="intent", input_path=tmp_path / "in.parquet", config={"epochs": 2})
    assert JobSpec.from_json(spec.to_json()) == spec
    assert spec.input_path == str(tmp_path / "in.parquet") and spec.fine_tune_config(cuda=False).epochs == 2
    with pytest.raises(ValueError, match="kind='tune' should be one of train, score, quantize, embed"):
        JobSpec(kind="tune", task="x", input_path="a")
    with pytest.raises(ValueError, match="A score job needs the model folder"):
        JobSpec(kind="score", task="x", input_path="a")
    with pytest.raises(ValueError, match="A quantize job needs the model folder"):
        JobSpec(kind="quantize", task="x", input_path="")
    with pytest.raises(ValueError, match="An embed job needs the path of the embeddings file"):
        JobSpec(kind="embed", task="x", input_path="a")
    with pytest.raises(ValueError, match=r"Unknown fine-tuning settings \['epoch'\]"):
        JobSpec(kind="train", task="x", input_path="a", config={"epoch": 3})
    with pytest.raises(ValueError, match="epochs=0 should be >= 1"):
        JobSpec(kind="train", task="x", input_path="a", config={"epochs": 0})


def test_start_job_needs_an_existing_input(tmp_path):
    with pytest.raises(ValueError, match="does not exist; write it before starting the job"):
        start_job(JobSpec(kind="train", task="x", input_path=tmp_path / "missing.parquet"), home=tmp_path)
    with pytest.raises(ValueError, match=r"needs the columns record_id and text; \['record_id'\] missing"):
        write_job_input(pd.DataFrame({"text": ["a"]}), home=tmp_path)


def _fake_job(home: Path, job_id: str, **status) -> Path:
    folder = home / "jobs" / job_id
    folder.mkdir(parents=True)
    data = {"job_id": job_id, "kind": "train", "task": "sentiment", "state": "done", **status}
    (folder / STATUS_FILE).write_text(json.dumps(data))
    return folder


def test_a_job_whose_process_is_gone_is_recorded_as_failed(tmp_path):
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    folder = _fake_job(tmp_path, "train-1", state="running", created_at="2024-01-01T00:00:00+00:00")
    (folder / PID_FILE).write_text(str(process.pid))
    status = job_status("train-1", home=tmp_path)
    assert (status.state, status.error, status.message) == ("failed", CRASH_MESSAGE, CRASH_MESSAGE)
    assert json.loads((folder / STATUS_FILE).read_text())["state"] == "failed"
    # A job being launched (no pid yet, just created) is not declared dead.
    _fake_job(tmp_path, "train-2", state="queued", created_at=pd.Timestamp.now(tz="UTC").isoformat())
    assert job_status("train-2", home=tmp_path).state == "queued"


def test_listing_latest_cancel_and_delete(tmp_path):
    _fake_job(tmp_path, "a", created_at="2024-01-01T00:00:00+00:00", dataset_id="ds1")
    _fake_job(tmp_path, "b", created_at="2024-01-03T00:00:00+00:00", dataset_id="ds1", kind="score")
    _fake_job(tmp_path, "c", created_at="2024-01-02T00:00:00+00:00", dataset_id="ds2")
    assert [s.job_id for s in list_jobs(home=tmp_path)] == ["b", "c", "a"]
    assert latest_job(task="sentiment", dataset_id="ds1", home=tmp_path).job_id == "b"
    assert latest_job(task="sentiment", dataset_id="ds1", kind="train", home=tmp_path).job_id == "a"
    assert cancel_job("a", home=tmp_path).state == "done"
    assert not (tmp_path / "jobs" / "a" / CANCEL_FILE).exists()  # finished jobs are left alone
    shutil.rmtree(tmp_path / "jobs" / "a")
    with pytest.raises(ValueError, match="There is no job 'a'"):
        job_status("a", home=tmp_path)
    with pytest.raises(ValueError, match="is not a job id"):
        job_status("../etc", home=tmp_path)
    assert list_jobs(home=tmp_path / "elsewhere") == []


def test_recorder_writes_atomically_and_fraction_never_decreases(tmp_path):
    folder = _fake_job(tmp_path, "j", state="running")
    recorder = JobRecorder(folder)
    recorder.update(force=True, fraction=0.5, message="half")
    recorder.update(force=True, fraction=0.2)
    assert json.loads((folder / STATUS_FILE).read_text())["fraction"] == 0.5
    recorder.finish("done", message="ok", result={"x": float("nan")})
    assert json.loads((folder / "result.json").read_text()) == {"x": None}
    assert job_status("j", home=tmp_path).result == {"x": None}
    assert sorted(p.name for p in folder.iterdir()) == ["result.json", "status.json"]  # no temp files left
    with pytest.raises(ValueError, match="not a final state"):
        recorder.finish("running", message="")


def test_gpu_lock_admits_one_holder_at_a_time(tmp_path):
    waits = []
    with gpu_lock(tmp_path):
        with pytest.raises(JobCancelled):
            with gpu_lock(tmp_path, on_wait=lambda: waits.append(1), should_stop=lambda: True, poll_seconds=0.01):
                pass
    assert waits == [1]
    with gpu_lock(tmp_path, should_stop=lambda: True):  # free again
        pass


def test_cpu_jobs_queue_one_at_a_time_and_a_queued_job_cancels_at_once(tmp_path):
    from models.jobs import cpu_lock

    texts = pd.DataFrame({"record_id": ["a", "b"], "text": ["great", "awful"]})
    spec = JobSpec(kind="score", task="sentiment-score", input_path=str(write_job_input(texts, home=tmp_path)),
                   name="queued scoring", dataset_id="ds1", model_folder=str(tmp_path / "no-model"), device="cpu",
                   expected_seconds=95.0)

    def wait_for(job_id, test, seconds=90):
        deadline = time.time() + seconds
        while time.time() < deadline:
            status = job_status(job_id, home=tmp_path)
            if test(status):
                return status
            time.sleep(0.2)
        raise AssertionError(job_status(job_id, home=tmp_path))

    with cpu_lock(tmp_path):  # another job holds the CPU
        job_id = start_job(spec, home=tmp_path)
        queued = wait_for(job_id, lambda s: s.message.startswith("queued: another job"))
        assert queued.state == "queued" and queued.expected_seconds == 95.0  # the queue adds these up
        time.sleep(1.0)
        assert job_status(job_id, home=tmp_path).state == "queued"  # still waiting: nothing ran beside the holder
        cancel_job(job_id, home=tmp_path)
        started = time.time()
        assert wait_for(job_id, lambda s: s.state != "queued", seconds=10).state == "cancelled"
        assert time.time() - started < 5
    # With the CPU free, a job starts at once (and here fails on its missing model, after taking the slot).
    again = start_job(spec, home=tmp_path)
    assert wait_for(again, lambda s: s.state in ("done", "failed")).state == "failed"
