"""Take in what background jobs finished: register trained models, import scored predictions (once per job).

The frame calls :func:`sync_finished_jobs` once per script run. It reads only the folders of jobs
not yet taken in (``models.jobs.unsynced_finished_jobs``), so it costs a directory listing when
nothing changed; page render loops never register or import anything themselves.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analytics.store.database import Store
from analytics.store.model_rows import RegisteredModel, get_model, register_model, registered_models
from analytics.store.predictions import save_predictions
from models.jobs import JobStatus, job_spec, mark_synced, unsynced_finished_jobs


@dataclass(frozen=True)
class SyncReport:
    """What one sync took in: models registered, (dataset, model) predictions imported, problems met."""

    registered: tuple[RegisteredModel, ...] = ()
    imported: tuple[tuple[str, str], ...] = ()
    problems: tuple[str, ...] = field(default=())


def sync_finished_jobs(store: Store, *, home: Path | None = None) -> SyncReport:
    """Register the models of finished training / int8 jobs and import finished scoring jobs, each once.

    A job whose result cannot be taken in (its files are gone, its dataset or model was deleted
    meanwhile) is marked as taken in too, and the reason is reported, so that it is not retried
    on every page view.
    """
    registered, imported, problems = [], [], []
    for job in unsynced_finished_jobs(home=home):
        try:
            if job.kind in ("train", "quantize"):
                model = register_job_model(store, job)
                if model is not None:
                    registered.append(model)
            elif job.kind == "score" and job.state == "done":
                imported.extend(_import_scoring(store, job, home))
        except (OSError, ValueError, KeyError) as error:
            problems.append(f"Could not take in the result of job '{job.name or job.job_id}': {error}")
        mark_synced(job.job_id, home=home)
    return SyncReport(tuple(registered), tuple(imported), tuple(problems))


def _import_scoring(store: Store, job: JobStatus, home: Path | None) -> list[tuple[str, str]]:
    """Store a finished scoring job's predictions under the registered model whose folder it used."""
    folder = (job.result or {}).get("model_folder") or job_spec(job.job_id, home=home).model_folder
    model = next((m for m in registered_models(store) if m.folder == folder), None)
    if model is None or job.dataset_id not in {d.id for d in store.list_datasets()}:
        return []  # the model or the dataset was deleted while the job ran
    scored = pd.read_parquet(job.result["predictions_path"])
    save_predictions(store, job.dataset_id, model.model_id, scored[scored["label"].notna()])
    return [(job.dataset_id, model.model_id)]


def register_job_model(store: Store, job: JobStatus, *, activate: bool = True) -> RegisteredModel | None:
    """Record the model a finished training or int8 job saved (once); None while the job has no model.

    An int8 variant is never activated here: the user picks it by its measured trade-off.
    """
    if job.kind not in ("train", "quantize") or job.state != "done" or not job.result:
        return None
    activate = activate and job.kind == "train"
    folder = job.result["model_folder"]
    model_id = Path(folder).name
    known = get_model(store, model_id)
    if known is not None:
        return known
    metrics = summarize_metrics(job.result.get("report", {}), job.result.get("baselines", {}),
                                device=job.result.get("device"), training_seconds=job.result.get("training_seconds"),
                                throughput=job.result.get("throughput"), speed=job.result.get("speed"),
                                compared_with=job.result.get("compared_with"),
                                variant="int8" if job.kind == "quantize" else "fp32")
    return register_model(store, model_id=model_id, task=job.task, name=job.name or job.task, folder=folder,
                          dataset_id=job.dataset_id or None, labels=tuple(job.result.get("labels", ())),
                          metrics={**metrics, "job_id": job.job_id}, activate=activate)


def summarize_metrics(report: dict, baselines: dict, *, device, training_seconds, throughput, speed=None,
                      compared_with=None, variant: str = "fp32") -> dict:
    """The headline figures the store keeps per model (the card holds the full report)."""
    return {"macro_f1": report.get("macro_f1"), "accuracy": report.get("accuracy"), "ece": report.get("ece"),
            "n_test": report.get("n"),
            "baselines": {k: v.get("macro_f1") for k, v in baselines.items() if isinstance(v, dict)},
            "device": device, "training_seconds": training_seconds, "throughput": throughput,
            "speed": speed or {}, "compared_with": compared_with or {}, "variant": variant}
