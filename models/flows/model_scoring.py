"""Score a dataset with a registered model in the background, one idempotent step at a time (the sync stores the result)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analytics.home import gapsight_home
from analytics.store.database import DatasetInfo, Store
from analytics.store.model_rows import RegisteredModel
from analytics.store.predictions import has_predictions
from models.flows.estimates import scoring_estimate, seconds_of
from models.jobs import JobSpec, JobStatus, latest_job, start_job, write_job_input


@dataclass(frozen=True)
class ScoringState:
    """Where a model's predictions for a dataset stand.

    ``stage`` is "ready" (stored), "scoring" (a job runs), "failed" (the last job failed or was
    cancelled; not restarted without ``retry``) or "waiting" (not started).
    """

    stage: str
    job: JobStatus | None = None
    note: str = ""


def score_task(model: RegisteredModel) -> str:
    """The job task name under which a model's scoring jobs are found."""
    return f"{model.task}-score"


def advance_model_predictions(store: Store, info: DatasetInfo, rows: pd.DataFrame, model: RegisteredModel, *,
                              home: Path | None = None, start: bool = True, retry: bool = False) -> ScoringState:
    """Take the next step towards ``model``'s predictions for every text of the dataset; say where it stands.

    A finished job's predictions are stored by ``models.flows.sync.sync_finished_jobs``, which the
    frame runs once per page view; until then the stage stays "scoring".
    """
    if has_predictions(store, info.id, model.model_id):
        return ScoringState("ready")
    home = home or gapsight_home()
    job = latest_job(task=score_task(model), dataset_id=info.id, kind="score", home=home)
    ours = job is not None and (job.result or {}).get("model_folder", model.folder) == model.folder
    if ours and job.state == "done" and not job.synced:
        return ScoringState("scoring", job, f"Scoring with '{model.name}' finished; storing the predictions.")
    if job is not None and job.state in ("queued", "running"):
        return ScoringState("scoring", job, f"Scoring every interaction with '{model.name}'.")
    if ours and job.state in ("failed", "cancelled") and not retry:
        return ScoringState("failed", job, f"Scoring with '{model.name}' {job.state}: "
                                           f"{job.error or 'cancelled by a user'}")
    if ours and job.state == "done" and not retry:
        return ScoringState("failed", job, f"The predictions of '{model.name}' could not be stored; score again.")
    if not start:
        return ScoringState("waiting")
    texts = rows[rows["text"].notna()][["record_id", "text"]]
    estimate = scoring_estimate(model, len(texts))
    spec = JobSpec(kind="score", task=score_task(model), input_path=str(write_job_input(texts, home=home)),
                   name=f"Score with {model.name}", dataset_id=info.id, model_folder=model.folder,
                   expected_seconds=seconds_of(estimate))
    start_job(spec, home=home)
    return ScoringState("scoring", None, f"Started scoring {len(texts):,} interactions with '{model.name}'"
                                         f"{estimate or ''}.")
