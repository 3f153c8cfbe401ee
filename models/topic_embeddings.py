"""MiniLM embeddings of a dataset's texts, cached on disk per dataset version, and of label descriptions."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

from models.device import DeviceInfo, choose_device
from models.embeddings import Encoder, embed, load_encoder
from models.text import clean_text

__all__ = ["cached_embeddings", "dataset_embeddings", "is_cached", "label_embeddings"]


def _ids(record_ids: Sequence[object]) -> np.ndarray:
    return np.asarray([str(r) for r in record_ids])


def _load(cache_path: Path, record_ids: Sequence[object], *, vectors: bool) -> np.ndarray | bool | None:
    cache_path = Path(cache_path)
    if not cache_path.is_file():
        return None
    ids = _ids(record_ids)
    try:
        with np.load(cache_path, allow_pickle=False) as cached:  # members are read only when asked for
            stored = cached["record_ids"]
            if stored.shape != ids.shape or not np.array_equal(stored, ids):
                return None
            return cached["embeddings"].astype(np.float32) if vectors else True
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        # A truncated or foreign file is only a cache: the caller recomputes and overwrites it.
        return None


def is_cached(cache_path: Path, record_ids: Sequence[object]) -> bool:
    """Whether ``cache_path`` holds embeddings made for exactly ``record_ids`` (reads only the ids)."""
    return _load(cache_path, record_ids, vectors=False) is True


def cached_embeddings(cache_path: Path, record_ids: Sequence[object]) -> np.ndarray | None:
    """The embeddings stored at ``cache_path`` when they were made for exactly ``record_ids``, else None."""
    return _load(cache_path, record_ids, vectors=True)


def dataset_embeddings(
    record_ids: Sequence[object],
    texts: Sequence[object],
    *,
    cache_path: Path,
    progress: Callable[[int, int], None] | None = None,
    device: DeviceInfo | None = None,
    encoder: Encoder | None = None,
) -> np.ndarray:
    """Unit-length MiniLM embeddings of ``texts`` (n × 384), computed once and cached at ``cache_path``.

    The cache (``.npz`` with ``embeddings`` as float16 and ``record_ids``) is reused when it
    holds the same record ids in the same order, and recomputed otherwise. Empty texts get a
    zero vector.

    Parameters
    ----------
    record_ids, texts : sequences of equal length
    cache_path : Path
        Where the ``.npz`` lives, e.g. ``GAPSIGHT_HOME/embeddings/<dataset_id>_v<version>.npz``.
    progress : callable(done, total), optional
        Called while embedding (not when the cache is used).
    device : DeviceInfo, optional
        Defaults to :func:`models.device.choose_device`.
    encoder : Encoder, optional
        Defaults to :func:`models.embeddings.load_encoder` (pass a cached one).
    """
    if len(record_ids) != len(texts):
        raise ValueError(f"Got {len(record_ids)} record ids but {len(texts)} texts; they must match.")
    cached = cached_embeddings(cache_path, record_ids)
    if cached is not None:
        return cached
    vectors = embed(list(texts), device=device or choose_device(), encoder=encoder or load_encoder(),
                    progress=progress)
    # Stored as float16 (15 MB for 20,000 texts; similarities move by < 1e-3); the fresh result is
    # rounded the same way so that the first run and later cached runs tag identically.
    vectors = vectors.astype(np.float16)
    cache_path = Path(cache_path)
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    partial = cache_path.with_name(cache_path.name + ".partial.npz")
    np.savez(partial, embeddings=vectors, record_ids=_ids(record_ids))
    os.replace(partial, cache_path)  # readers never see a half-written file
    return vectors.astype(np.float32)


def label_embeddings(
    descriptions: Mapping[str, str],
    *,
    device: DeviceInfo | None = None,
    encoder: Encoder | None = None,
) -> np.ndarray:
    """Unit-length embeddings of label descriptions (n_labels × 384), rows in the mapping's order.

    An empty description falls back to the label's name.

    Examples
    --------
    >>> label_embeddings({"price": "too expensive", "delivery": ""}).shape  # doctest: +SKIP
    (2, 384)
    """
    if not descriptions:
        raise ValueError("Give at least one label with a description.")
    prompts = [clean_text(text) or str(label) for label, text in descriptions.items()]
    return embed(prompts, device=device or choose_device(), encoder=encoder or load_encoder())
