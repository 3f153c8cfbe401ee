"""Host-side preparation of scoring batches: texts → token windows → padded batches, as numpy, no per-token Python.

The fast tokenizer's Rust encoder does the work (it releases the GIL): truncation, the overlapping windows of long
texts (its overflowing encodings, with a stride) and the special tokens of every window; what is left here is one
flat copy of the ids into a padded matrix, and array slicing. :class:`Preparer` runs blocks of texts on worker
threads, one tokenizer copy per thread (fast tokenizers are not thread-safe), a bounded number of blocks ahead of
the accelerator.
"""

from __future__ import annotations

import copy
import itertools
import threading
import weakref
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from models.text import clean_text

__all__ = ["MAX_POSITIONS", "MIN_MAX_LENGTH", "Chunks", "Preparer", "batch_rows", "chunk_texts", "pad_id_of",
           "pad_sequences"]

MIN_MAX_LENGTH = 8
MAX_POSITIONS = 512
# Tokens past the last window are dropped anyway; cutting the characters first bounds the tokenizer's work on
# pathological rows (a pasted log file, say).
_MAX_CHARS_PER_TOKEN = 20


@dataclass(frozen=True)
class Chunks:
    """Token windows cut from a list of texts, padded into one matrix.

    Attributes
    ----------
    ids : np.ndarray
        n_windows × width token ids (special tokens included), padded with the tokenizer's pad id.
    lengths : np.ndarray
        Tokens of each window, special tokens included (its row of ``ids`` past that is padding).
    owner : np.ndarray
        Index of the text each window came from.
    weight : np.ndarray
        Number of text tokens in each window (special tokens excluded).
    empty : np.ndarray
        One flag per text: ``True`` when the text was empty or produced no tokens.
    """

    ids: np.ndarray
    lengths: np.ndarray
    owner: np.ndarray
    weight: np.ndarray
    empty: np.ndarray

    @property
    def n_texts(self) -> int:
        return len(self.empty)

    def __len__(self) -> int:
        return len(self.owner)

    def window(self, k: int) -> list[int]:
        """The token ids of window ``k`` without padding."""
        return self.ids[k, : self.lengths[k]].tolist()


def pad_id_of(tokenizer) -> int:
    """The tokenizer's padding id (0 when it has none, as for BERT vocabularies)."""
    return tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0


def _n_special(tokenizer) -> int:
    first = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
    last = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
    return (first is not None) + (last is not None)


def _clean_all(texts: Sequence[object]) -> list[str]:
    # str.strip for the common case; clean_text for None / NaN / numbers.
    return [t.strip() if type(t) is str else clean_text(t) for t in texts]


def chunk_texts(tokenizer, texts: Sequence[object], *, max_length: int = 128, overlap: float = 0.25,
                max_chunks: int = 16) -> Chunks:
    """Tokenize ``texts`` and cut those longer than ``max_length`` into overlapping windows.

    Parameters
    ----------
    tokenizer : PreTrainedTokenizerFast
    texts : sequence
        Strings; ``None``/NaN/blank entries are flagged empty and produce no window.
    max_length : int
        Tokens per window including the special tokens.
    overlap : float
        Fraction of a window's text tokens shared with the next one (0 ≤ overlap < 1).
    max_chunks : int
        Text beyond this many windows is ignored (bounds the cost of pathological rows).
    """
    if not MIN_MAX_LENGTH <= max_length <= MAX_POSITIONS:
        raise ValueError(f"max_length={max_length} should be between {MIN_MAX_LENGTH} and {MAX_POSITIONS}.")
    if not 0.0 <= overlap < 1.0:
        raise ValueError(f"overlap={overlap} should be in [0, 1).")
    if max_chunks < 1:
        raise ValueError(f"max_chunks={max_chunks} should be >= 1.")
    special = _n_special(tokenizer)
    body = max_length - special
    stride = int(body * overlap)  # window k starts at k × (body − stride) text tokens
    max_chars = (max(1, body - stride) * (max_chunks - 1) + body) * _MAX_CHARS_PER_TOKEN
    cleaned = _clean_all(texts)
    positions = [i for i, t in enumerate(cleaned) if t]
    empty = np.ones(len(cleaned), dtype=bool)
    rows: list[list[int]] = []
    owners: list[int] = []
    if positions:
        encoder = _window_encoder(tokenizer, max_length, stride)
        for pos, encoding in zip(positions, encoder.encode_batch_fast([cleaned[i][:max_chars] for i in positions],
                                                                       add_special_tokens=True), strict=True):
            rows.append(encoding.ids)
            owners.append(pos)
            for window in encoding.overflowing[: max_chunks - 1]:  # only long texts have more windows
                rows.append(window.ids)
                owners.append(pos)
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    keep = lengths > special  # a text of characters the tokenizer drops has only its special tokens
    owner = np.asarray(owners, dtype=np.int64)[keep]
    ids = np.full((len(rows), int(lengths.max()) if len(rows) else 0), pad_id_of(tokenizer), dtype=np.int64)
    ids[np.arange(ids.shape[1])[None, :] < lengths[:, None]] = np.fromiter(
        itertools.chain.from_iterable(rows), dtype=np.int64, count=int(lengths.sum()))
    ids, lengths = ids[keep], lengths[keep]
    if len(ids):
        ids = ids[:, : int(lengths.max())]
    empty[owner] = False
    return Chunks(ids=ids, lengths=lengths, owner=owner, weight=(lengths - special).astype(np.float64), empty=empty)


