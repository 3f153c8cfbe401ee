"""Scoring beyond one machine: Parquet / CSV shards read by Ray Data, scored by an actor pool, one output per shard.

Each actor loads the model once (GPU actors when the cluster has GPUs, CPU actors otherwise) and scores batches with
the same scorer as the local command line, so the output has the local path's columns. Shards are the unit of
progress: a shard's output appears (atomically) only when all of it is scored, a failed shard is tried again, and a
rerun skips the shards whose output is already there, so a crashed run resumes where it stopped.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from models.flows.files import table_writer

__all__ = ["SHARD_SUFFIXES", "RayRun", "ShardPlan", "plan_shards", "score_with_ray", "with_predictions"]

SHARD_SUFFIXES = (".parquet", ".csv")
# Environment the actors need to find the project's models and bases like the driver does.
_PASSED_ENVIRONMENT = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "GAPSIGHT_HOME", "GAPSIGHT_TINY_MODEL")
_PROJECT_ROOT = Path(__file__).resolve().parents[2]


def with_predictions(frame: pd.DataFrame, predictions: pd.DataFrame) -> pd.DataFrame:
    """The input's columns first, then the predictions; a prediction column whose name the input uses gets a prefix."""
    renamed = {c: f"predicted_{c}" for c in predictions.columns if c in frame.columns}
    return pd.concat([frame.reset_index(drop=True), predictions.rename(columns=renamed)], axis=1)


@dataclass(frozen=True)
class ShardPlan:
    """Which input shards a run scores, where each one's output goes, and which are already done."""

    outputs: dict[Path, Path]
    done: tuple[Path, ...]

    @property
    def pending(self) -> list[Path]:
        return [shard for shard in self.outputs if shard not in self.done]


def plan_shards(source: str | Path, output: str | Path) -> ShardPlan:
    """A file scores into the ``.parquet`` file ``output``; a folder's ``.parquet`` / ``.csv`` shards into the folder
    ``output``, one ``<shard>.parquet`` each (sorted by name, so reruns plan the same)."""
    source, output = Path(source), Path(output)
    if source.is_file():
        if source.suffix.lower() not in SHARD_SUFFIXES:
            raise ValueError(f"{source.name} is not a shard Ray reads here; use .parquet or .csv files.")
        if output.suffix.lower() != ".parquet":
            raise ValueError(f"{output.name} should end in .parquet (a single input file scores into one file).")
        outputs = {source: output}
    elif source.is_dir():
        shards = sorted(p for p in source.iterdir() if p.is_file() and p.suffix.lower() in SHARD_SUFFIXES)
        if not shards:
            raise ValueError(f"{source} holds no .parquet or .csv shard.")
        if output.suffix:
            raise ValueError(f"{output} should be a folder: a folder of shards scores into one file per shard.")
        stems = [p.stem for p in shards]
        if len(set(stems)) != len(stems):
            raise ValueError(f"{source} holds shards with the same name and different suffixes; rename one.")
        outputs = {shard: output / f"{shard.stem}.parquet" for shard in shards}
    else:
        raise ValueError(f"Input {source} does not exist.")
    return ShardPlan(outputs=outputs, done=tuple(s for s, out in outputs.items() if out.exists()))


class RayScorer:
    """The actor: the model loaded once, then ``batch → batch with predictions``."""

    def __init__(self, folder: str, device: str, text_column: str) -> None:
        from models.tasks import load_scorer

        self._score = load_scorer(folder, device=device)
        self._text = text_column

    def __call__(self, batch: pd.DataFrame) -> pd.DataFrame:
        return with_predictions(batch, self._score(batch[self._text].tolist()))


@dataclass
class RayRun:
    """What a Ray scoring run did: rows per shard scored now, shards skipped as already done, retries."""

    scored: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    retries: int = 0
    actors: int = 0
    gpu_actors: bool = False
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.scored.values())


def _start_ray(address: str | None, local_cpus: int | None):
    """Ray, connected; and whether this call started it (then the run may restart and must stop it)."""
    import ray

    environment = {name: os.environ[name] for name in _PASSED_ENVIRONMENT if name in os.environ}
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
    if not ray.is_initialized():
        options = {"address": address, "runtime_env": {"env_vars": environment}, "include_dashboard": False,
                   "log_to_driver": False, "configure_logging": False}
        if address is None:
            options["num_cpus"] = local_cpus or os.cpu_count() or 1
        ray.init(**options)
        return ray, True
    return ray, False


def _read_shard(ray, shard: Path):
    if shard.suffix.lower() == ".csv":
        return ray.data.read_csv(str(shard))
    return ray.data.read_parquet(str(shard))


def _columns(shard: Path) -> list[str]:
    if shard.suffix.lower() == ".csv":
        return pd.read_csv(shard, nrows=0).columns.tolist()
    import pyarrow.parquet as pq

    return pq.ParquetFile(shard).schema_arrow.names


