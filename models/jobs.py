"""Background model jobs: each runs in its own process and talks to the app only through files.

The app process holds the DuckDB store open (one process per file), so a job never opens it: the
app writes the job's input as Parquet (:func:`write_job_input`), starts the job
(:func:`start_job`) and polls :func:`job_status`; the job writes only under ``GAPSIGHT_HOME``:

- ``jobs/<job_id>/spec.json``: what to do (:class:`JobSpec`);
- ``jobs/<job_id>/status.json``: state and progress, replaced atomically at most ~2 times a second;
- ``jobs/<job_id>/result.json``: the outcome (model folder and reports, or the predictions file);
- ``jobs/<job_id>/log.txt``: the worker's output, tracebacks included;
- ``jobs/<job_id>/cancel``: present when a cancel was requested;
- ``jobs/<job_id>/synced``: present once the app has registered or imported the finished job's
  result (``models.flows.sync``), so that each job is taken in exactly once;
- ``models/<folder>``: trained models, which appear atomically (see ``models.registry.save_model``).

A job whose status says queued or running while its process is gone (killed, out of memory) is
reported, and recorded, as failed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import math
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "ACTIVE_STATES",
    "CRASH_MESSAGE",
    "JOB_KINDS",
    "JOB_STATES",
    "JobCancelled",
    "JobRecorder",
    "JobSpec",
    "JobStatus",
    "cancel_job",
    "cpu_lock",
    "exclusive_slot",
    "gpu_lock",
    "job_dir",
    "job_status",
    "jobs_root",
    "rough_duration",
    "latest_job",
    "list_jobs",
    "mark_synced",
    "queue_positions",
    "queue_wait",
    "unsynced_finished_jobs",
    "start_job",
    "write_job_input",
]

JOB_KINDS = ("train", "score", "quantize", "embed")
JOB_STATES = ("queued", "running", "done", "failed", "cancelled")
ACTIVE_STATES = ("queued", "running")
CRASH_MESSAGE = "The job process stopped unexpectedly (killed or out of memory); start it again."

SPEC_FILE = "spec.json"
STATUS_FILE = "status.json"
RESULT_FILE = "result.json"
LOG_FILE = "log.txt"
CANCEL_FILE = "cancel"
SYNCED_FILE = "synced"  # written by the app once it has taken in a finished job's result
PID_FILE = "pid"
GPU_LOCK_FILE = "gpu.lock"
CPU_LOCK_FILE = "cpu.lock"
INPUTS_DIR = "inputs"
PREDICTIONS_FILE = "predictions.parquet"

# Seconds between status writes while a job makes progress.
PROGRESS_INTERVAL = 0.5
# A queued job without a pid file is still being launched for at most this long.
_LAUNCH_GRACE_SECONDS = 30.0
_LOG_TAIL_CHARS = 4000
_PROJECT_ROOT = Path(__file__).resolve().parents[1]
_JOB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class JobCancelled(Exception):
    """Raised inside a job when its cancel flag is seen; the job ends as "cancelled"."""


def rough_duration(seconds: float) -> str:
    """A duration as people estimate it: "under a minute", "about 6 min".

    >>> rough_duration(40), rough_duration(370)
    ('under a minute', 'about 6 min')
    """
    minutes = seconds / 60
    return "under a minute" if minutes < 1 else f"about {minutes:,.0f} min"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _jsonable(value):
    """``value`` with NaN → None and numpy / Path / tuple values made plain JSON."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


def _write_atomic(path: Path, text: str) -> None:
    # Same folder, so os.replace is a rename: readers see the old or the new file, never half of one.
    temp = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    try:
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()


def _write_json(path: Path, data: dict) -> None:
    _write_atomic(path, json.dumps(_jsonable(data), indent=2, ensure_ascii=False, allow_nan=False))


def _read_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def jobs_root(home: str | Path | None = None) -> Path:
    """``<home>/jobs`` (default home: ``analytics.store.gapsight_home()``)."""
    if home is None:
        from analytics.home import gapsight_home  # only the path: jobs never open the store

        home = gapsight_home()
    return Path(home) / "jobs"


