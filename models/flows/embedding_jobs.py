"""A dataset's embeddings for Topics & intents: computed in the page for small datasets, as a background job for large ones."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analytics.home import gapsight_home
from analytics.store.database import DatasetInfo
from models.jobs import JobSpec, JobStatus, latest_job, start_job, write_job_input
from models.topic_embeddings import is_cached

# Up to this many texts the page embeds them itself (seconds); beyond, a job does (minutes on a CPU),
# so the page stays usable and a reload or another page loses nothing.
INLINE_LIMIT = 2_000


@dataclass(frozen=True)
class EmbeddingState:
    """Whether the embeddings are ready, and the job making them."""

    ready: bool
    job: JobStatus | None = None
    note: str = ""


def embeddings_path(info: DatasetInfo, home: Path | None = None) -> Path:
    """The cache file of one dataset version's embeddings."""
    return (home or gapsight_home()) / "embeddings" / f"{info.id}_v{info.version}.npz"


def advance_dataset_embeddings(info: DatasetInfo, rows: pd.DataFrame, *, home: Path | None = None,
                               retry: bool = False) -> EmbeddingState:
    """Take the next step towards the cached embeddings of every row; a failed job is not restarted unless ``retry``."""
    home = home or gapsight_home()
    path = embeddings_path(info, home)
    if is_cached(path, rows["record_id"].tolist()):
        return EmbeddingState(True)
    task = f"embeddings-v{info.version}"
    job = latest_job(task=task, dataset_id=info.id, kind="embed", home=home)
    if job is not None and job.state in ("queued", "running"):
        return EmbeddingState(False, job, "Embedding every interaction with MiniLM (once per dataset version).")
    if job is not None and job.state in ("failed", "cancelled") and not retry:
        return EmbeddingState(False, job, f"Embedding {job.state}: {job.error or 'cancelled by a user'}")
    spec = JobSpec(kind="embed", task=task, input_path=str(write_job_input(rows[["record_id", "text"]], home=home)),
                   name=f"Embeddings · {info.name}", dataset_id=info.id, output_path=str(path))
    start_job(spec, home=home)
    return EmbeddingState(False, None, f"Started embedding {len(rows):,} interactions.")