# Configured copies of a tokenizer's Rust encoder, per tokenizer object and (window, stride): encoding through it
# skips transformers' per-row Python wrapper, which ran slower than the Rust encoder itself.
_ENCODERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _window_encoder(tokenizer, max_length: int, stride: int):
    cache = _ENCODERS.setdefault(tokenizer, {})
    encoder = cache.get((max_length, stride))
    if encoder is None:
        encoder = copy.deepcopy(tokenizer.backend_tokenizer)
        encoder.enable_truncation(max_length=max_length, stride=stride, strategy="longest_first", direction="right")
        encoder.no_padding()
        cache[(max_length, stride)] = encoder
    return encoder


def pad_sequences(sequences: Sequence[Sequence[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Token-id lists (training's encoded rows) as a padded matrix and their lengths."""
    lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
    ids = np.full((len(sequences), int(lengths.max()) if len(lengths) else 0), pad_id, dtype=np.int64)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = seq
    return ids, lengths


def batch_rows(lengths: np.ndarray, batch_size: int) -> Iterator[np.ndarray]:
    """Row indices of length-sorted batches, longest first (the most memory-hungry batch runs first)."""
    order = np.argsort(-lengths, kind="stable")
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]


class Preparer:
    """Chunks of consecutive blocks of texts, prepared ``workers`` threads ahead of their consumer.

    With ``workers=0`` each block is prepared when asked for (a CPU, where the cores are torch's). Blocks come
    back in order; at most ``2 × workers`` are in flight, which bounds host memory.
    """

    def __init__(self, tokenizer, *, max_length: int, workers: int = 0) -> None:
        self._tokenizer = tokenizer
        self._max_length = max_length
        self._workers = max(0, int(workers))
        self._local = threading.local()

    def _own_tokenizer(self):
        tokenizer = getattr(self._local, "tokenizer", None)
        if tokenizer is None:
            tokenizer = self._local.tokenizer = copy.deepcopy(self._tokenizer)
        return tokenizer

    def _prepare(self, block: Sequence[object]) -> Chunks:
        return chunk_texts(self._own_tokenizer(), block, max_length=self._max_length)

    def blocks(self, texts: Sequence[object], block_texts: int) -> Iterator[tuple[int, Chunks]]:
        """``(start, chunks)`` for each block of ``block_texts`` texts, in order."""
        starts = range(0, len(texts), block_texts)
        if self._workers == 0 or len(starts) < 2:
            for start in starts:
                yield start, chunk_texts(self._tokenizer, texts[start : start + block_texts],
                                         max_length=self._max_length)
            return
        pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="gapsight-prepare")
        pending: deque[tuple[int, Future]] = deque()
        ahead = iter(starts)

        def submit_next() -> None:
            start = next(ahead, None)
            if start is not None:
                pending.append((start, pool.submit(self._prepare, texts[start : start + block_texts])))

        try:
            for _ in range(2 * self._workers):
                submit_next()
            while pending:
                start, future = pending.popleft()
                submit_next()
                yield start, future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
