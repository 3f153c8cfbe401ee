"""MiniLM embeddings of a dataset's texts, cached on disk per dataset version, and of label descriptions."""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

from models.device import DeviceInfo, choose_device
from models.embeddings import Encoder, embed, load_encoder
from models.text import clean_text

__all__ = ["cached_embeddings", "dataset_embeddings", "is_cached", "label_embeddings", "reuse_embeddings", "text_keys"]


def _ids(record_ids: Sequence[object]) -> np.ndarray:
    return np.asarray([str(r) for r in record_ids])


def text_keys(texts: Sequence[object]) -> np.ndarray:
    """A 64-bit digest per text (as embedded: stripped), so another version's vector of the same text is found.

    >>> keys = text_keys(["great", " great ", "awful"])
    >>> bool(keys[0] == keys[1]), bool(keys[0] == keys[2]), keys.dtype.name
    (True, False, 'uint64')
    """
    return np.asarray([int.from_bytes(hashlib.blake2b(clean_text(t).encode("utf-8", "surrogatepass"),
                                                      digest_size=8).digest(), "little") for t in texts],
                      dtype=np.uint64)


def _reusable(sources: Sequence[Path], keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(vectors, found) for ``keys`` from earlier caches that stored their texts' keys; unreadable ones are skipped."""
    vectors, found = None, np.zeros(len(keys), dtype=bool)
    for source in sources:
        if found.all():
            break
        try:
            with np.load(source, allow_pickle=False) as cached:
                if "text_keys" not in cached.files:
                    continue
                stored_keys, stored = cached["text_keys"], cached["embeddings"]
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            continue
        if not len(stored_keys):
            continue
        order = np.argsort(stored_keys, kind="stable")
        places = np.minimum(np.searchsorted(stored_keys[order], keys), len(order) - 1)
        hits = ~found & (stored_keys[order][places] == keys)
        if vectors is None:
            vectors = np.zeros((len(keys), stored.shape[1]), dtype=np.float16)
        vectors[hits] = stored[order[places[hits]]]
        found |= hits
    return vectors, found


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


def _write_cache(cache_path: Path, vectors: np.ndarray, record_ids: Sequence[object], keys: np.ndarray) -> None:
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    partial = cache_path.with_name(cache_path.name + ".partial.npz")
    np.savez(partial, embeddings=vectors, record_ids=_ids(record_ids), text_keys=keys)
    os.replace(partial, cache_path)  # readers never see a half-written file


def reuse_embeddings(record_ids: Sequence[object], texts: Sequence[object], *, cache_path: Path,
                     reuse_from: Sequence[Path]) -> bool:
    """Write the cache for ``record_ids`` from earlier caches alone (no encoder) when they hold every text.

    Returns whether they did: after a re-map that kept the texts, the new version is ready at once.
    """
    if len(record_ids) != len(texts):
        raise ValueError(f"Got {len(record_ids)} record ids but {len(texts)} texts; they must match.")
    keys = text_keys(list(texts))
    vectors, found = _reusable([Path(p) for p in reuse_from if Path(p) != Path(cache_path)], keys)
    if vectors is None or not found.all():
        return False
    _write_cache(Path(cache_path), vectors, record_ids, keys)
    return True


def dataset_embeddings(
    record_ids: Sequence[object],
    texts: Sequence[object],
    *,
    cache_path: Path,
    progress: Callable[[int, int], None] | None = None,
    device: DeviceInfo | None = None,
    encoder: Encoder | None = None,
    reuse_from: Sequence[Path] = (),
) -> np.ndarray:
    """Unit-length MiniLM embeddings of ``texts`` (n × 384), computed once and cached at ``cache_path``.

    The cache (``.npz`` with ``embeddings`` as float16, ``record_ids`` and ``text_keys``) is reused
    when it holds the same record ids in the same order, and recomputed otherwise; texts whose
    vectors an earlier cache in ``reuse_from`` holds (another version of the dataset) are taken from
    it, so a re-map embeds only what changed. Empty texts get a zero vector.

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
        Defaults to :func:`models.embeddings.load_encoder` (pass a cached one); not loaded when
        ``reuse_from`` covers every text.
    reuse_from : paths, optional
        Earlier caches, e.g. other versions of the same dataset.
    """
    if len(record_ids) != len(texts):
        raise ValueError(f"Got {len(record_ids)} record ids but {len(texts)} texts; they must match.")
    cached = cached_embeddings(cache_path, record_ids)
    if cached is not None:
        return cached
    texts = list(texts)
    keys = text_keys(texts)
    vectors, found = _reusable([Path(p) for p in reuse_from if Path(p) != Path(cache_path)], keys)
    missing = np.flatnonzero(~found)
    if vectors is None or len(missing):
        fresh = embed([texts[i] for i in missing], device=device or choose_device(),
                      encoder=encoder or load_encoder(), progress=progress)
        # Stored as float16 (15 MB for 20,000 texts; similarities move by < 1e-3); the fresh result is
        # rounded the same way so that the first run and later cached runs tag identically.
        if vectors is None:
            vectors = np.zeros((len(keys), fresh.shape[1]), dtype=np.float16)
        vectors[missing] = fresh.astype(np.float16)
    _write_cache(Path(cache_path), vectors, record_ids, keys)
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
