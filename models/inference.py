"""Batched, length-sorted, chunk-aware scoring of texts with a sequence classifier."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from models.device import DeviceInfo, autocast, padded_width
from models.quantize import is_quantized
from models.text import clean_text

__all__ = [
    "BLOCK_TEXTS",
    "MODEL_LOCK",
    "Chunks",
    "Forward",
    "Predictions",
    "aggregate_chunks",
    "chunk_texts",
    "classifier_logits",
    "model_classes",
    "pad_id_of",
    "predict",
    "predict_proba",
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

_MIN_MAX_LENGTH = 8
_MAX_POSITIONS = 512
_MAX_CHARS_PER_TOKEN = 20
# Texts are tokenized and scored in blocks of this many, which bounds memory for millions
# of rows; on CUDA the next block is tokenized while the GPU scores the current one.
BLOCK_TEXTS = 8192
# GPU outputs are copied back every this many batches, so the host does not wait for each one.
_FLUSH_BATCHES = 16


@dataclass(frozen=True)
class Chunks:
    """Token windows cut from a list of texts.

    Attributes
    ----------
    ids : list of list of int
        Token ids of each chunk, special tokens included.
    owner : np.ndarray
        Index of the text each chunk came from.
    weight : np.ndarray
        Number of text tokens in each chunk (special tokens excluded).
    empty : np.ndarray
        One flag per text: ``True`` when the text was empty or produced no tokens.
    """

    ids: list[list[int]]
    owner: np.ndarray
    weight: np.ndarray
    empty: np.ndarray

    @property
    def n_texts(self) -> int:
        return len(self.empty)


def _special_ids(tokenizer) -> tuple[list[int], list[int]]:
    first = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
    last = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
    return ([first] if first is not None else []), ([last] if last is not None else [])


def chunk_texts(
    tokenizer,
    texts: Sequence[object],
    *,
    max_length: int = 128,
    overlap: float = 0.25,
    max_chunks: int = 16,
) -> Chunks:
    """Tokenize ``texts`` and cut those longer than ``max_length`` into overlapping windows.

    Parameters
    ----------
    tokenizer : PreTrainedTokenizerBase
    texts : sequence
        Strings; ``None``/NaN/blank entries are flagged empty and produce no chunk.
    max_length : int
        Tokens per chunk including the special tokens.
    overlap : float
        Fraction of a window shared with the next one (0 ≤ overlap < 1).
    max_chunks : int
        Text beyond this many windows is ignored (bounds the cost of pathological rows).
    """
    if not _MIN_MAX_LENGTH <= max_length <= _MAX_POSITIONS:
        raise ValueError(f"max_length={max_length} should be between {_MIN_MAX_LENGTH} and {_MAX_POSITIONS}.")
    if not 0.0 <= overlap < 1.0:
        raise ValueError(f"overlap={overlap} should be in [0, 1).")
    if max_chunks < 1:
        raise ValueError(f"max_chunks={max_chunks} should be >= 1.")
    head, tail = _special_ids(tokenizer)
    body = max_length - len(head) - len(tail)
    step = max(1, body - int(body * overlap))
    cap = step * (max_chunks - 1) + body

    cleaned = [clean_text(t) for t in texts]
    positions = [i for i, t in enumerate(cleaned) if t]
    empty = np.ones(len(cleaned), dtype=bool)
    ids: list[list[int]] = []
    owner: list[int] = []
    weight: list[int] = []
    if positions:
        # Tokens past `cap` are dropped anyway; cutting the characters first bounds the
        # tokenizer's work on pathological rows (a pasted log file, say).
        max_chars = cap * _MAX_CHARS_PER_TOKEN
        encoded = tokenizer(
            [cleaned[i][:max_chars] for i in positions],
            add_special_tokens=False,
            truncation=True,
            max_length=cap,
            return_attention_mask=False,
            return_token_type_ids=False,
        )["input_ids"]
        for pos, tokens in zip(positions, encoded, strict=True):
            n_tokens = len(tokens)
            if not n_tokens:
                continue
            empty[pos] = False
            if n_tokens <= body:  # the common case: one window
                ids.append(head + tokens + tail)
                owner.append(pos)
                weight.append(n_tokens)
                continue
            start = 0
            while True:
                window = tokens[start : start + body]
                ids.append(head + window + tail)
                owner.append(pos)
                weight.append(len(window))
                if start + body >= n_tokens:
                    break
                start += step
    return Chunks(
        ids=ids,
        owner=np.asarray(owner, dtype=np.int64),
        weight=np.asarray(weight, dtype=np.float64),
        empty=empty,
    )


def _pad(batch_ids: Sequence[Sequence[int]], pad_id: int, device: DeviceInfo) -> dict[str, torch.Tensor]:
    width = padded_width(max(len(seq) for seq in batch_ids), device)
    input_ids = np.full((len(batch_ids), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(batch_ids), width), dtype=np.int64)
    for row, seq in enumerate(batch_ids):
        input_ids[row, : len(seq)] = seq
        mask[row, : len(seq)] = 1
    return {
        "input_ids": torch.from_numpy(input_ids).to(device.torch_device),
        "attention_mask": torch.from_numpy(mask).to(device.torch_device),
    }


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
    values, _ = _run_batches(
        model, ids, device=device, pad_id=pad_id, batch_size=batch_size, forward=forward, progress=progress
    )
    return values


def _run_batches(
    model: torch.nn.Module,
    ids: Sequence[Sequence[int]],
    *,
    device: DeviceInfo,
    pad_id: int,
    batch_size: int,
    forward: Forward,
    progress: Progress | None,
) -> tuple[np.ndarray, int]:
    """:func:`run_batches`, also returning the batch size left after any out-of-memory back-off."""
    if batch_size < 1:
        raise ValueError(f"batch_size={batch_size} should be >= 1.")
    total = len(ids)
    if total == 0:
        return np.zeros((0, 0), dtype=np.float32), batch_size
    # Longest first: the most memory-hungry batch runs (and backs off) first, and each
    # batch pads only to its own longest row.
    order = np.argsort([-len(seq) for seq in ids], kind="stable")
    out: np.ndarray | None = None
    pending: list[tuple[np.ndarray, torch.Tensor]] = []

    def flush() -> None:
        nonlocal out
        for rows, values in pending:
            host = values.cpu().numpy()
            if out is None:
                out = np.empty((total, host.shape[1]), dtype=np.float32)
            out[rows] = host
        pending.clear()

    done = 0
    size = batch_size
    # One autocast region for the whole run, so that the bf16 copies of the weights are made
    # once rather than for every batch.
    with torch.inference_mode(), autocast(device):
        while done < total:
            rows = order[done : done + size]
            batch = _pad([ids[i] for i in rows], pad_id, device)
            try:
                values = forward(model, batch)
            except torch.cuda.OutOfMemoryError:
                if size == 1:
                    raise
                size = max(1, size // 2)
                del batch
                if device.is_cuda:
                    torch.cuda.empty_cache()
                continue
            # Keep results on the device for a few batches: copying each one back at once
            # would make the host wait for the GPU before padding the next batch.
            pending.append((rows, values.float()))
            if not device.is_cuda or len(pending) >= _FLUSH_BATCHES:
                flush()
            done += len(rows)
            if progress is not None:
                progress(done, total)
    flush()
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
    transform: Callable[[np.ndarray], np.ndarray],
    fill: float,
    progress: Progress | None = None,
    block_texts: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Score ``texts`` block by block: chunk, run, ``transform`` the chunk rows, average per text.

    Returns the n × ``n_columns`` per-text values (``fill`` for empty texts) and the empty mask.
    ``progress(done, total)`` counts texts. Call with :data:`MODEL_LOCK` held.
    """
    texts = texts if isinstance(texts, list) else list(texts)
    block_texts = block_texts or BLOCK_TEXTS
    n = len(texts)
    result = np.full((n, n_columns), fill, dtype=np.float64)
    empty = np.ones(n, dtype=bool)
    starts = list(range(0, n, block_texts))

    def prepare(start: int) -> Chunks:
        return chunk_texts(tokenizer, texts[start : start + block_texts], max_length=max_length)

    # On CUDA, tokenizing the next block on a helper thread (the Rust tokenizer releases the
    # GIL) keeps the GPU busy; on a CPU the cores are better left to torch.
    prefetch = ThreadPoolExecutor(max_workers=1) if device.is_cuda and len(starts) > 1 else None
    try:
        upcoming = prefetch.submit(prepare, starts[0]) if prefetch and starts else None
        size = batch_size
        for k, start in enumerate(starts):
            chunks = upcoming.result() if upcoming is not None else prepare(start)
            upcoming = prefetch.submit(prepare, starts[k + 1]) if prefetch and k + 1 < len(starts) else None
            block_n = chunks.n_texts
            if progress is None:
                block_progress = None
            else:
                n_chunks = max(1, len(chunks.ids))

                def block_progress(done: int, _total: int, start: int = start, block_n: int = block_n) -> None:
                    progress(start + min(block_n, round(block_n * done / n_chunks)), n)

            values, size = _run_batches(
                model, chunks.ids, device=device, pad_id=pad_id_of(tokenizer), batch_size=size,
                forward=forward, progress=block_progress,
            )
            if len(chunks.ids):
                result[start : start + block_n] = aggregate_chunks(transform(values), chunks, n_columns, fill)
            elif progress is not None:
                progress(start + block_n, n)
            empty[start : start + block_n] = chunks.empty
    finally:
        if prefetch is not None:
            prefetch.shutdown(wait=True, cancel_futures=True)
    return result, empty


def pad_id_of(tokenizer) -> int:
    """The tokenizer's padding id (0 when it has none, as for BERT vocabularies)."""
    return tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise ``softmax(logits / temperature)`` in float64 (log-probabilities work as logits too)."""
    scaled = logits.astype(np.float64) / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=1, keepdims=True)


def aggregate_chunks(values: np.ndarray, chunks: Chunks, n_columns: int, fill: float) -> np.ndarray:
    """Token-weighted mean of chunk rows per text; empty texts get ``fill`` in every column."""
    sums = np.zeros((chunks.n_texts, n_columns), dtype=np.float64)
    weights = np.zeros(chunks.n_texts, dtype=np.float64)
    if len(chunks.owner):
        np.add.at(sums, chunks.owner, values * chunks.weight[:, None])
        np.add.at(weights, chunks.owner, chunks.weight)
    result = np.full((chunks.n_texts, n_columns), fill, dtype=np.float64)
    filled = weights > 0
    result[filled] = sums[filled] / weights[filled, None]
    return result


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
            transform=lambda logits: softmax(logits, temperature),
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
