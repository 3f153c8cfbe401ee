"""CPU speed and size of a model, and its int8 variant measured beside the original on the same test rows."""
from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import torch

from models.device import choose_device
from models.evaluation import evaluate
from models.inference import predict
from models.quantize import quantize_int8, serialized_size_bytes
from models.registry import load_model, read_test_split, save_model, update_meta

__all__ = ["SPEED_SAMPLE", "build_int8_variant", "measure_cpu", "measure_cpu_speed"]

# Texts timed for the speed figure of every freshly trained model: enough for a stable rate,
# few enough to add only seconds to a training job.
SPEED_SAMPLE = 256


def measure_cpu(model: torch.nn.Module, tokenizer, texts: Sequence[str], labels: Sequence[str] | None, *,
                max_length: int, temperature: float = 1.0,
                progress: Callable[[int, int], None] | None = None) -> dict:
    """Rows per second on the CPU, size in MB and, when ``labels`` are given, the full test report.

    The rate includes tokenization, as a user scoring a file would see it.
    """
    device = choose_device("cpu")
    started = time.perf_counter()
    predictions = predict(model, tokenizer, list(texts), device=device, max_length=max_length,
                          temperature=temperature, progress=progress)
    seconds = time.perf_counter() - started
    figures = {"cpu_rows_per_s": round(len(texts) / seconds, 1) if seconds > 0 else None,
               "size_mb": round(serialized_size_bytes(model) / 2**20, 3), "timed_rows": len(texts)}
    if labels is not None:
        report = evaluate(list(labels), [str(v) for v in predictions.labels], predictions.proba,
                          labels=predictions.classes)
        figures["report"] = report.to_dict()
    return figures


def measure_cpu_speed(model: torch.nn.Module, tokenizer, texts: Sequence[str], *, max_length: int) -> dict:
    """``cpu_rows_per_s`` and ``size_mb`` of a model, timed on up to :data:`SPEED_SAMPLE` texts."""
    return measure_cpu(model, tokenizer, list(texts)[:SPEED_SAMPLE], None, max_length=max_length)


def _speed_of(figures: dict) -> dict:
    return {k: figures[k] for k in ("cpu_rows_per_s", "size_mb", "timed_rows")}


def build_int8_variant(folder: str | Path, *, name: str = "",
                       progress: Callable[[float, str], None] | None = None) -> Path:
    """Save an int8 CPU variant of the model in ``folder``, measured against it on its own test rows.

    Both are scored on the CPU on the saved test split; the variant's card holds its report,
    speed and size, plus the original's figures (``metrics["compared_with"]``), and the
    original's card gets its measured CPU speed. The variant is stored as the float weights
    with ``variant="int8"`` and is quantised again when loaded.

    Raises
    ------
    ValueError
        The folder is gone, is a linear model, is already an int8 variant, or has no saved test split.
    """
    folder = Path(folder)
    loaded = load_model(folder, int8=False)
    meta = loaded.meta
    if not loaded.is_transformer:
        raise ValueError(f"{folder.name} is a linear model ({meta.kind}); int8 variants are built from fine-tuned "
                         "transformers, and a linear model is already small and fast on a CPU.")
    if meta.variant == "int8":
        raise ValueError("This model is already an int8 variant; build the variant from its fp32 original.")
    test = read_test_split(folder)
    texts, labels = test["text"].tolist(), test["label"].astype(str).tolist()
    max_length = int(meta.config.get("max_length") or 128)
    say = progress or (lambda fraction, message: None)

    def stage(start: float, label: str) -> Callable[[int, int], None]:
        return lambda done, total: say(start + 0.45 * done / max(total, 1), f"{label}: {done:,}/{total:,} test rows")

    original = measure_cpu(loaded.model, loaded.tokenizer, texts, labels, max_length=max_length,
                           temperature=meta.temperature, progress=stage(0.0, "scoring the fp32 model on the CPU"))
    quantized = quantize_int8(loaded.model)
    variant = measure_cpu(quantized, loaded.tokenizer, texts, labels, max_length=max_length,
                          temperature=meta.temperature, progress=stage(0.45, "scoring the int8 variant"))
    say(0.95, "saving the variant")
    update_meta(folder, metrics={**meta.metrics, "speed": _speed_of(original)})
    data = dict(meta.metrics.get("data") or {})
    data["name"] = name or f"{data.get('name') or meta.task} · int8"
    metrics = {**variant["report"], "baselines": meta.metrics.get("baselines", {}), "data": data,
               "speed": _speed_of(variant),
               "compared_with": {"model_id": folder.name, "macro_f1": original["report"]["macro_f1"],
                                 "accuracy": original["report"]["accuracy"], **_speed_of(original)}}
    card = dataclasses.replace(meta, variant="int8", metrics=metrics, device="CPU (int8)")
    target = folder.with_name(f"{folder.name}-int8")
    return save_model(loaded.model, loaded.tokenizer, target, meta=card, overwrite=True, test_rows=test)

