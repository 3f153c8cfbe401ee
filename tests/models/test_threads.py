"""Tests for models.threads: the thread budget of the app and the job processes, and a real worker that keeps to it."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import torch

from models import threads
from models.base import build_tiny_classifier
from models.jobs import STATUS_FILE, JobSpec, JobStatus, job_dir, job_status, start_job, write_job_input
from models.registry import ModelMeta, save_model
from models.tasks import TINY_MODEL_ENV
from models.threads import (
    app_threads,
    apply_torch_threads,
    available_cores,
    budget_app_threads,
    count_cpu_jobs,
    job_threads,
    thread_environment,
    worker_threads,
)

PROJECT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("cores", "app_attached", "gpu", "expected"), [
    (2, True, False, 1),    # the app keeps the other core
    (2, False, False, 2),   # the CLI has the machine to itself
    (16, True, False, 15),
    (1, True, False, 1),    # never 0
    (1, False, False, 1),
    (16, True, True, 2),    # a GPU job only feeds the GPU
    (16, False, True, 2),
    (2, True, True, 1),
])
def test_job_threads(cores, app_attached, gpu, expected):
    assert job_threads(cores, app_attached=app_attached, gpu=gpu) == expected


@pytest.mark.parametrize(("active", "cores", "expected"), [
    (0, 2, 2), (1, 2, 1), (3, 2, 1), (0, 16, 16), (1, 16, 1), (1, 1, 1), (0, 1, 1),
])
def test_app_threads(active, cores, expected):
    assert app_threads(active, cores) == expected


@pytest.mark.parametrize("cores", [2, 3, 4, 8, 16, 64])
def test_the_app_and_a_cpu_job_together_use_exactly_the_cores(cores):
    assert app_threads(1, cores) + job_threads(cores, app_attached=True) == cores


@pytest.mark.parametrize("call", [lambda: job_threads(0, app_attached=True), lambda: app_threads(1, 0),
                                  lambda: thread_environment(0)])
def test_impossible_counts_are_refused(call):
    with pytest.raises(ValueError, match="should be >= 1"):
        call()


def test_defaults_use_the_available_cores():
    assert available_cores() == min(len(os.sched_getaffinity(0)), threads._cgroup_cpu_limit() or 10**6)
    assert job_threads(app_attached=False) == available_cores()
    assert app_threads(0) == available_cores()


def test_available_cores_falls_back_and_honours_a_quota(monkeypatch):
    def no_affinity(pid):
        raise OSError("not supported")

    monkeypatch.setattr(os, "sched_getaffinity", no_affinity)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    monkeypatch.setattr(threads, "_cgroup_cpu_limit", lambda: None)
    assert available_cores() == 8
    monkeypatch.setattr(threads, "_cgroup_cpu_limit", lambda: 3)
    assert available_cores() == 3
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    monkeypatch.setattr(threads, "_cgroup_cpu_limit", lambda: None)
    assert available_cores() == 1


@pytest.mark.parametrize(("text", "expected"), [
    ("150000 100000\n", 2), ("200000 100000", 2), ("50000 100000", 1), ("max 100000", None), ("", None),
])
def test_cgroup_quota(tmp_path, text, expected):
    (tmp_path / "cpu.max").write_text(text)
    assert threads._cgroup_cpu_limit(tmp_path / "cpu.max") == expected
    assert threads._cgroup_cpu_limit(tmp_path / "missing") is None


@pytest.mark.parametrize(("environ", "gpu", "expected"), [
    ({"GAPSIGHT_THREADS": "3", "OMP_NUM_THREADS": "5"}, False, 3),  # the app's budget wins
    ({"GAPSIGHT_THREADS": "3"}, True, 2),
    ({"OMP_NUM_THREADS": "5"}, False, 5),  # set by hand for a worker run without the app
    ({"GAPSIGHT_THREADS": "many", "OMP_NUM_THREADS": "0"}, False, None),
    ({}, False, None),
])
def test_worker_threads(environ, gpu, expected):
    expected = available_cores() if expected is None else expected
    assert worker_threads(gpu=gpu, environ=environ) == expected


def test_thread_environment():
    assert thread_environment(3) == {
        "GAPSIGHT_THREADS": "3", "OMP_NUM_THREADS": "3", "MKL_NUM_THREADS": "3", "OPENBLAS_NUM_THREADS": "3",
        "TOKENIZERS_PARALLELISM": "false",
    }


def test_apply_torch_threads_again_skips_the_interop_threads_torch_refuses():
    previous = torch.get_num_threads()
    try:
        apply_torch_threads(previous + 1)
        applied = apply_torch_threads(previous + 2)  # torch takes interop threads once per process at most
        assert applied.intra_op == previous + 2 == torch.get_num_threads()
        assert applied.inter_op == torch.get_num_interop_threads()
    finally:
        torch.set_num_threads(previous)


def test_apply_torch_threads_in_a_fresh_process_sets_both():
    code = "from models.threads import apply_torch_threads as a; t = a(1); print(t.intra_op, t.inter_op)"
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "OMP_NUM_THREADS": "2"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "1"]


def test_count_cpu_jobs():
    jobs = [
        JobStatus("a", "train", "t", state="running", device="CPU (1 thread)"),
        JobStatus("b", "score", "t", state="queued", device=""),  # still starting: assume the CPU
        JobStatus("c", "train", "t", state="running", device="NVIDIA H200"),
        JobStatus("d", "quantize", "t", state="running", device="NVIDIA H200"),  # int8 builds run on the CPU
        JobStatus("e", "train", "t", state="done", device="CPU (1 thread)"),
    ]
    assert count_cpu_jobs(jobs) == 3


def _fake_job(home: Path, job_id: str, state: str, device: str) -> Path:
    folder = job_dir(job_id, home=home)
    folder.mkdir(parents=True)
    (folder / STATUS_FILE).write_text(json.dumps({"job_id": job_id, "kind": "train", "task": "t", "state": state,
                                                  "device": device}))
    (folder / "pid").write_text(str(os.getpid()))  # a live process: the job is not reported crashed
    return folder


def test_the_app_lowers_its_threads_while_a_cpu_job_runs_and_restores_them(tmp_path, monkeypatch):
    monkeypatch.setattr(threads, "available_cores", lambda: 4)
    monkeypatch.setattr(threads, "_APP_BUDGET", threads._AppBudget())
    previous = torch.get_num_threads()
    try:
        torch.set_num_threads(3)
        assert budget_app_threads(home=tmp_path) == 4 and torch.get_num_threads() == 3  # no job: left alone
        _fake_job(tmp_path, "gpu-job", "running", "NVIDIA H200")
        assert budget_app_threads(home=tmp_path) == 4 and torch.get_num_threads() == 3
        folder = _fake_job(tmp_path, "cpu-job", "running", "CPU (3 threads)")
        assert budget_app_threads(home=tmp_path) == 1 and torch.get_num_threads() == 1
        assert budget_app_threads(home=tmp_path) == 1 and torch.get_num_threads() == 1
        (folder / STATUS_FILE).write_text(json.dumps({"job_id": "cpu-job", "kind": "train", "task": "t",
                                                      "state": "done", "device": "CPU (3 threads)"}))
        assert budget_app_threads(home=tmp_path) == 4 and torch.get_num_threads() == 3  # restored
    finally:
        torch.set_num_threads(previous)


def test_a_real_worker_keeps_to_the_budget(tmp_path, monkeypatch, tokenizer):
    """A score job started as the app starts it runs with job_threads(app_attached=True) threads, set before torch."""
    monkeypatch.setenv(TINY_MODEL_ENV, "1")
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    labels = ("negative", "positive")
    folder = save_model(build_tiny_classifier(list(labels), seed=0), tokenizer, tmp_path / "models" / "tiny",
                        meta=ModelMeta(task="sentiment", labels=labels))
    path = write_job_input(pd.DataFrame({"record_id": [1, 2], "text": ["great", "awful"]}), home=tmp_path)
    job_id = start_job(JobSpec(kind="score", task="sentiment", input_path=str(path), model_folder=str(folder),
                               device="cpu"), home=tmp_path)
    deadline = time.monotonic() + 120
    while (status := job_status(job_id, home=tmp_path)).is_active and time.monotonic() < deadline:
        time.sleep(0.2)
    n = job_threads(app_attached=True)
    assert status.state == "done", status.log_tail
    assert f"threads: {n} (of {available_cores()} cores) · OMP_NUM_THREADS={n}" in status.log_tail
    assert status.device == f"CPU ({n} thread{'' if n == 1 else 's'})"  # torch started with the budget


def test_a_job_takes_the_apps_core_only_while_nobody_uses_the_app(tmp_path):
    now = [1000.0]
    governor = threads.JobThreadGovernor(tmp_path, budget=1, cores=2, quiet_seconds=15, clock=lambda: now[0])
    previous = torch.get_num_threads()
    try:
        assert governor.wanted() == 2  # the app never marked itself active: both cores
        assert governor.adjust() == 2 and torch.get_num_threads() == 2
        threads.mark_app_active(tmp_path)  # a page view
        marked = (tmp_path / threads.APP_ACTIVE_FILE).stat().st_mtime
        now[0] = marked + 5
        assert governor.adjust() == 1 and torch.get_num_threads() == 1  # the app's core given back
        now[0] = marked + 16
        assert governor.adjust() == 2 and torch.get_num_threads() == 2  # quiet again: both cores
    finally:
        torch.set_num_threads(previous)


def test_a_job_run_without_the_app_keeps_every_core(tmp_path):
    threads.mark_app_active(tmp_path)
    governor = threads.JobThreadGovernor(tmp_path, budget=2, cores=2)
    assert not governor.enabled and governor.adjust() == 2


def test_page_views_mark_the_app_active_only_while_a_cpu_job_runs(tmp_path, monkeypatch):
    monkeypatch.setattr(threads, "_unsynced_jobs", lambda home: [])
    threads.budget_app_threads(home=tmp_path)
    assert not (tmp_path / threads.APP_ACTIVE_FILE).exists()
    running = JobStatus("train-1", "train", "t", state="running", device="CPU (1 thread)")
    monkeypatch.setattr(threads, "_unsynced_jobs", lambda home: [running])
    previous = torch.get_num_threads()
    try:
        threads.budget_app_threads(home=tmp_path)
        assert (tmp_path / threads.APP_ACTIVE_FILE).exists()
    finally:
        monkeypatch.setattr(threads, "_unsynced_jobs", lambda home: [])
        threads.budget_app_threads(home=tmp_path)
        torch.set_num_threads(previous)
