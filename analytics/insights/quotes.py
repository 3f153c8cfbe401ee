"""Typical quotes: the few negative sentences that stand for an action's complaints.

A ranked action is easier to believe with the customers' words beside it; the words shown should be what
most of its complaints say (near their centroid), not the first or the angriest, and not one thing three times.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

QUOTES = 3
NEAR_DUPLICATE = 0.65  # cosine above which a sentence is taken as a repeat of a quote already chosen
_CANDIDATES = 30  # sentences nearest the centroid among which the quotes are picked


def typical_quotes(actions: pd.DataFrame, members: Callable[[str, str, str], np.ndarray], tagged: pd.DataFrame,
                   ids: np.ndarray) -> list[tuple]:
    """Per action, up to QUOTES negative sentences closest to the centroid of its negative sentences.

    The vectorizer is fitted once, on the distinct negative sentences (lower-cased words); each counts in a
    centroid as often as it occurs, and similarity to the centroid is the dot product with the (L2-normed)
    sentence vector. A sentence nearly repeating a quote already taken (cosine ≥ NEAR_DUPLICATE: "hiya, the
    box arrived crushed" after "The box arrived crushed.") is passed over while other candidates remain, so
    the three quotes say three things. All actions are scored in a few sparse products, not one by one.

    Parameters
    ----------
    actions : DataFrame
        ``slice_kind``, ``dimension`` and ``slice_value`` of each action.
    members : callable
        ``members(slice_kind, dimension, slice_value)``: the positions in ``tagged`` of the action's negative
        mentions.
    tagged : DataFrame
        One row per mention: ``pos`` (its row in ``ids``), ``polarity`` (−1/0/+1) and ``sentence``.
    ids : ndarray
        The record id of each row.

    Returns
    -------
    list of tuple
        Per action, in order: up to QUOTES ``(record_id, sentence)``, the most typical first; empty when the
        action has no negative sentence.
    """
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer

    sentence = tagged["sentence"].to_numpy(dtype=object)
    negative = np.flatnonzero(tagged["polarity"].to_numpy() < 0)
    words = pd.Series(sentence[negative], dtype="str").str.lower().str.replace(r"[^\w]+", " ", regex=True)
    words = words.str.strip().fillna("").to_numpy(dtype=object)
    usable = words != ""
    if not len(actions) or not usable.any():
        return [() for _ in range(len(actions))]
    code = np.full(len(tagged), -1)
    code[negative[usable]], distinct = pd.factorize(words[usable])
    matrix = TfidfVectorizer(token_pattern=r"(?u)\b\w+\b").fit_transform(distinct.astype(str)).tocsr()
    n_distinct = len(distinct)
    record = ids[tagged["pos"].to_numpy()].astype(str)

    # (action, distinct sentence) pairs with their counts and first mention
    picked = [members(*key) for key in zip(actions["slice_kind"], actions["dimension"], actions["slice_value"])]
    mention = np.concatenate(picked) if picked else np.empty(0, dtype=int)
    action = np.repeat(np.arange(len(actions)), [len(p) for p in picked])
    mention, action = mention[code[mention] >= 0], action[code[mention] >= 0]
    pairs, first, counts = np.unique(action * n_distinct + code[mention], return_index=True, return_counts=True)
    pair_action, pair_code = np.divmod(pairs, n_distinct)
    weights = counts / np.bincount(pair_action, counts, minlength=len(actions))[pair_action]
    centroids = sparse.csr_matrix((weights, (pair_action, pair_code)), shape=(len(actions), n_distinct)) @ matrix
    similarity = np.empty(len(pairs))
    step = max(1, 4_000_000 // n_distinct)  # bounds the dense block of centroid × sentence products
    for start in range(0, len(actions), step):
        block = (centroids[start:start + step] @ matrix.T).toarray()
        at = (pair_action >= start) & (pair_action < start + step)
        similarity[at] = block[pair_action[at] - start, pair_code[at]]

    # the _CANDIDATES most central sentences of each action (ties: lowest record_id), then their overlaps
    order = np.lexsort((record[mention[first]], -similarity, pair_action))
    place = np.arange(len(order)) - np.searchsorted(pair_action[order], pair_action[order])
    top = place < _CANDIDATES
    padded = np.full((len(actions), _CANDIDATES), -1)
    padded[pair_action[order[top]], place[top]] = order[top]
    i, j = np.triu_indices(_CANDIDATES, 1)
    left, right = padded[:, i], padded[:, j]
    both = (left >= 0) & (right >= 0)
    near = np.zeros(left.shape, dtype=bool)
    near[both] = np.asarray(matrix[pair_code[left[both]]].multiply(matrix[pair_code[right[both]]]).sum(axis=1)
                            ).ravel() >= NEAR_DUPLICATE
    repeats = np.zeros((len(actions), _CANDIDATES, _CANDIDATES), dtype=bool)
    repeats[:, i, j] = near

    quotes = []
    for row, candidates in enumerate(padded):
        ranked = [k for k in range(_CANDIDATES) if candidates[k] >= 0]
        chosen: list[int] = []
        for k in ranked:
            if not repeats[row, chosen, k].any():
                chosen.append(k)
                if len(chosen) == QUOTES:
                    break
        chosen += [k for k in ranked if k not in chosen][:QUOTES - len(chosen)]  # only repeats were left
        at = mention[first[candidates[chosen]]]
        quotes.append(tuple(zip(record[at].tolist(), [str(s) for s in sentence[at]])))
    return quotes
