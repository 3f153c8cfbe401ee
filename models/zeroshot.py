"""Zero-shot tagging: cosine similarity between text and label-description embeddings, plus keyword rules."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from models.device import DeviceInfo
from models.embeddings import Encoder, embed, load_encoder
from models.text import clean_text

__all__ = ["keyword_matches", "zero_shot_tag"]


def _keyword_pattern(words: Sequence[str]) -> re.Pattern | None:
    cleaned = sorted({w.strip() for w in words if w and w.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    # \b only works next to word characters; lookarounds also handle keywords like "c++" or "24/7".
    alternatives = "|".join(re.escape(w) for w in cleaned)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def keyword_matches(texts: Sequence[object], keywords: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Boolean frame (one column per label): does the text contain one of the label's keywords?

    Matching is case-insensitive on whole words: ``"late"`` matches "Late delivery" but not "chocolate".

    Examples
    --------
    >>> keyword_matches(["Late again", "chocolate"], {"delivery": ["late"]})["delivery"].tolist()
    [True, False]
    """
    cleaned = [clean_text(t) for t in texts]
    columns = {}
    for label, words in keywords.items():
        if isinstance(words, str):
            words = [words]
        pattern = _keyword_pattern(list(words))
        columns[str(label)] = [bool(pattern and pattern.search(t)) for t in cleaned]
    return pd.DataFrame(columns, index=pd.RangeIndex(len(cleaned)))


def zero_shot_tag(
    texts: Sequence[object],
    label_descriptions: Mapping[str, str | Sequence[str]],
    *,
    device: DeviceInfo,
    multi_label: bool = False,
    threshold: float = 0.25,
    keywords: Mapping[str, Sequence[str]] | None = None,
    encoder: Encoder | None = None,
    batch_size: int | None = None,
    max_length: int = 128,
) -> pd.DataFrame:
    """Tag texts with the labels whose descriptions they are most similar to.

    Parameters
    ----------
    texts : sequence
    label_descriptions : mapping label -> description (or several descriptions)
        What each label means, in plain words ("parcel late, lost or damaged in transit").
        With several descriptions a label scores its best match. An empty description
        falls back to the label name.
    device : DeviceInfo
    multi_label : bool
        ``False``: one label per text (the most similar, if it reaches ``threshold``).
        ``True``: every label reaching ``threshold``.
    threshold : float
        Minimum cosine similarity (MiniLM similarities of related sentences are ~0.3–0.7).
    keywords : mapping label -> words, optional
        A whole-word, case-insensitive match forces the label regardless of similarity.
    encoder : Encoder, optional
        Defaults to the packaged MiniLM (pass a cached one).

    Returns
    -------
    pd.DataFrame
        One row per text: ``label`` (primary label or ``None``), ``score`` (its similarity, or
        the closest label's when none was assigned; NaN for empty texts),
        ``labels`` (tuple of assigned labels, best first), ``source`` ("keyword",
        "embedding" or ``None``), ``is_empty`` and one ``sim_<label>`` column per label.
    """
    if not label_descriptions:
        raise ValueError("Give at least one label with a description to tag texts.")
    names = [str(label) for label in label_descriptions]
    unknown = sorted(set(map(str, keywords or {})) - set(names))
    if unknown:
        raise ValueError(f"Keywords were given for {unknown}, which are not among the labels {names}.")
    if not -1.0 <= threshold <= 1.0:
        raise ValueError(f"threshold={threshold} should be a cosine similarity between -1 and 1.")

    prompts: list[str] = []
    owners: list[int] = []
    for j, (label, description) in enumerate(label_descriptions.items()):
        options = [description] if isinstance(description, str) else list(description)
        options = [clean_text(o) for o in options if clean_text(o)] or [str(label)]
        prompts.extend(options)
        owners.extend([j] * len(options))

    texts = list(texts)
    encoder = encoder or load_encoder()
    vectors = embed(texts + prompts, device=device, encoder=encoder, batch_size=batch_size, max_length=max_length)
    similarity = vectors[: len(texts)] @ vectors[len(texts) :].T
    scores = np.full((len(texts), len(names)), -1.0, dtype=np.float64)
    for column, owner in enumerate(owners):
        scores[:, owner] = np.maximum(scores[:, owner], similarity[:, column])

    empty = np.array([not clean_text(t) for t in texts], dtype=bool)
    forced = (
        keyword_matches(texts, keywords).reindex(columns=names, fill_value=False).to_numpy()
        if keywords
        else np.zeros_like(scores, dtype=bool)
    )
    rows_label, rows_score, rows_labels, rows_source = [], [], [], []
    for i in range(len(texts)):
        order = np.argsort(-scores[i], kind="stable")
        by_score = [j for j in order if scores[i, j] >= threshold] if not empty[i] else []
        hits = [j for j in order if forced[i, j]]
        if multi_label:
            chosen = hits + [j for j in by_score if j not in hits]
        else:
            chosen = hits[:1] or by_score[:1]
        rows_labels.append(tuple(names[j] for j in chosen))
        rows_label.append(names[chosen[0]] if chosen else None)
        rows_score.append(float(scores[i, chosen[0]]) if chosen else (float(scores[i, order[0]]) if not empty[i] else np.nan))
        rows_source.append(("keyword" if hits else "embedding") if chosen else None)

    frame = pd.DataFrame(
        {
            "label": pd.Series(rows_label, dtype="object"),
            "score": rows_score,
            "labels": pd.Series(rows_labels, dtype="object"),
            "source": pd.Series(rows_source, dtype="object"),
            "is_empty": empty,
        }
    )
    for j, name in enumerate(names):
        frame[f"sim_{name}"] = np.where(empty, np.nan, scores[:, j])
    return frame
