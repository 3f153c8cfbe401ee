"""Mean-pooled, L2-normalised sentence embeddings from the base MiniLM encoder."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from models.base import load_encoder_model, load_tokenizer
from models.device import DeviceInfo
from models.inference import MODEL_LOCK, prepare_model, stream_texts

__all__ = ["Encoder", "embed", "load_encoder", "mean_pool"]


@dataclass(frozen=True)
class Encoder:
    """A bare transformer encoder and its tokenizer, ready for :func:`embed`."""

    model: torch.nn.Module
    tokenizer: object

    @property
    def dimension(self) -> int:
        return int(self.model.config.hidden_size)


def load_encoder(path: str | Path | None = None) -> Encoder:
    """The packaged all-MiniLM-L6-v2 encoder (or the one at ``path``). Cache the result per process."""
    return Encoder(model=load_encoder_model(path), tokenizer=load_tokenizer(path))


def mean_pool(model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """Masked mean of the last hidden states, L2-normalised (the sentence-transformers recipe)."""
    hidden = model(**batch).last_hidden_state.float()
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, p=2, dim=1)


def embed(
    texts: Sequence[object],
    *,
    device: DeviceInfo,
    encoder: Encoder | None = None,
    batch_size: int | None = None,
    max_length: int = 128,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Unit-length sentence embeddings (n × 384 for MiniLM), rows in input order.

    Texts longer than ``max_length`` tokens are embedded window by window and the windows
    averaged (weighted by length) before re-normalising. Empty or missing texts get a zero
    vector, whose cosine similarity with anything is 0.

    Parameters
    ----------
    texts : sequence
    device : DeviceInfo
    encoder : Encoder, optional
        Defaults to :func:`load_encoder` (about a second to load; pass a cached one).
    batch_size : int, optional
        Defaults to ``device.default_batch_size``.
    max_length : int
        Tokens per window, special tokens included.
    progress : callable(done, total), optional
    """
    encoder = encoder or load_encoder()
    dim = encoder.dimension
    with MODEL_LOCK:
        prepare_model(encoder.model, device)
        pooled, _ = stream_texts(
            encoder.model,
            encoder.tokenizer,
            texts,
            device=device,
            batch_size=batch_size or device.default_batch_size,
            max_length=max_length,
            forward=mean_pool,
            n_columns=dim,
            transform=lambda vectors: vectors,
            fill=0.0,
            progress=progress,
        )
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    pooled = np.divide(pooled, norms, out=np.zeros_like(pooled), where=norms > 0)
    return pooled.astype(np.float32)
