"""How many CPU threads the app and the job processes use, so that together they never oversubscribe the cores.

On a busy 2-core machine one MiniLM training step took about 17 s with torch's default thread
count and 3.3 s with one thread (issue 13): OpenMP threads that outnumber the free cores spend
their time handing work over instead of doing it. The budget, for ``C`` available cores
(:func:`available_cores`: the affinity mask, lowered by a cgroup CPU quota):

- a CPU job the app starts (:func:`job_threads` with ``app_attached=True``) gets ``C - 1``
  threads, at least 1, so the app keeps one core for its pages; CPU jobs already compute one at
  a time (``models.jobs.cpu_lock``), so one budget never has to be split between jobs. While
  nobody uses the app (no page view for :data:`APP_QUIET_SECONDS`) the job takes the app's core
  too (:class:`JobThreadGovernor`, checked between steps) and gives it back at the next page view:
  on two cores a training step takes 1.3 s with both threads and 2.3 s with one;
- a job or worker run without the app (the CLI, ``python -m models.worker`` by hand) gets all
  ``C`` cores;
- a GPU job gets at most 2 host threads (tokenising and feeding the GPU need no more);
- the app (:func:`app_threads`) gets what a computing CPU job leaves, ``C - (C - 1) = 1``,
  while one is active, and all ``C`` cores otherwise (GPU jobs are not counted);
- on a single core every process gets 1 thread: sharing cannot be avoided, and the job runs
  at a lower priority (``os.nice`` in the worker).

The app applies its share once per page view (:func:`budget_app_threads`, called by the frame):
it lowers torch's count while a CPU job is active and puts the previous count back afterwards.
Torch hands each new thread the last count set, and Streamlit runs each script run in a fresh
thread, so the page that follows computes with it.

A job's budget reaches its process as environment variables (:func:`thread_environment`), set
before torch, numpy or the tokenizers load: the OpenMP, MKL and OpenBLAS runtimes read them once.
This module imports nothing heavy; torch is imported inside :func:`apply_torch_threads` only.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "APP_ACTIVE_FILE",
    "APP_QUIET_SECONDS",
    "GPU_HOST_THREADS",
    "JobThreadGovernor",
    "THREADS_ENV",
    "AppliedThreads",
    "app_threads",
    "apply_torch_threads",
    "available_cores",
    "budget_app_threads",
    "count_cpu_jobs",
    "job_threads",
    "mark_app_active",
    "thread_environment",
    "worker_threads",
]

THREADS_ENV = "GAPSIGHT_THREADS"  # a job's thread budget, set by models.jobs.start_job for the worker
APP_ACTIVE_FILE = "app-active"  # under the home: touched by every page view while a CPU job computes
APP_QUIET_SECONDS = 15.0
GPU_HOST_THREADS = 2
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
_CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


def _cgroup_cpu_limit(path: Path = _CGROUP_CPU_MAX) -> int | None:
    """Cores a cgroup v2 CPU quota allows (``"200000 100000"`` → 2), or None without a quota.

    A container limited to 2 CPUs still sees every host core in its affinity mask.
    """
    try:
        quota, period = path.read_text().split()[:2]
        return max(1, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError, ZeroDivisionError):  # no file, "max" (no quota), or malformed
        return None


def available_cores() -> int:
    """Cores this process may run on: its affinity mask (else ``os.cpu_count()``) within any CPU quota; >= 1."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    limit = _cgroup_cpu_limit()
    return max(1, min(cores, limit) if limit else cores)


def job_threads(cores: int | None = None, *, app_attached: bool, gpu: bool = False) -> int:
    """Threads for a job: all cores but the app's one when the app started it, at most 2 on a GPU.

    Examples
    --------
    >>> job_threads(2, app_attached=True), job_threads(2, app_attached=False), job_threads(16, app_attached=True)
    (1, 2, 15)
    >>> job_threads(16, app_attached=True, gpu=True), job_threads(1, app_attached=True)
    (2, 1)
    """
    cores = available_cores() if cores is None else int(cores)
    if cores < 1:
        raise ValueError(f"cores={cores} should be >= 1.")
    threads = max(1, cores - 1) if app_attached else cores
    return min(threads, GPU_HOST_THREADS) if gpu else threads


