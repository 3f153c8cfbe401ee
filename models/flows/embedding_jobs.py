"""A dataset's embeddings for Topics & intents: computed in the page for small datasets, as a background job for large ones."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analytics.home import gapsight_home
from analytics.store.database import DatasetInfo
from models.base import BASE_MODEL_NAME, choose_base
from models.device import choose_device
from models.flows.estimates import embedding_estimate, seconds_of
from models.jobs import JobSpec, JobStatus, latest_job, list_jobs, start_job, write_job_input
from models.multilingual import MULTILINGUAL_BASE_NAME
from models.topic_embeddings import is_cached, reuse_embeddings

# Up to this many texts the page embeds them itself (seconds); beyond, a job does (minutes on a CPU),
# so the page stays usable and a reload or another page loses nothing.
INLINE_LIMIT = 2_000


@dataclass(frozen=True)
class EmbeddingState:
    """Whether the embeddings are ready, and the job making them."""

    ready: bool
    job: JobStatus | None = None
    note: str = ""


# Where each encoder's caches live: vectors of different encoders never mix.
_CACHE_FOLDERS = {BASE_MODEL_NAME: "embeddings", MULTILINGUAL_BASE_NAME: "embeddings-multilingual"}


def dataset_encoder_name(info: DatasetInfo) -> str:
    """The encoder a dataset's texts are embedded with: MiniLM, or the multilingual e5-small when most of its texts
    are not English (:func:`models.base.choose_base`)."""
    return choose_base(info.report.get("languages"))


def embeddings_path(info: DatasetInfo, home: Path | None = None) -> Path:
    """The cache file of one dataset version's embeddings (in its encoder's folder)."""
    folder = _CACHE_FOLDERS[dataset_encoder_name(info)]
    return (home or gapsight_home()) / folder / f"{info.id}_v{info.version}.npz"


def earlier_embeddings(info: DatasetInfo, home: Path | None = None) -> list[Path]:
    """The caches of this dataset's other versions, newest first: their vectors of unchanged texts are reused."""
    path = embeddings_path(info, home)

    def version(candidate: Path) -> int:
        tail = candidate.stem.rsplit("_v", 1)[-1]
        return int(tail) if tail.isdigit() else -1

    others = [p for p in path.parent.glob(f"{info.id}_v*.npz") if p != path and version(p) >= 0]
    return sorted(others, key=version, reverse=True)


def forget_embeddings(dataset_id: str, home: Path | None = None) -> None:
    """Delete every cached embedding of a dataset (all versions): called when the dataset is deleted."""
    for folder in _CACHE_FOLDERS.values():
        for path in ((home or gapsight_home()) / folder).glob(f"{dataset_id}_v*.npz"):
            path.unlink(missing_ok=True)


def advance_dataset_embeddings(info: DatasetInfo, rows: pd.DataFrame, *, home: Path | None = None,
                               retry: bool = False) -> EmbeddingState:
    """Take the next step towards the cached embeddings of every row; a failed job is not restarted unless ``retry``."""
    home = home or gapsight_home()
    path = embeddings_path(info, home)
    earlier = earlier_embeddings(info, home)
    if is_cached(path, rows["record_id"].tolist()) or (earlier and reuse_embeddings(
            rows["record_id"].tolist(), rows["text"].tolist(), cache_path=path, reuse_from=earlier)):
        # Ready (after a re-map that kept every text, from the earlier version's vectors): older versions go.
        for old in earlier:
            old.unlink(missing_ok=True)
        return EmbeddingState(True)
    task = f"embeddings-v{info.version}"
    job = latest_job(task=task, dataset_id=info.id, kind="embed", home=home)
    if job is not None and job.state in ("queued", "running"):
        return EmbeddingState(False, job, f"Embedding every interaction with {_short(dataset_encoder_name(info))} "
                                          "(once per dataset version).")
    if job is not None and job.state in ("failed", "cancelled") and not retry:
        return EmbeddingState(False, job, f"Embedding {job.state}: {job.error or 'cancelled by a user'}")
    estimate = embedding_estimate(list_jobs(home=home), n_texts=len(rows), device_name=choose_device().name)
    spec = JobSpec(kind="embed", task=task, input_path=str(write_job_input(rows[["record_id", "text"]], home=home)),
                   name=f"Embeddings · {info.name}", dataset_id=info.id, output_path=str(path),
                   config={"reuse_from": [str(p) for p in earlier]}, expected_seconds=seconds_of(estimate),
                   base=dataset_encoder_name(info))
    start_job(spec, home=home)
    return EmbeddingState(False, None, f"Started embedding {len(rows):,} interactions{estimate or ''}.")


def _short(encoder: str) -> str:
    return "MiniLM" if encoder == BASE_MODEL_NAME else "the multilingual e5-small"
