"""Fine-tuning on any label column as a background job, int8 variants, and registering what the CLI saved."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analytics.home import gapsight_home
from analytics.store.database import DatasetInfo, Store
from analytics.store.labels import load_labels
from analytics.store.model_rows import RegisteredModel, register_model, registered_models
from analytics.store.rating_cuts import RatingCuts, load_cuts
from models.base import choose_base
from models.flows.default_sentiment import TASK as SENTIMENT
from models.flows.default_sentiment import rating_training_frame
from models.flows.sync import summarize_metrics
from models.jobs import JobSpec, list_jobs, start_job, write_job_input
from models.recipes import KIND_SHORT
from models.registry import list_models


@dataclass(frozen=True, eq=False)
class LabelSources:
    """What a fine-tune on a dataset can learn from: sentiment from ratings and relabels, or a source column."""

    from_ratings: str | None  # the display name of "sentiment from ratings and relabels", None without either
    columns: tuple[str, ...]
    corrections: pd.DataFrame
    cuts: RatingCuts | None

    @property
    def options(self) -> list[str]:
        """Every choice, ratings first."""
        return ([self.from_ratings] if self.from_ratings else []) + list(self.columns)


def label_sources(store: Store, info: DatasetInfo) -> LabelSources:
    """The label sources of a dataset: its rating cuts and people's relabels, and its unmapped-or-label columns."""
    corrections, cuts = load_labels(store, info.id, SENTIMENT), load_cuts(store, info)
    from_ratings = None
    if cuts is not None:
        from_ratings = (f"Sentiment from ratings (≤ {cuts.negative_max:g} negative, ≥ {cuts.positive_min:g} "
                        "positive) and your relabels")
    elif len(corrections):
        from_ratings = "Sentiment from your relabels"
    skip = (info.mapping.get("text"), info.mapping.get("record_id"))
    columns = tuple(c for c in info.meta.get("columns", []) if c not in skip)
    return LabelSources(from_ratings, columns, corrections, cuts)


def training_frame(store: Store, info: DatasetInfo, rows: pd.DataFrame, sources: LabelSources, source: str, *,
                   predicts: str = "") -> tuple[pd.DataFrame, str]:
    """``record_id``, ``text``, ``label`` for a fine-tune on ``source``, and the task the model will serve.

    Raises
    ------
    ValueError
        Too few labelled texts, or a column without labels.
    """
    if source == sources.from_ratings:
        return rating_training_frame(rows, max_rows=None, corrections=sources.corrections,
                                     cuts=sources.cuts), SENTIMENT
    frame = labelled_frame(rows, store.load_raw(info.id, columns=[source]), label_column=source)
    return frame, predicts or source




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
                    home: Path | None = None, expected_seconds: float | None = None, recipe: str = "auto",
                    reuse_models: list[str] | None = None, base: str | None = None) -> str:
    """Start a best-of training run on ``frame`` (record_id, text, label) in its own process; return the job id.

    ``reuse_models`` names earlier training jobs (or model folders) whose linear models the run scores
    again instead of refitting: the CPU's background fine-tune after its quick run. ``base`` is the base model
    (by default the one the dataset's languages call for, :func:`models.base.choose_base`).
    """
    spec = JobSpec(kind="train", task=task, input_path=str(write_job_input(frame, home=home)), name=name,
                   dataset_id=info.id, config=config, expected_seconds=expected_seconds, recipe=recipe,
                   reuse_models=list(reuse_models or []), base=base or choose_base(info.report.get("languages")))
    return start_job(spec, home=home)


def sync_model_folders(store: Store, root: Path | None = None) -> list[RegisteredModel]:
    """Register model folders saved outside the app (``python -m models train``); return the new ones.

    A new model becomes active only when its task has no active model and its run selected it (best
    of its kinds), so a headless run never silently replaces what the app uses. Folders of the app's own jobs are left to
    :func:`models.flows.sync.register_job_model`, and unreadable folders are skipped.
    """
    root = root or gapsight_home() / "models"
    registered = registered_models(store)
    known = {m.model_id for m in registered}
    known |= {Path(folder).name for job in list_jobs(home=root.parent) if job.kind == "train" and job.result
              for folder in [job.result.get("model_folder")] + [c["folder"] for c in job.result.get("candidates", [])]
              if folder}
    active_tasks = {m.task for m in registered if m.active}
    added = []
    for entry in reversed(list_models(root)):  # oldest first, so the newest of a task ends up active
        if entry.meta is None or entry.folder.name in known:
            continue
        meta = entry.meta
        metrics = summarize_metrics(meta.metrics, meta.metrics.get("baselines") or {}, device=meta.device,
                                    training_seconds=meta.training_seconds, throughput=meta.throughput,
                                    speed=meta.metrics.get("speed"), compared_with=meta.metrics.get("compared_with"),
                                    variant=meta.variant, kind=meta.kind, selection=meta.metrics.get("selection"))
        data = meta.metrics.get("data") or {}
        # Only the kind its run selected: the others lost to it on the same validation rows.
        activate = meta.task not in active_tasks and meta.variant == "fp32" and meta.selected
        added.append(register_model(
            store, model_id=entry.folder.name, task=meta.task,
            name=f"{data.get('name') or meta.task} · {KIND_SHORT.get(meta.kind, meta.kind)}",
            folder=str(entry.folder), dataset_id=None, labels=meta.labels, metrics=metrics, activate=activate))
        if activate:
            active_tasks.add(meta.task)
    return added
