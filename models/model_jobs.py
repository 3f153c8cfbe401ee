"""Fine-tuning on any label column as a background job, and registering what a job produced."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from analytics.predictions import RegisteredModel, register_model, registered_models
from analytics.store import DatasetInfo, Store
from models.jobs import JobSpec, JobStatus, start_job, write_job_input


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


def start_fine_tune(info: DatasetInfo, frame: pd.DataFrame, *, task: str, name: str, config: dict,
                    home: Path | None = None) -> str:
    """Start fine-tuning on ``frame`` (record_id, text, label) in its own process; return the job id."""
    spec = JobSpec(kind="train", task=task, input_path=str(write_job_input(frame, home=home)), name=name,
                   dataset_id=info.id, config=config)
    return start_job(spec, home=home)


def register_job_model(store: Store, job: JobStatus, *, activate: bool = True) -> RegisteredModel | None:
    """Record the model a finished training job saved (once); None while the job has no model."""
    if job.kind != "train" or job.state != "done" or not job.result:
        return None
    folder = job.result["model_folder"]
    model_id = Path(folder).name
    known = next((m for m in registered_models(store) if m.model_id == model_id), None)
    if known is not None:
        return known
    report = job.result.get("report", {})
    metrics = {"macro_f1": report.get("macro_f1"), "accuracy": report.get("accuracy"), "ece": report.get("ece"),
               "n_test": report.get("n"),
               "baselines": {k: v.get("macro_f1") for k, v in job.result.get("baselines", {}).items()},
               "device": job.result.get("device"), "training_seconds": job.result.get("training_seconds"),
               "throughput": job.result.get("throughput"), "job_id": job.job_id}
    return register_model(store, model_id=model_id, task=job.task, name=job.name or job.task, folder=folder,
                          dataset_id=job.dataset_id or None, labels=tuple(job.result.get("labels", ())),
                          metrics=metrics, activate=activate)