def app_threads(active_cpu_jobs: int, cores: int | None = None) -> int:
    """Threads for the app process: the cores a computing CPU job leaves (1 on two cores), else all of them.

    Examples
    --------
    >>> app_threads(1, cores=2), app_threads(0, cores=2), app_threads(1, cores=16), app_threads(1, cores=1)
    (1, 2, 1, 1)
    """
    cores = available_cores() if cores is None else int(cores)
    if cores < 1:
        raise ValueError(f"cores={cores} should be >= 1.")
    if active_cpu_jobs <= 0:
        return cores
    return max(1, cores - job_threads(cores, app_attached=True))


def worker_threads(*, gpu: bool = False, environ: Mapping[str, str] | None = None) -> int:
    """A worker process's budget: ``GAPSIGHT_THREADS`` (from the app), else ``OMP_NUM_THREADS``, else all cores.

    An OMP_NUM_THREADS someone set for a worker run by hand is kept, so torch and OpenMP agree.
    """
    environ = os.environ if environ is None else environ
    for name in (THREADS_ENV, "OMP_NUM_THREADS"):
        try:
            threads = int(environ.get(name, ""))
        except ValueError:
            continue
        if threads >= 1:
            return min(threads, GPU_HOST_THREADS) if gpu else threads
    return job_threads(app_attached=False, gpu=gpu)


def thread_environment(threads: int) -> dict[str, str]:
    """Environment variables that hold a child process to ``threads`` threads (set them before torch loads).

    The Rust tokenizers' own pool is switched off: it would add threads beside torch's and
    warns when the process forks.

    >>> thread_environment(1)["OMP_NUM_THREADS"], thread_environment(1)["TOKENIZERS_PARALLELISM"]
    ('1', 'false')
    """
    if int(threads) < 1:
        raise ValueError(f"threads={threads} should be >= 1.")
    value = str(int(threads))
    return {THREADS_ENV: value, **dict.fromkeys(_THREAD_VARIABLES, value), "TOKENIZERS_PARALLELISM": "false"}


@dataclass(frozen=True)
class AppliedThreads:
    """Torch's thread counts after :func:`apply_torch_threads`: intra-op (the one that matters) and inter-op."""

    intra_op: int
    inter_op: int


def apply_torch_threads(threads: int, *, interop: bool = True) -> AppliedThreads:
    """Set torch's intra-op threads (and, where torch still allows it, its inter-op threads); return what holds now.

    Torch accepts ``set_num_interop_threads`` once per process and only before parallel work
    started; later calls raise, so they are skipped. A long-lived process that changes its
    budget often (the app) passes ``interop=False``, so that its first, lowered value is not
    fixed for good.
    """
    import torch

    if int(threads) < 1:
        raise ValueError(f"threads={threads} should be >= 1.")
    if torch.get_num_threads() != int(threads):
        torch.set_num_threads(int(threads))
    if interop and torch.get_num_interop_threads() != int(threads):
        try:
            torch.set_num_interop_threads(int(threads))
        except RuntimeError:  # parallel work already started, or set before
            pass
    return AppliedThreads(torch.get_num_threads(), torch.get_num_interop_threads())


def count_cpu_jobs(jobs: Iterable) -> int:
    """Active jobs that compute on the CPU (``models.jobs.JobStatus`` objects).

    A job whose device is not known yet (still starting) counts as a CPU job, and so does an
    int8 build, which always runs on the CPU; a GPU job's device is its GPU's name.
    """
    return sum(1 for job in jobs if job.is_active
               and (job.kind == "quantize" or not job.device or job.device.startswith("CPU")))


