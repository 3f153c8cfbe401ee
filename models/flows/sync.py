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
from models.recipes import KIND_SHORT


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
    """Record the models a finished training or int8 job saved (once); the activated one, None without a model.

    A training job saves one model per kind it fitted (best of, on the same split); only the one its
    run selected is activated. An int8 variant is never activated here: the user picks it by its
    measured trade-off.
    """
    if job.kind not in ("train", "quantize") or job.state != "done" or not job.result:
        return None
    result = job.result
    if job.kind == "quantize" or not result.get("candidates"):
        return _register(store, job, result, name=job.name or job.task, activate=activate and job.kind == "train")
    chosen = None
    selection = result.get("selection") or {}
    for row in result["candidates"]:
        selected = row["folder"] == result["model_folder"]
        model = _register(store, job, {**row, "model_folder": row["folder"], "labels": result.get("labels", ()),
                                       "selection": selection},
                          name=f"{job.name or job.task} · {KIND_SHORT.get(row['kind'], row['kind'])}",
                          activate=activate and selected, refresh=True)
        chosen = model if selected else chosen
    return chosen


def _register(store: Store, job: JobStatus, result: dict, *, name: str, activate: bool,
              refresh: bool = False) -> RegisteredModel:
    """Register (or, with ``refresh``, re-register with this run's figures: a reused linear model) one model."""
    model_id = Path(result["model_folder"]).name
    known = get_model(store, model_id)
    if known is not None and not refresh:
        return known
    if known is not None:
        name = known.name
    metrics = summarize_metrics(result.get("report", {}), result.get("baselines", {}),
                                device=result.get("device"), training_seconds=result.get("training_seconds"),
                                throughput=result.get("throughput"), speed=result.get("speed"),
                                compared_with=result.get("compared_with"),
                                variant="int8" if job.kind == "quantize" else "fp32",
                                kind=result.get("kind", "transformer"), selection=result.get("selection"))
    return register_model(store, model_id=model_id, task=job.task, name=name, folder=result["model_folder"],
                          dataset_id=job.dataset_id or None, labels=tuple(result.get("labels", ())),
                          metrics={**metrics, "job_id": job.job_id}, activate=activate)


def summarize_metrics(report: dict, baselines: dict, *, device, training_seconds, throughput, speed=None,
                      compared_with=None, variant: str = "fp32", kind: str = "transformer",
                      selection: dict | None = None) -> dict:
    """The headline figures the store keeps per model (the card holds the full report).

    ``selection`` keeps the run's comparison (winner, each kind's validation and test macro-F1,
    warnings) so the Models page can say which kind won and by how much without reading cards.
    """
    return {"macro_f1": report.get("macro_f1"), "accuracy": report.get("accuracy"), "ece": report.get("ece"),
            "n_test": report.get("n"),
            "baselines": {k: v.get("macro_f1") for k, v in baselines.items() if isinstance(v, dict)},
            "device": device, "training_seconds": training_seconds, "throughput": throughput,
            "speed": speed or {}, "compared_with": compared_with or {}, "variant": variant, "kind": kind,
            "selection": _selection_summary(selection or {})}


_SELECTION_KEYS = ("winner", "winner_name", "test_margin", "runner_up", "warnings", "calibration_notes")
_CANDIDATE_KEYS = ("kind", "name", "val_macro_f1", "test_macro_f1", "test_accuracy", "train_seconds", "ece_before",
                   "ece_after")


def _selection_summary(selection: dict) -> dict:
    """The run's comparison without folders: what the store keeps per model."""
    summary = {k: selection[k] for k in _SELECTION_KEYS if k in selection}
    if selection.get("candidates"):
        summary["candidates"] = [{k: row.get(k) for k in _CANDIDATE_KEYS} for row in selection["candidates"]]
    return summary
