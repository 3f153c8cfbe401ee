"""Today's scoring path before issue 16, frozen: the reference the new host pipeline is tested and benchmarked against.

Per-row Python (window loops, list padding, numpy aggregation), one prefetch thread on CUDA. Not used by the app.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import torch

from models.device import DeviceInfo, autocast, padded_width
from models.inference import MODEL_LOCK, classifier_logits, prepare_model
from models.text import clean_text

Forward = Callable[[torch.nn.Module, dict[str, torch.Tensor]], torch.Tensor]
Progress = Callable[[int, int], None]

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


def legacy_predict_proba(model, tokenizer, texts: Sequence[object], *, device: DeviceInfo,
                         batch_size: int | None = None, max_length: int = 128, temperature: float = 1.0) -> np.ndarray:
    """Class probabilities exactly as :func:`models.inference.predict_proba` computed them before issue 16."""
    n_classes = int(model.config.num_labels)
    with MODEL_LOCK:
        prepare_model(model, device)
        proba, _ = stream_texts(model, tokenizer, texts, device=device,
                                batch_size=batch_size or device.default_batch_size, max_length=max_length, forward=classifier_logits, n_columns=n_classes,
                                transform=lambda logits: softmax(logits, temperature), fill=1.0 / n_classes)
    return proba.astype(np.float32)