def _unsynced_jobs(home: str | Path | None) -> list:
    """Statuses of the jobs the app has not taken in: every active job is among them, and few others are."""
    from models.jobs import SYNCED_FILE, job_status, jobs_root

    root = jobs_root(home)
    if not root.is_dir():
        return []
    statuses = []
    for folder in root.iterdir():
        if folder.is_dir() and not (folder / SYNCED_FILE).exists() and folder.name != "inputs":
            try:
                statuses.append(job_status(folder.name, home=home))
            except ValueError:  # not a job folder, or deleted while we looked
                continue
    return statuses


class _AppBudget:
    """The app's torch thread count before :func:`budget_app_threads` lowered it (None: not lowered).

    Process-wide, like torch's own setting; the lock orders concurrent sessions' reruns.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.saved: int | None = None


_APP_BUDGET = _AppBudget()


def budget_app_threads(*, home: str | Path | None = None) -> int:
    """Lower the app's torch threads to :func:`app_threads` while a CPU job is active, and restore them after.

    Returns the app's share (:func:`app_threads`). Cheap enough for every rerun: it reads only
    the folders of jobs not yet taken in, and touches torch only when the budget changes, so
    with no job it leaves torch (and any count someone else chose) alone.
    """
    active_jobs = count_cpu_jobs(_unsynced_jobs(home))
    if active_jobs:
        mark_app_active(home)
    wanted = app_threads(active_jobs)
    with _APP_BUDGET.lock:
        if wanted < available_cores():
            import torch

            if _APP_BUDGET.saved is None:
                _APP_BUDGET.saved = torch.get_num_threads()
            apply_torch_threads(min(wanted, _APP_BUDGET.saved), interop=False)
        elif _APP_BUDGET.saved is not None:
            apply_torch_threads(_APP_BUDGET.saved, interop=False)
            _APP_BUDGET.saved = None
    return wanted


def _active_file(home: str | Path | None) -> Path:
    from models.jobs import jobs_root

    return jobs_root(home).parent / APP_ACTIVE_FILE


def mark_app_active(home: str | Path | None = None) -> None:
    """Tell running jobs that someone is using the app now (they keep its core free for a while)."""
    path = _active_file(home)
    try:
        path.touch()
    except OSError:  # a read-only or vanished home: the job keeps its lower budget anyway
        pass


class JobThreadGovernor:
    """A job's torch threads between its steps: all cores while the app is idle, ``C - 1`` while it is used.

    Only for CPU jobs the app started (their :data:`THREADS_ENV` is below the core count); for any
    other the count stays fixed. :meth:`adjust` costs a ``stat`` at most once a second.
    """

    def __init__(self, home: str | Path | None, *, budget: int, cores: int | None = None,
                 quiet_seconds: float = APP_QUIET_SECONDS, clock=None) -> None:
        import time

        self.cores = available_cores() if cores is None else int(cores)
        self.budget, self.quiet = int(budget), float(quiet_seconds)
        self.path = _active_file(home)
        self.clock = clock or time.time
        self.enabled = self.budget < self.cores
        self.current = self.budget
        self._checked = float("-inf")

    def wanted(self) -> int:
        """The threads to use now: the budget while the app was used within ``quiet_seconds``, else every core."""
        try:
            busy = self.clock() - self.path.stat().st_mtime < self.quiet
        except OSError:  # never marked: nobody has used the app since the job started
            busy = False
        return self.budget if busy else self.cores

    def adjust(self) -> int:
        """Apply :meth:`wanted` when it changed (checked at most once a second); return the threads in use."""
        now = self.clock()
        if not self.enabled or now - self._checked < 1.0:
            return self.current
        self._checked = now
        wanted = self.wanted()
        if wanted != self.current:
            self.current = apply_torch_threads(wanted, interop=False).intra_op
        return self.current
