"""Save every candidate of a best-of run as a registry model, each card holding the whole comparison."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from models.base import BASE_MODEL_NAME
from models.best_of import Candidate
from models.device import DeviceInfo, choose_device
from models.linear import LINEAR_FILE
from models.recipes import KIND_SHORT, FineTuneConfig
from models.registry import ModelMeta, new_model_folder, read_meta, save_linear_model, save_model, update_meta
from models.variants import SPEED_SAMPLE, measure_cpu_speed

__all__ = ["save_candidates"]


def _report_dict(candidate: Candidate) -> dict:
    return {"name": candidate.name, **candidate.report.to_dict()}


def _linear_speed(candidate: Candidate, texts: Sequence[str]) -> dict:
    """Rows per second on the CPU (embedding included for the embedding model), like a user scoring a file."""
    sample = list(texts)[:SPEED_SAMPLE]
    started = time.perf_counter()
    candidate.model.predict(sample, device=choose_device("cpu"))
    seconds = time.perf_counter() - started
    return {"cpu_rows_per_s": round(len(sample) / seconds, 1) if seconds > 0 and sample else None,
            "timed_rows": len(sample)}


def _card(candidate: Candidate, *, task: str, fingerprint: str, split_sizes: dict, device: DeviceInfo,
          config: FineTuneConfig, n_train: int, selected: bool, metrics: dict) -> ModelMeta:
    if candidate.kind == "transformer":
        result = candidate.details["fine_tune"]
        meta = ModelMeta.from_fine_tune(result, task=task, data_fingerprint=fingerprint,
                                        base=candidate.details.get("base", BASE_MODEL_NAME))
        return dataclasses.replace(meta, metrics=metrics, selected=selected)
    linear = candidate.model
    # The embedding model's time is mostly embedding every row: its speed counts all of them.
    rows = sum(split_sizes.values()) if candidate.kind == "embedding_logreg" else n_train
    settings = {"C": linear.C, "seed": config.seed, "validation_fraction": config.validation_fraction,
                "test_fraction": config.test_fraction}
    if candidate.kind == "embedding_logreg":
        settings["max_length"] = linear.max_length
    return ModelMeta(
        task=task, labels=linear.classes,
        base=linear.encoder_name if candidate.kind == "embedding_logreg" else "TF-IDF word 1-2 (Chinese: character 1-3) + char 2-5 grams",
        data_fingerprint=fingerprint, split_sizes=split_sizes, metrics=metrics,
        device=device.name if candidate.kind == "embedding_logreg" else "CPU",
        training_seconds=round(candidate.train_seconds, 3),
        throughput=round(rows / candidate.train_seconds, 3) if candidate.train_seconds > 0 else 0.0,
        temperature=candidate.temperature, config=settings, kind=candidate.kind, selected=selected)


def save_candidates(candidates: Sequence[Candidate], selection: dict, *, task: str, name: str, models_root: Path,
                    fingerprint: str, split_sizes: dict, device: DeviceInfo, config: FineTuneConfig,
                    test_rows: pd.DataFrame, common: dict, vader: dict | None) -> dict[str, tuple[Path, ModelMeta]]:
    """One folder per candidate; every card holds its own report, the others' as baselines, and the selection.

    ``common`` (validation details, data provenance) goes into every card's metrics; ``vader`` is the
    lexicon's report on the same test rows, when the labels are sentiment.
    """
    saved: dict[str, tuple[Path, ModelMeta]] = {}
    folders = {c.kind: Path(c.details["reused_folder"]) if c.details.get("reused_folder")
               else new_model_folder(models_root, f"{name or task} {KIND_SHORT[c.kind]}") for c in candidates}
    selection = {**selection, "candidates": [{**row, "folder": str(folders[row["kind"]])}
                                             for row in selection["candidates"]]}
    texts = test_rows["text"].tolist()
    for candidate in candidates:
        baselines = {c.kind: _report_dict(c) for c in candidates if c is not candidate}
        if vader is not None:
            baselines["vader"] = vader
        scored = candidate.scored
        metrics = {**candidate.report.to_dict(), "baselines": baselines, "selection": selection, **common,
                   "validation": {**common.get("validation", {}), "best_macro_f1": candidate.val_macro_f1},
                   "calibration": {"temperature": candidate.temperature, "note": scored.calibration.note,
                                   "ece_before": _finite(scored.ece_before), "ece_after": _finite(scored.report.ece)},
                   "kind": candidate.kind}
        n_train = int(split_sizes.get("train", 0))
        folder = folders[candidate.kind]
        if candidate.details.get("reused_folder"):  # already saved by an earlier run: only its card changes
            old = read_meta(folder)
            metrics["speed"] = old.metrics.get("speed", {})
            saved[candidate.kind] = (folder, update_meta(folder, metrics=metrics, selected=candidate.kind ==
                                                         selection["winner"]))
            continue
        if candidate.kind == "transformer":
            metrics["speed"] = measure_cpu_speed(candidate.model, candidate.tokenizer, texts,
                                                 max_length=config.max_length)
        else:
            metrics["speed"] = _linear_speed(candidate, texts)
        meta = _card(candidate, task=task, fingerprint=fingerprint, split_sizes=split_sizes, device=device,
                     config=config, n_train=n_train, selected=candidate.kind == selection["winner"], metrics=metrics)
        if candidate.kind == "transformer":
            save_model(candidate.model, candidate.tokenizer, folder, meta=meta, test_rows=test_rows)
        else:
            save_linear_model(candidate.model, folder, meta=meta, test_rows=test_rows)
            size = round((folder / LINEAR_FILE).stat().st_size / 2**20, 3)
            meta = update_meta(folder, metrics={**metrics, "speed": {**metrics["speed"], "size_mb": size}})
        saved[candidate.kind] = (folder, meta)
    return saved


def _finite(value: float) -> float | None:
    return None if value is None or np.isnan(value) else float(value)
