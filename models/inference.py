"""Batched, length-sorted, chunk-aware scoring of texts with a sequence classifier.

The host prepares padded windows as arrays (:mod:`models.windows`, worker threads on CUDA); the device runs them
longest first, applies the softmax and averages a long text's windows, and only per-text results come back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from models.device import DeviceInfo, autocast, padded_width
from models.quantize import is_quantized
from models.threads import available_cores
from models.windows import Chunks, Preparer, pad_sequences

__all__ = [
    "BLOCK_TEXTS",
    "MODEL_LOCK",
    "Forward",
    "Predictions",
    "aggregate_chunks",
    "classifier_logits",
    "model_classes",
    "predict",
    "predict_proba",
    "prepare_workers",
    "softmax",
    "prepare_model",
    "run_batches",
    "stream_texts",
]

Forward = Callable[[torch.nn.Module, dict[str, torch.Tensor]], torch.Tensor]
Progress = Callable[[int, int], None]

# Fast tokenizers are not thread-safe and a process has one accelerator: every use of a
# shared model/tokenizer pair in this process goes through this lock. Re-entrant, so code
# that already holds it (to score several things in a row, say) can call these functions.
MODEL_LOCK = threading.RLock()

# Texts are tokenized and scored in blocks of this many, which bounds memory for millions of rows; on CUDA worker
# threads prepare the next blocks while the GPU scores the current one.
BLOCK_TEXTS = 8192
# Preparation threads on CUDA: one core is left to the thread that feeds the GPU.
_MAX_PREPARE_WORKERS = 8


def prepare_workers(device: DeviceInfo, cores: int | None = None) -> int:
    """Threads that tokenize ahead of the model: none on a CPU (the cores are torch's), else one per spare core."""
    if not device.is_cuda:
        return 0
    return max(1, min(_MAX_PREPARE_WORKERS, (cores or available_cores()) - 1))


def _to_device(array: np.ndarray, device: DeviceInfo) -> torch.Tensor:
    tensor = torch.from_numpy(array)
    if device.torch_device.type == "cuda":  # pinned memory: the copy runs beside the host's next batch
        return tensor.pin_memory().to(device.torch_device, non_blocking=True)
    return tensor


def _batch(ids: np.ndarray, lengths: np.ndarray, rows: np.ndarray, device: DeviceInfo) -> dict[str, torch.Tensor]:
    width = min(ids.shape[1], padded_width(int(lengths[rows].max()), device))
    input_ids = np.ascontiguousarray(ids[rows, :width])
    mask = (np.arange(width)[None, :] < lengths[rows, None]).astype(np.int64)
    return {"input_ids": _to_device(input_ids, device), "attention_mask": _to_device(mask, device)}


def classifier_logits(model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """Default forward: the classifier's logits for one padded batch."""
    return model(**batch).logits


def prepare_model(model: torch.nn.Module, device: DeviceInfo) -> torch.nn.Module:
    """Put ``model`` in eval mode on ``device`` (moved in place when it lives elsewhere)."""
    if is_quantized(model):
        if device.is_cuda:
            raise ValueError("This is an int8 (CPU) model; score it with choose_device('cpu').")
    else:
        first = next(model.parameters(), None)
        if first is not None and first.device != device.torch_device:
            model.to(device.torch_device)
    model.eval()
    return model


def run_batches(
    model: torch.nn.Module,
    ids: Sequence[Sequence[int]],
    *,
    device: DeviceInfo,
    pad_id: int,
    batch_size: int,
    forward: Forward = classifier_logits,
    progress: Progress | None = None,
) -> np.ndarray:
    """Apply ``forward`` to token-id sequences in length-sorted, dynamically padded batches.

    Rows come back in the order of ``ids`` as float32. A CUDA out-of-memory error halves the
    batch size and retries the same batch; the smaller size is kept for the rest of the run.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size={batch_size} should be >= 1.")
    if not len(ids):
        return np.zeros((0, 0), dtype=np.float32)
    matrix, lengths = pad_sequences(ids, pad_id)
    values, _ = _run_batches(model, matrix, lengths, device=device, batch_size=batch_size, forward=forward,
                             progress=progress)
    return values.cpu().numpy()


def _run_batches(
    model: torch.nn.Module,
    ids: np.ndarray,
    lengths: np.ndarray,
    *,
    device: DeviceInfo,
    batch_size: int,
    forward: Forward,
    progress: Progress | None,
) -> tuple[torch.Tensor, int]:
    """Forward outputs (float32, on the device, rows in the order of ``ids``) and the batch size left after any
    out-of-memory back-off. Batches run longest first, so the most memory-hungry one backs off first; results
    stay on the device, so the host never waits for the GPU before preparing the next batch."""
    total = len(lengths)
    order = np.argsort(-lengths, kind="stable")
    out: torch.Tensor | None = None
    done, size = 0, batch_size
    # One autocast region for the whole run, so that the bf16 copies of the weights are made
    # once rather than for every batch.
    with torch.inference_mode(), autocast(device):
        while done < total:
            rows = order[done : done + size]
            batch = _batch(ids, lengths, rows, device)
            try:
                values = forward(model, batch).float()
            except torch.cuda.OutOfMemoryError:
                if size == 1:
                    raise
                size = max(1, size // 2)
                del batch
                if device.is_cuda:
                    torch.cuda.empty_cache()
                continue
            if out is None:
                out = torch.empty((total, values.shape[1]), dtype=torch.float32, device=values.device)
            out[_to_device(rows, device)] = values
            done += len(rows)
            if progress is not None:
                progress(done, total)
    assert out is not None
    return out, size


def stream_texts(
    model: torch.nn.Module,
    tokenizer,
    texts: Sequence[object],
    *,
    device: DeviceInfo,
    batch_size: int,
    max_length: int,
    forward: Forward,
    n_columns: int,
    transform: Callable[[torch.Tensor], torch.Tensor],
    fill: float,
    progress: Progress | None = None,
    block_texts: int | None = None,
    workers: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Score ``texts`` block by block: window, run, ``transform`` the window rows, average per text (on the device).

    Returns the n × ``n_columns`` per-text values (``fill`` for empty texts) and the empty mask.
    ``progress(done, total)`` counts texts. ``workers`` preparation threads (default
    :func:`prepare_workers`) tokenize the next blocks meanwhile. Call with :data:`MODEL_LOCK` held.
    """
    texts = texts if isinstance(texts, list) else list(texts)
    block_texts = block_texts or BLOCK_TEXTS
    n = len(texts)
    result = np.full((n, n_columns), fill, dtype=np.float64)
    empty = np.ones(n, dtype=bool)
    preparer = Preparer(tokenizer, max_length=max_length,
                        workers=prepare_workers(device) if workers is None else workers)
    size = batch_size
    for start, chunks in preparer.blocks(texts, block_texts):
        block_n = chunks.n_texts
        if len(chunks):
            block_progress = None if progress is None else _texts_progress(progress, start, block_n, n)
            values, size = _run_batches(model, chunks.ids, chunks.lengths, device=device, batch_size=size,
                                        forward=forward, progress=block_progress)
            result[start : start + block_n] = aggregate_chunks(transform(values), chunks, n_columns, fill)
        elif progress is not None:
            progress(start + block_n, n)
        empty[start : start + block_n] = chunks.empty
    return result, empty


def _texts_progress(progress: Progress, start: int, block_n: int, n: int) -> Progress:
    """A block's window progress as texts done of all ``n``."""
    return lambda done, total: progress(start + min(block_n, round(block_n * done / total)), n)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise ``softmax(logits / temperature)`` in float64 (log-probabilities work as logits too)."""
    scaled = logits.astype(np.float64) / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=1, keepdims=True)


def aggregate_chunks(values: torch.Tensor, chunks: Chunks, n_columns: int, fill: float) -> np.ndarray:
    """Token-weighted mean of window rows per text, in float64 where ``values`` live; empty texts get ``fill``.

    Only the per-text result (texts × columns) travels back to the host."""
    where = values.device
    owner = torch.from_numpy(chunks.owner).to(where)
    weight = torch.from_numpy(chunks.weight).to(where)
    sums = torch.zeros((chunks.n_texts, n_columns), dtype=torch.float64, device=where)
    sums.index_add_(0, owner, values.double() * weight[:, None])
    weights = torch.zeros(chunks.n_texts, dtype=torch.float64, device=where).index_add_(0, owner, weight)
    filled = weights > 0
    result = torch.full((chunks.n_texts, n_columns), float(fill), dtype=torch.float64, device=where)
    result[filled] = sums[filled] / weights[filled, None]
    return result.cpu().numpy()


def predict_proba(
    model: torch.nn.Module,
    tokenizer,
    texts: Sequence[object],
    *,
    device: DeviceInfo,
    batch_size: int | None = None,
    max_length: int = 128,
    temperature: float = 1.0,
    progress: Progress | None = None,
    forward: Forward | None = None,
) -> np.ndarray:
    """Class probabilities for ``texts`` (n × classes, rows in input order).

    Texts are sorted by token length and padded per batch; texts longer than
    ``max_length`` tokens are scored as overlapping windows whose probabilities are
    averaged, weighted by window length. Empty or missing texts get a uniform row.

    Parameters
    ----------
    model, tokenizer
        A sequence classifier and its tokenizer.
    texts : sequence
    device : DeviceInfo
        From :func:`models.device.choose_device`; the model is moved there if needed.
    batch_size : int, optional
        Rows per batch (default ``device.default_batch_size``); halved on CUDA OOM.
    max_length : int
        Tokens per window, special tokens included.
    temperature : float
        Logits are divided by it before the softmax (from calibration; 1 = none).
    progress : callable(done, total), optional
        Called after each batch with the number of texts scored so far.
    forward : callable(model, batch) -> logits, optional
        Replaces the model call (tests inject out-of-memory errors through it).

    Examples
    --------
    >>> from models.base import build_tiny_classifier, load_tokenizer
    >>> from models.device import choose_device
    >>> model = build_tiny_classifier(["negative", "neutral", "positive"])
    >>> proba = predict_proba(model, load_tokenizer(), ["great", None], device=choose_device("cpu"))
    >>> proba.shape, bool(abs(proba[0].sum() - 1) < 1e-5)
    ((2, 3), True)
    """
    proba, _ = _score(
        model,
        tokenizer,
        texts,
        device=device,
        batch_size=batch_size,
        max_length=max_length,
        temperature=temperature,
        progress=progress,
        forward=forward,
    )
    return proba


def _score(
    model: torch.nn.Module,
    tokenizer,
    texts: Sequence[object],
    *,
    device: DeviceInfo,
    batch_size: int | None,
    max_length: int,
    temperature: float,
    progress: Progress | None,
    forward: Forward | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities and the empty-text mask (see :func:`predict_proba`)."""
    if not temperature > 0:
        raise ValueError(f"temperature={temperature} should be > 0.")
    n_classes = int(model.config.num_labels)
    with MODEL_LOCK:
        prepare_model(model, device)
        proba, empty = stream_texts(
            model,
            tokenizer,
            texts,
            device=device,
            batch_size=batch_size or device.default_batch_size,
            max_length=max_length,
            forward=forward or classifier_logits,
            n_columns=n_classes,
            transform=lambda logits: torch.softmax(logits.double() / temperature, dim=1),
            fill=1.0 / n_classes,
            progress=progress,
        )
    return proba.astype(np.float32), empty


@dataclass(frozen=True)
class Predictions:
    """Labelled predictions for a list of texts.

    Attributes
    ----------
    proba : np.ndarray
        n × classes probabilities (uniform rows for empty texts).
    labels : np.ndarray
        Predicted label per text (object array); ``None`` where the text was empty.
    confidence : np.ndarray
        Probability of the predicted label (``1 / classes`` for empty texts).
    empty_mask : np.ndarray
        ``True`` where the text was empty or missing.
    classes : tuple of str
        Column order of ``proba``.
    """

    proba: np.ndarray
    labels: np.ndarray
    confidence: np.ndarray
    empty_mask: np.ndarray
    classes: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.labels)

    def to_frame(self, *, proba_prefix: str = "proba_") -> pd.DataFrame:
        """One row per text: ``label``, ``confidence``, ``is_empty`` and one probability column per class."""
        frame = pd.DataFrame(
            {
                "label": pd.Series(self.labels, dtype="object"),
                "confidence": self.confidence,
                "is_empty": self.empty_mask,
            }
        )
        for j, name in enumerate(self.classes):
            frame[f"{proba_prefix}{name}"] = self.proba[:, j]
        return frame


def model_classes(model: torch.nn.Module) -> tuple[str, ...]:
    """Class names in output order, from ``model.config.id2label``."""
    id2label = model.config.id2label
    return tuple(str(id2label[i]) for i in range(int(model.config.num_labels)))


def predict(
    model: torch.nn.Module,
    tokenizer,
    texts: Sequence[object],
    *,
    device: DeviceInfo,
    batch_size: int | None = None,
    max_length: int = 128,
    temperature: float = 1.0,
    progress: Progress | None = None,
    forward: Forward | None = None,
) -> Predictions:
    """Labels, confidences and probabilities for ``texts``; see :func:`predict_proba`."""
    proba, empty = _score(
        model,
        tokenizer,
        texts,
        device=device,
        batch_size=batch_size,
        max_length=max_length,
        temperature=temperature,
        progress=progress,
        forward=forward,
    )
    classes = model_classes(model)
    best = proba.argmax(axis=1) if len(proba) else np.zeros(0, dtype=np.int64)
    labels = np.array([classes[j] for j in best], dtype=object)
    labels[empty] = None
    confidence = proba.max(axis=1) if len(proba) else np.zeros(0, dtype=np.float32)
    for array in (proba, labels, confidence, empty):
        array.setflags(write=False)
    return Predictions(proba=proba, labels=labels, confidence=confidence, empty_mask=empty, classes=classes)