def job_dir(job_id: str, *, home: str | Path | None = None) -> Path:
    """The folder of ``job_id`` (checked to be a plain name, so no path escapes ``jobs/``)."""
    if not isinstance(job_id, str) or not _JOB_ID.match(job_id):
        raise ValueError(f"{job_id!r} is not a job id.")
    return jobs_root(home) / job_id


@dataclass(frozen=True)
class JobSpec:
    """What a background job should do (stored as ``spec.json``).

    Attributes
    ----------
    kind : {"train", "score", "quantize", "embed"}
    task : str
        ``"sentiment"``, ``"intent"`` or a label column's name.
    input_path : str
        Parquet file with columns ``record_id``, ``text`` and, for training, ``label`` (unused
        by a quantize job).
    name : str
        Names the model (training); defaults to ``task``.
    dataset_id : str
        The dataset the input came from (informational; used by :func:`latest_job`).
    config : dict
        :class:`models.training.FineTuneConfig` fields to override (training); an embed job's
        ``reuse_from``: earlier caches whose vectors of the same texts it takes instead of embedding.
    model_folder : str or None
        The model to score with (scoring) or to build an int8 variant of (quantize).
    device : {"auto", "cpu", "cuda"} or None
        ``None`` picks CUDA when available (or what ``GAPSIGHT_DEVICE`` says).
    output_path : str or None
        Where an embed job writes its embeddings cache (``.npz``).
    expected_seconds : float or None
        How long the job should take, estimated before it starts from speeds measured on this
        machine (:mod:`models.flows.estimates`); the queue adds these up to say when a job starts.
    recipe : {"auto", "full", "quick"}
        Which model kinds a training job fits (:func:`models.recipes.kinds_for`).
    reuse_models : list of str
        Model folders of an earlier training run on the same rows whose linear models this run scores
        again instead of refitting (the CPU's background fine-tune after its quick run).
    base : str or None
        The base model a training job fine-tunes (:func:`models.base.base_path_for` names); MiniLM when None.
    """

    kind: str
    task: str
    input_path: str
    name: str = ""
    dataset_id: str = ""
    config: dict = field(default_factory=dict)
    model_folder: str | None = None
    device: str | None = None
    output_path: str | None = None
    expected_seconds: float | None = None
    recipe: str = "auto"
    reuse_models: list = field(default_factory=list)
    base: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in JOB_KINDS:
            raise ValueError(f"kind={self.kind!r} should be one of {', '.join(JOB_KINDS)}.")
        if not str(self.task).strip():
            raise ValueError("A job needs a task name, e.g. 'sentiment'.")
        object.__setattr__(self, "input_path", str(self.input_path))
        if self.model_folder is not None:
            object.__setattr__(self, "model_folder", str(self.model_folder))
        if self.kind in ("score", "quantize") and not self.model_folder:
            raise ValueError(f"A {self.kind} job needs the model folder to work on.")
        if self.kind == "embed" and not self.output_path:
            raise ValueError("An embed job needs the path of the embeddings file to write.")
        if self.device not in (None, "auto", "cpu", "cuda"):
            raise ValueError(f"device={self.device!r} should be 'auto', 'cpu', 'cuda' or None.")
        if self.kind == "train":
            from models.recipes import RECIPES

            if self.recipe not in RECIPES:
                raise ValueError(f"recipe={self.recipe!r} should be one of {', '.join(RECIPES)}.")
            self.fine_tune_config(cuda=False)  # unknown or invalid settings fail here, not in the job

    def fine_tune_config(self, *, cuda: bool):
        """The device's default :class:`~models.recipes.FineTuneConfig` with these settings over it."""
        from models.recipes import FineTuneConfig, default_config

        known = {f.name for f in dataclasses.fields(FineTuneConfig)}
        unknown = sorted(set(self.config) - known)
        if unknown:
            raise ValueError(f"Unknown fine-tuning settings {unknown}; known ones are {sorted(known)}.")
        return dataclasses.replace(default_config(cuda=cuda), **self.config)

    def to_json(self) -> str:
        return json.dumps(_jsonable(dataclasses.asdict(self)), indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> JobSpec:
        """Parse :meth:`to_json` output; keys this version does not know are ignored."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"The job specification is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ValueError("The job specification should be a JSON object.")
        known = {f.name for f in dataclasses.fields(cls)}
        missing = sorted({"kind", "task", "input_path"} - set(data))
        if missing:
            raise ValueError(f"The job specification lacks {missing}.")
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class JobStatus:
    """Where a job stands (from its ``status.json``, ``result.json`` and ``log.txt``).

    Attributes
    ----------
    job_id, kind, task, name, dataset_id : str
    state : {"queued", "running", "done", "failed", "cancelled"}
    fraction : float
        Progress in 0–1; never goes down.
    message : str
        One line for a progress bar, e.g.
        ``"epoch 2/3 · step 340/512 · loss 0.41 · val macro-F1 0.78 · ETA 1 min 20 s · CPU (2 threads)"``.
    step, total_steps, epoch : int or None
        Training steps (scoring: texts scored and total).
    train_loss, val_macro_f1, eta_seconds : float or None
    expected_seconds : float or None
        The estimate made before the job started (its spec's), for the queue.
    device : str
        Where the job runs, e.g. ``"CPU (2 threads)"``.
    created_at, started_at, finished_at : str or None
        ISO-8601 UTC times.
    error : str or None
        For failed jobs, what went wrong and what to do (never a traceback; that is in the log).
    result : dict or None
        Done train jobs: ``model_folder``, ``report``, ``baselines``, ``labels``, ``split_sizes`` …;
        done score jobs: ``predictions_path`` (Parquet: ``record_id``, ``label``, ``confidence``,
        ``is_empty``, ``proba_<class>``, in input order), ``rows``, ``labels``.
    log_tail : str
        The end of the job's log.
    pid : int or None
    """

    job_id: str
    kind: str
    task: str
    name: str = ""
    dataset_id: str = ""
    state: str = "queued"
    fraction: float = 0.0
    message: str = ""
    step: int | None = None
    total_steps: int | None = None
    epoch: int | None = None
    train_loss: float | None = None
    val_macro_f1: float | None = None
    eta_seconds: float | None = None
    expected_seconds: float | None = None
    device: str = ""
    created_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    error: str | None = None
    result: dict | None = None
    log_tail: str = ""
    pid: int | None = None
    synced: bool = False

    @property
    def is_active(self) -> bool:
        """Queued or running."""
        return self.state in ACTIVE_STATES


_STATUS_FIELDS = {f.name for f in dataclasses.fields(JobStatus)} - {"result", "log_tail", "synced"}


class JobRecorder:
    """Writes one job's ``status.json`` (used by the worker and the launcher, not by the app).

    :meth:`update` only records fields; a helper thread writes them at most every ``interval``
    seconds, so progress callbacks cost no disk I/O. ``force=True`` writes at once (state changes).
    """

    def __init__(self, folder: str | Path, *, interval: float = PROGRESS_INTERVAL) -> None:
        self.folder = Path(folder)
        self.interval = interval
        self._status = _read_json(self.folder / STATUS_FILE) or {}
        self._lock = threading.Lock()
        self._dirty = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def status(self) -> dict:
        with self._lock:
            return dict(self._status)

    def update(self, *, force: bool = False, **fields) -> None:
        """Record ``fields`` (``fraction`` never decreases); write now when ``force``."""
        unknown = set(fields) - _STATUS_FIELDS
        if unknown:
            raise ValueError(f"Unknown status fields {sorted(unknown)}.")
        with self._lock:
            if fields.get("fraction") is not None:
                fields["fraction"] = min(1.0, max(float(self._status.get("fraction") or 0.0), fields["fraction"]))
            self._status.update(fields)
            self._dirty = True
        if force:
            self.flush()

    def flush(self) -> None:
        """Write the status if anything changed since the last write."""
        with self._lock:
            if not self._dirty:
                return
            _write_json(self.folder / STATUS_FILE, self._status)
            self._dirty = False

    def start(self) -> JobRecorder:
        """Start the helper thread that writes recorded progress every ``interval`` seconds."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="job-status", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.flush()

    def close(self) -> None:
        """Stop the helper thread and write what is pending."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.flush()

    def mark_running(self, message: str, **fields) -> None:
        """Record that the work itself has started (after any wait for the GPU)."""
        started = self._status.get("started_at") or _now()
        self.update(force=True, state="running", started_at=started, message=message, **fields)

    def cancel_requested(self) -> bool:
        """Whether someone asked this job to stop (the ``cancel`` flag file exists)."""
        return (self.folder / CANCEL_FILE).exists()

    def finish(self, state: str, *, message: str, error: str | None = None, result: dict | None = None) -> None:
        """Write ``result.json`` (if any), then the final state."""
        if state not in JOB_STATES or state in ACTIVE_STATES:
            raise ValueError(f"state={state!r} is not a final state.")
        self.close()
        if result is not None:
            _write_json(self.folder / RESULT_FILE, result)
        fields = {"state": state, "message": message, "error": error, "finished_at": _now(), "eta_seconds": None}
        if state == "done":
            fields["fraction"] = 1.0
        self.update(force=True, **fields)


@contextlib.contextmanager
def exclusive_slot(
    lock_name: str,
    home: str | Path | None = None,
    *,
    on_wait: Callable[[], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    poll_seconds: float = 0.5,
) -> Iterator[None]:
    """Hold ``jobs/<lock_name>`` exclusively: one holder at a time across processes, the others queue.

    ``on_wait`` is called once if another process holds the lock; while waiting,
    ``should_stop`` is polled and :class:`JobCancelled` raised when it returns True. The
    operating system releases the lock when the holder exits, even on SIGKILL.
    """
    root = jobs_root(home)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / lock_name, "a+") as handle:
        waiting = False
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waiting and on_wait is not None:
                    on_wait()
                waiting = True
                if should_stop is not None and should_stop():
                    raise JobCancelled() from None
                time.sleep(poll_seconds)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def gpu_lock(home: str | Path | None = None, **options) -> contextlib.AbstractContextManager:
    """One GPU training at a time (see :func:`exclusive_slot`)."""
    return exclusive_slot(GPU_LOCK_FILE, home, **options)


def cpu_lock(home: str | Path | None = None, **options) -> contextlib.AbstractContextManager:
    """One heavy job at a time on the CPU: two jobs sharing two cores each take more than twice as long."""
    return exclusive_slot(CPU_LOCK_FILE, home, **options)


def write_job_input(frame: pd.DataFrame, *, home: str | Path | None = None) -> Path:
    """Write a job's input (``record_id``, ``text`` and optionally ``label``) as Parquet; return its path.

    The file goes to ``jobs/inputs/`` under the home and appears atomically.
    """
    missing = [c for c in ("record_id", "text") if c not in frame.columns]
    if missing:
        raise ValueError(f"A job input needs the columns record_id and text; {missing} missing.")
    columns = [c for c in ("record_id", "text", "label") if c in frame.columns]
    folder = jobs_root(home) / INPUTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"input-{datetime.now(UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.parquet"
    temp = path.with_name(f".{path.name}.tmp")
    try:
        frame[columns].reset_index(drop=True).to_parquet(temp, index=False)
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()
    return path


def _process_start(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (Linux), which tells a reused pid from the original."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else None


def _pid_alive(pid: int, started: str | None) -> bool:
    try:  # a child of this process (tests, the launching app) must be reaped, not left a zombie
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (not Linux): trust os.kill
    if stat[stat.rfind(")") + 2 :].startswith(("Z", "X")):
        return False
    return started is None or _process_start(pid) in (None, started)


def _worker_alive(folder: Path, status: dict) -> bool:
    try:
        pid_text, _, started = (folder / PID_FILE).read_text().strip().partition(" ")
        pid = int(pid_text)
    except (OSError, ValueError):
        created = status.get("created_at")
        try:
            age = (datetime.now(UTC) - datetime.fromisoformat(created)).total_seconds()
        except (TypeError, ValueError):
            return False
        return age < _LAUNCH_GRACE_SECONDS  # being launched right now
    return _pid_alive(pid, started or None)


def _log_tail(folder: Path) -> str:
    path = folder / LOG_FILE
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - _LOG_TAIL_CHARS))
            return handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _status_from(folder: Path, data: dict) -> JobStatus:
    fields = {k: v for k, v in data.items() if k in _STATUS_FIELDS}
    fields.setdefault("job_id", folder.name)
    fields.setdefault("kind", "")
    fields.setdefault("task", "")
    result = _read_json(folder / RESULT_FILE) if data.get("state") == "done" else None
    return JobStatus(**fields, result=result, log_tail=_log_tail(folder), synced=(folder / SYNCED_FILE).exists())


def job_status(job_id: str, *, home: str | Path | None = None) -> JobStatus:
    """The status of ``job_id``; a queued/running job whose process is gone is recorded as failed.

    Raises
    ------
    ValueError
        No such job (never started, or deleted).
    """
    folder = job_dir(job_id, home=home)
    data = _read_json(folder / STATUS_FILE)
    if data is None:
        raise ValueError(f"There is no job {job_id!r} under {folder.parent}; it may have been deleted.")
    if data.get("state") in ACTIVE_STATES and not _worker_alive(folder, data):
        # Read again: the worker writes its final state before it exits, so a state that is
        # still active now that the process is gone means the process died.
        data = _read_json(folder / STATUS_FILE) or data
        if data.get("state") in ACTIVE_STATES:
            data.update(state="failed", error=CRASH_MESSAGE, message=CRASH_MESSAGE, finished_at=_now(),
                        eta_seconds=None)
            _write_json(folder / STATUS_FILE, data)
    return _status_from(folder, data)


def _statuses(home: str | Path | None, *, skip_synced: bool = False) -> list[JobStatus]:
    """The status of every job folder under the home; with ``skip_synced``, of those not yet taken in."""
    root = jobs_root(home)
    if not root.is_dir():
        return []
    jobs = []
    for folder in root.iterdir():
        if not (folder.is_dir() and _JOB_ID.match(folder.name) and (folder / STATUS_FILE).is_file()):
            continue
        if skip_synced and (folder / SYNCED_FILE).exists():
            continue
        try:
            jobs.append(job_status(folder.name, home=home))
        except ValueError:
            continue  # deleted while we looked
    return jobs


def list_jobs(*, home: str | Path | None = None) -> list[JobStatus]:
    """Every job under the home, newest first."""
    return sorted(_statuses(home), key=lambda s: (s.created_at or "", s.job_id), reverse=True)


def unsynced_finished_jobs(*, home: str | Path | None = None) -> list[JobStatus]:
    """Finished jobs the app has not taken in yet, oldest first; reads only folders without a ``synced`` mark."""
    finished = [s for s in _statuses(home, skip_synced=True) if not s.is_active]
    return sorted(finished, key=lambda s: (s.created_at or "", s.job_id))


def mark_synced(job_id: str, *, home: str | Path | None = None) -> None:
    """Record that the app has taken in ``job_id``'s result (see :func:`unsynced_finished_jobs`)."""
    _write_atomic(job_dir(job_id, home=home) / SYNCED_FILE, _now())


def job_spec(job_id: str, *, home: str | Path | None = None) -> JobSpec:
    """The specification ``job_id`` was started with."""
    return JobSpec.from_json((job_dir(job_id, home=home) / SPEC_FILE).read_text(encoding="utf-8"))


def queue_positions(jobs: list[JobStatus]) -> dict[str, int]:
    """Job id → place in line (1 = next to run) for the queued jobs, the oldest first.

    >>> queue_positions([JobStatus("b", "train", "t", state="queued", created_at="2"),
    ...                  JobStatus("a", "score", "t", state="queued", created_at="1"),
    ...                  JobStatus("c", "embed", "t", state="running", created_at="0")])
    {'a': 1, 'b': 2}
    """
    waiting = sorted((j for j in jobs if j.state == "queued"), key=lambda j: (j.created_at or "", j.job_id))
    return {j.job_id: place for place, j in enumerate(waiting, start=1)}


def queue_wait(jobs: list[JobStatus]) -> dict[str, str]:
    """Job id → when a queued job should start: the running job's ETA plus the estimates of the jobs ahead.

    >>> running = JobStatus("r", "train", "t", name="big fine-tune", state="running", eta_seconds=250)
    >>> waits = queue_wait([running, JobStatus("a", "score", "t", state="queued", created_at="1", expected_seconds=300),
    ...                     JobStatus("b", "embed", "t", state="queued", created_at="2"),
    ...                     JobStatus("c", "embed", "t", state="queued", created_at="3")])
    >>> waits["a"], waits["b"]
    ("starts in about 4 min, when 'big fine-tune' ends", 'starts in about 9 min, after the 1 job before it in line')
    >>> waits["c"]  # b has no estimate
    'starts after the 2 jobs before it in line'
    """
    running = next((j for j in jobs if j.state == "running"), None)
    clock = 0.0 if running is None else running.eta_seconds  # seconds until the next job starts, None if unknown
    waits = {}
    places = queue_positions(jobs)
    for job in sorted((j for j in jobs if j.job_id in places), key=lambda j: places[j.job_id]):
        ahead = places[job.job_id] - 1
        if ahead == 0 and running is None:
            waits[job.job_id] = "starts next"
        elif ahead == 0:
            when = "starts" if clock is None else f"starts in {rough_duration(clock)},"
            waits[job.job_id] = f"{when} when '{running.name or running.task}' ends"
        else:
            when = "starts" if clock is None else f"starts in {rough_duration(clock)},"
            waits[job.job_id] = f"{when} after the {ahead} job{'s' if ahead > 1 else ''} before it in line"
        clock = None if clock is None or job.expected_seconds is None else clock + job.expected_seconds
    return waits


def latest_job(
    *, task: str, dataset_id: str, kind: str | None = None, home: str | Path | None = None
) -> JobStatus | None:
    """The newest job for ``task`` on ``dataset_id`` (optionally of one ``kind``), or ``None``."""
    for status in list_jobs(home=home):
        if status.task == task and status.dataset_id == dataset_id and (kind is None or status.kind == kind):
            return status
    return None


def cancel_job(job_id: str, *, home: str | Path | None = None) -> JobStatus:
    """Ask a queued or running job to stop; it ends "cancelled" and saves nothing.

    The worker polls the flag between training steps (and scoring batches), so it stops within
    a step. Cancelling a finished job changes nothing.
    """
    status = job_status(job_id, home=home)
    if status.is_active:
        _write_atomic(job_dir(job_id, home=home) / CANCEL_FILE, _now())
    return status




def start_job(spec: JobSpec, *, home: str | Path | None = None) -> str:
    """Start ``spec`` in its own process (``python -m models.worker <job_dir>``); return the job id.

    Returns at once; follow the job with :func:`job_status`. The process is detached (its own
    session), so it outlives a page reload; its output goes to ``log.txt``. It gets the thread
    budget of :func:`models.threads.job_threads` (all cores but one, left to the app).

    Raises
    ------
    ValueError
        The input file does not exist, or the process could not be started.
    """
    if spec.kind != "quantize":  # a quantize job reads only its model folder
        input_path = Path(spec.input_path).resolve()
        if not input_path.is_file():
            raise ValueError(f"The job input {input_path} does not exist; write it before starting the job.")
        spec = dataclasses.replace(spec, input_path=str(input_path))
    root = jobs_root(home).resolve()
    home_path = root.parent
    root.mkdir(parents=True, exist_ok=True)
    job_id = f"{spec.kind}-{datetime.now(UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    folder = root / job_id
    folder.mkdir()
    _write_atomic(folder / SPEC_FILE, spec.to_json())
    recorder = JobRecorder(folder)
    recorder.update(
        force=True, job_id=job_id, kind=spec.kind, task=spec.task, name=spec.name or spec.task,
        dataset_id=spec.dataset_id, state="queued", fraction=0.0, message="starting", created_at=_now(),
        expected_seconds=spec.expected_seconds,
    )
    env = dict(os.environ)
    env["GAPSIGHT_HOME"] = str(home_path)
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    from models.threads import job_threads, thread_environment

    env.update(thread_environment(job_threads(app_attached=True)))  # leave the app a core (issue 13)
    try:
        with open(folder / LOG_FILE, "ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "models.worker", str(folder)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=_PROJECT_ROOT, env=env, start_new_session=True, close_fds=True,
            )
    except OSError as exc:
        message = f"The job process could not be started ({exc}); check the Python environment."
        recorder.finish("failed", message=message, error=message)
        raise ValueError(message) from exc
    _write_atomic(folder / PID_FILE, f"{process.pid} {_process_start(process.pid) or ''}".strip())
    return job_id
