"""Fine-tuning on any label column as a background job, and registering what jobs and the CLI produced."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from analytics.predictions import RegisteredModel, get_model, register_model, registered_models
from analytics.store import DatasetInfo, Store, gapsight_home
from models.jobs import JobSpec, JobStatus, list_jobs, start_job, write_job_input
from models.registry import list_models


def labelled_frame(rows: pd.DataFrame, raw: pd.DataFrame, *, label_column: str) -> pd.DataFrame:
    """``record_id``, ``text``, ``label`` from canonical rows and a source column (joined on ``_row``).

    Raises
    ------
    ValueError
        The column is unknown, or no row has both a text and a label.
    """
    if label_column not in raw.columns:
        raise ValueError(f"Column '{label_column}' is not in this dataset; pick one of its source columns.")
    joined = rows[["_row", "record_id", "text"]].merge(raw[["_row", label_column]], on="_row", how="inner")
    labels = joined[label_column].astype("string").str.strip()
    frame = pd.DataFrame({"record_id": joined["record_id"].astype(str), "text": joined["text"],
                          "label": labels.mask(labels.eq(""))})
    frame = frame[frame["text"].notna() & frame["label"].notna()].reset_index(drop=True)
    if frame.empty:
        raise ValueError(f"No row has both a text and a value in '{label_column}'.")
    return frame


def start_int8_variant(model: RegisteredModel, *, home: Path | None = None) -> str:
    """Build and measure the int8 CPU variant of a registered model in its own process; return the job id."""
    spec = JobSpec(kind="quantize", task=model.task, input_path="", name=f"{model.name} · int8",
                   dataset_id=model.dataset_id or "", model_folder=model.folder, device="cpu")
    return start_job(spec, home=home)


def start_fine_tune(info: DatasetInfo, frame: pd.DataFrame, *, task: str, name: str, config: dict,
                    home: Path | None = None) -> str:
    """Start fine-tuning on ``frame`` (record_id, text, label) in its own process; return the job id."""
    spec = JobSpec(kind="train", task=task, input_path=str(write_job_input(frame, home=home)), name=name,
                   dataset_id=info.id, config=config)
    return start_job(spec, home=home)


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


def sync_model_folders(store: Store, root: Path | None = None) -> list[RegisteredModel]:
    """Register model folders saved outside the app (``python -m models train``); return the new ones.

    A new model becomes active only when its task has no active model, so a headless run never
    silently replaces what the app uses. Folders of the app's own jobs are left to
    :func:`register_job_model`, and unreadable folders are skipped.
    """
    root = root or gapsight_home() / "models"
    registered = registered_models(store)
    known = {m.model_id for m in registered}
    known |= {Path(job.result["model_folder"]).name for job in list_jobs(home=root.parent)
              if job.kind == "train" and job.result and job.result.get("model_folder")}
    active_tasks = {m.task for m in registered if m.active}
    added = []
    for entry in reversed(list_models(root)):  # oldest first, so the newest of a task ends up active
        if entry.meta is None or entry.folder.name in known:
            continue
        meta = entry.meta
        metrics = summarize_metrics(meta.metrics, meta.metrics.get("baselines") or {}, device=meta.device,
                                    training_seconds=meta.training_seconds, throughput=meta.throughput,
                                    speed=meta.metrics.get("speed"), compared_with=meta.metrics.get("compared_with"),
                                    variant=meta.variant)
        data = meta.metrics.get("data") or {}
        activate = meta.task not in active_tasks and meta.variant == "fp32"
        added.append(register_model(
            store, model_id=entry.folder.name, task=meta.task, name=data.get("name") or meta.task,
            folder=str(entry.folder), dataset_id=None, labels=meta.labels, metrics=metrics, activate=activate))
        if activate:
            active_tasks.add(meta.task)
    return added