def _shard_rows(shard: Path) -> int | None:
    if shard.suffix.lower() != ".parquet":
        return None
    import pyarrow.parquet as pq

    return pq.ParquetFile(shard).metadata.num_rows


# How long a retry waits for the failed attempt's actors to hand their CPUs / GPUs back.
_RELEASE_TIMEOUT_S = 120.0


def _wait_for_release(ray, per_actor: dict, actors: int) -> None:
    """Wait until a new actor pool and a reader fit: the actors of a finished or failed dataset give their resources
    back some seconds later, and a pool started meanwhile can leave no CPU to the reader it waits for."""
    gc.collect()
    resource, need = ("GPU", actors) if "num_gpus" in per_actor else ("CPU", actors + 1)
    deadline = time.monotonic() + _RELEASE_TIMEOUT_S
    while ray.available_resources().get(resource, 0.0) < min(need, ray.cluster_resources().get(resource, 0.0)):
        if time.monotonic() > deadline:
            return
        time.sleep(0.5)


def score_with_ray(model: str | Path, source: str | Path, output: str | Path, *, text_column: str,
                   address: str | None = None, actors: int | None = None, batch_size: int = 4096,
                   retries: int = 2, local_cpus: int | None = None,
                   progress: Callable[[int, int | None], None] | None = None,
                   read_shard: Callable | None = None) -> RayRun:
    """Score ``source`` (a file or a folder of shards) into ``output`` on a Ray cluster.

    Parameters
    ----------
    model : a model folder from the registry (every node must see it at this path)
    address : an existing cluster (``ray://host:10001`` or ``auto``); ``None`` starts a local one
    actors : actor-pool size (default: one per GPU, else one per CPU but one)
    retries : attempts after a shard's first failure before the run stops with its error
    progress : ``progress(rows scored, rows expected or None)`` after each batch
    read_shard : replaces the Ray Data reader (tests inject failures through it)
    """
    started = time.perf_counter()
    plan = plan_shards(source, output)
    for shard in plan.pending:
        if text_column not in (columns := _columns(shard)):
            raise ValueError(f"{shard.name} has no column {text_column!r}; its columns are {', '.join(columns)}.")
    for target in {out.parent for out in plan.outputs.values()}:
        target.mkdir(parents=True, exist_ok=True)
    if not plan.pending:  # every shard is done: nothing to start a cluster for
        return RayRun(skipped=[s.name for s in plan.done], seconds=time.perf_counter() - started)
    ray, owned = _start_ray(address, local_cpus)
    try:
        return _score_shards(ray, owned, plan, model, text_column=text_column, address=address, actors=actors,
                             batch_size=batch_size, retries=retries, local_cpus=local_cpus, progress=progress,
                             reader=read_shard or _read_shard, started=started)
    finally:
        if owned:
            ray.shutdown()


def _score_shards(ray, owned: bool, plan: ShardPlan, model, *, text_column: str, address: str | None,
                  actors: int | None, batch_size: int, retries: int, local_cpus: int | None, progress, reader,
                  started: float) -> RayRun:
    resources = ray.cluster_resources()
    gpus, cpus = int(resources.get("GPU", 0)), max(1, int(resources.get("CPU", 1)))
    run = RayRun(skipped=[s.name for s in plan.done], gpu_actors=gpus > 0)
    # CPU actors take one CPU each and leave one to Ray Data's readers: an actor pool holding every CPU would wait
    # forever for the blocks no reader can produce.
    run.actors = actors or (gpus if gpus else max(1, cpus - 1))
    per_actor = {"num_gpus": 1} if gpus else {"num_cpus": 1}
    expected = [_shard_rows(s) for s in plan.pending]
    total = None if None in expected else sum(expected)
    for shard in plan.pending:
        for attempt in range(retries + 1):
            _wait_for_release(ray, per_actor, run.actors)  # the previous shard's or attempt's pool may linger
            # Rows come out in the input's order, as locally.
            ray.data.DataContext.get_current().execution_options.preserve_order = True
            try:
                dataset = reader(ray, shard).map_batches(
                    RayScorer, fn_constructor_kwargs={"folder": str(model), "device": "cuda" if gpus else "cpu",
                                                      "text_column": text_column},
                    batch_format="pandas", batch_size=batch_size, concurrency=run.actors, **per_actor)
                rows = 0
                with table_writer(plan.outputs[shard]) as append:
                    for batch in dataset.iter_batches(batch_format="pandas", batch_size=None):
                        append(batch)
                        rows += len(batch)
                        if progress is not None:
                            progress(run.rows + rows, total)
                run.scored[shard.name] = rows
                break
            except Exception:
                if attempt == retries:
                    raise
                run.retries += 1
                dataset = None
                if owned:  # a failed dataset's actors are not always released: a fresh local cluster frees them
                    ray.shutdown()
                    ray, _ = _start_ray(address, local_cpus)
    run.seconds = time.perf_counter() - started
    return run
