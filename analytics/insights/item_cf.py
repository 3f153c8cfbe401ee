"""Product recommendations: item-based collaborative filtering on the customer × item matrix, with rules.

Frames in, frames or frozen results out. The flow is :func:`purchase_matrix` (sparse customers × items) →
:func:`item_similarity` (sparse item × item cosine) → :func:`recommend_for_customers` and
:func:`bought_together`, optionally blended with the association rules of
:func:`analytics.insights.rules.mine_rules`. :mod:`analytics.insights.item_cf_evaluation` measures it offline.
"""
from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from analytics.insights.rules import rule_items
from analytics.schema import ITEM_SEPARATOR

ITEM_SOURCES = ("item", "product")
WEIGHTINGS = ("inverse", "none")
_RULE_NEEDS = ("antecedent", "consequent", "confidence")  # columns of a rules table the blend reads
# Scores are computed for this many customer × item cells at a time (dense float64: ~32 MB).
_BATCH_CELLS = 4_000_000


@dataclass(frozen=True, eq=False)
class PurchaseMatrix:
    """Customers × items purchase counts, as a sparse matrix with its labels.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        ``n_customers × n_items`` int64: the number of order lines of the customer holding the item
        (an item listed on several rows of one order counts once).
    customers, items : pd.Index
        Labels of the rows and columns, sorted.
    source : str
        The column the items came from (``"item"`` or ``"product"``).
    n_rows : int
        Rows of the frame.
    n_set_aside : int
        Rows without a customer or an item.
    """

    matrix: sparse.csr_matrix
    customers: pd.Index
    items: pd.Index
    source: str
    n_rows: int
    n_set_aside: int

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    def binary(self) -> sparse.csr_matrix:
        """1.0 where the customer bought the item at least once."""
        return _binary(self.matrix)


@dataclass(frozen=True, eq=False)
class _Lines:
    """Deduplicated order lines as integer codes, with the row each came from."""

    customer: np.ndarray
    order: np.ndarray
    item: np.ndarray
    row: np.ndarray
    customers: pd.Index
    items: pd.Index
    source: str
    n_rows: int
    n_set_aside: int


def _clean(values: pd.Series) -> pd.Series:
    """Stripped strings with blanks as missing."""
    text = values.astype("string").str.strip()
    return text.mask(text.eq(""))


def _has_values(rows: pd.DataFrame, column: str) -> bool:
    return column in rows.columns and bool(_clean(rows[column]).notna().any())


def _needs(what: str) -> str:
    return (f"Product recommendations need {what}: map a customer column (customer or account id) and an item "
            "column (items separated by ';') or a product column, with one row per order line or per order.")


def _require_customers(rows: pd.DataFrame, customer: str) -> None:
    if customer not in rows.columns:
        present = ", ".join(map(str, rows.columns[:12])) or "none"
        raise ValueError(_needs(f"a customer column, and this data has no {customer!r} column (columns: {present})"))
    if not _has_values(rows, customer):
        raise ValueError(_needs(f"customer ids, and the {customer!r} column of these {len(rows):,} rows is empty"))


def _order_lines(rows: pd.DataFrame, *, customer: str, item_source: str, order: str | None) -> _Lines:
    """One line per (customer, order, item); without an order id each row is its own order."""
    if item_source not in ITEM_SOURCES:
        raise ValueError(f"item_source={item_source!r} should be one of {list(ITEM_SOURCES)}.")
    _require_customers(rows, customer)
    fallback = ITEM_SOURCES[1 - ITEM_SOURCES.index(item_source)]
    source = next((c for c in (item_source, fallback) if _has_values(rows, c)), None)
    if source is None:
        raise ValueError(_needs("items, and this data has no item or product values"))
    frame = rows.reset_index(drop=True)
    customers = _clean(frame[customer])
    items = _clean(frame[source])
    kept = customers.notna() & items.notna()
    items = items[kept]
    if items.str.contains(ITEM_SEPARATOR, regex=False).any():
        items = items.str.split(ITEM_SEPARATOR).explode().str.strip()
        items = items[items.notna() & items.ne("")]
    if not len(items):
        raise ValueError(_needs(f"rows with both a customer and an item; none of the {len(frame):,} rows has both"))
    row = items.index.to_numpy(dtype=np.int64)
    customer_codes, customer_names = pd.factorize(customers.to_numpy(dtype=object)[row], sort=True)
    item_codes, item_names = pd.factorize(items.to_numpy(dtype=object), sort=True)
    if order is not None and order in frame.columns:
        order_codes = pd.factorize(_clean(frame[order]).to_numpy(dtype=object)[row])[0].astype(np.int64)
        alone = order_codes < 0  # a row without an order id is an order of its own
        order_codes[alone] = order_codes.max() + 1 + row[alone]
    else:
        order_codes = row.copy()
    first = np.flatnonzero(~pd.DataFrame({"c": customer_codes, "o": order_codes, "i": item_codes}).duplicated())
    n_set_aside = int((~kept).sum())
    return _Lines(customer_codes[first].astype(np.int64), order_codes[first], item_codes[first].astype(np.int64),
                  row[first], pd.Index(customer_names, dtype="str"), pd.Index(item_names, dtype="str"), source,
                  len(frame), n_set_aside)


def _matrix_of(lines: _Lines, keep: np.ndarray | None = None) -> PurchaseMatrix:
    customer, item = (lines.customer, lines.item) if keep is None else (lines.customer[keep], lines.item[keep])
    counts = sparse.csr_matrix((np.ones(len(customer), dtype=np.int64), (customer, item)),
                               shape=(len(lines.customers), len(lines.items)))
    counts.sum_duplicates()
    return PurchaseMatrix(counts, lines.customers, lines.items, lines.source, lines.n_rows, lines.n_set_aside)


def purchase_matrix(rows: pd.DataFrame, *, customer: str = "customer_id", item_source: str = "item",
                    order: str = "order_id") -> PurchaseMatrix:
    """Customers × items purchase counts from canonical rows.

    Parameters
    ----------
    rows : DataFrame
        One row per order line or per contact (``customer_id``, ``order_id``, ``item`` and/or ``product``).
    customer : str
        The customer column.
    item_source : {"item", "product"}
        Column the items come from: ``"item"`` (one item or several separated by ";") or ``"product"``;
        the other is used when this one is missing or empty.
    order : str
        The order column: an item on several rows of one order (the demo repeats an order's items on
        every contact) counts once. Without it, each row is one order line.

    Raises
    ------
    ValueError
        No customer column, no items, or no row with both.

    Examples
    --------
    >>> rows = pd.DataFrame({"customer_id": ["a", "a", "b"], "order_id": ["1", "1", "2"],
    ...                      "item": ["tea;cup", "tea", "cup"]})
    >>> m = purchase_matrix(rows)
    >>> list(m.customers), list(m.items), m.matrix.toarray().tolist()
    (['a', 'b'], ['cup', 'tea'], [[1, 1], [1, 0]])
    """
    return _matrix_of(_order_lines(rows, customer=customer, item_source=item_source, order=order))


def _binary(counts: sparse.spmatrix) -> sparse.csr_matrix:
    binary = sparse.csr_matrix(counts, dtype=np.float64, copy=True)
    binary.eliminate_zeros()
    binary.sort_indices()  # owned items in item order: ties between them go to the first
    binary.data[:] = 1.0
    return binary


def item_similarity(matrix: PurchaseMatrix, *, shrink: float = 10.0, weighting: str = "inverse",
                    neighbours: int | None = None) -> sparse.csr_matrix:
    """Item × item cosine similarity of who bought what, with a zero diagonal.

    ``sim(i, j) = w_ij / sqrt(n_i · n_j) · c_ij / (c_ij + shrink)``. Purchases are binarised (buying an
    item twice counts once): ``n_i`` counts the customers who bought ``i``, ``c_ij`` those who bought both,
    and ``w_ij`` is ``c_ij`` with each of those customers weighted by 1 / (number of items they bought)
    (``weighting="inverse"``) or 1 (``"none"``, the plain cosine). The weights damp heavy buyers, who
    buy nearly everything and so link every item with every other; on the demo data and on Online Retail
    they raise the hit rate @10 by 4–10 points (``tests/bench/bench_item_cf.py``). The shrink factor
    pulls pairs seen on few customers towards zero.

    Parameters
    ----------
    matrix : PurchaseMatrix
    shrink : float
        0 leaves the similarities unshrunk.
    weighting : {"inverse", "none"}
        Weight of a customer in the co-purchases: 1 / items bought, or 1.
    neighbours : int, optional
        Keep only each item's (row's) ``neighbours`` most similar items (ties: item order); None keeps all.

    Examples
    --------
    >>> rows = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "c"], "item": list("xyxyx")})
    >>> item_similarity(purchase_matrix(rows), shrink=0, weighting="none").toarray().round(3).tolist()
    [[0.0, 0.816], [0.816, 0.0]]
    """
    if shrink < 0:
        raise ValueError(f"shrink={shrink} should be ≥ 0 (0 leaves the similarities unshrunk).")
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting={weighting!r} should be one of {list(WEIGHTINGS)}.")
    if neighbours is not None and neighbours < 1:
        raise ValueError(f"neighbours={neighbours} should be a positive number of items, or None for all.")
    binary = matrix.binary()
    by_item = binary.T.tocsr()  # items × customers
    counts = np.diff(by_item.indptr).astype(np.float64)
    if weighting == "inverse":
        # One product gives both sums: with entries 1 + i·w_u on the left, the real part of (i, j) counts the
        # customers who bought both items and the imaginary part adds up their weights w_u.
        weights = 1.0 / np.maximum(np.diff(binary.indptr), 1)
        left = sparse.csr_matrix((1.0 + 1j * weights[by_item.indices], by_item.indices, by_item.indptr),
                                 shape=by_item.shape)
        product = sparse.csr_matrix(left @ binary.astype(np.complex128))
        together, weighted = product.data.real, product.data.imag
    else:
        product = sparse.csr_matrix(by_item @ binary)
        together = weighted = product.data
    row = np.repeat(np.arange(product.shape[0]), np.diff(product.indptr))
    col = product.indices
    values = weighted / np.sqrt(counts[row] * counts[col])
    if shrink:
        values *= together / (together + shrink)
    values[row == col] = 0.0
    similarity = sparse.csr_matrix((values, col, product.indptr), shape=product.shape)
    similarity.eliminate_zeros()
    similarity.sort_indices()
    return similarity if neighbours is None else _top_per_row(similarity, neighbours)


def _canonical(product: sparse.spmatrix) -> sparse.csr_matrix:
    """CSR with sorted indices (a copy when it had to sort)."""
    product = sparse.csr_matrix(product)
    if not product.has_sorted_indices:
        product = product.sorted_indices()
    return product


def _top_per_row(similarity: sparse.csr_matrix, n: int) -> sparse.csr_matrix:
    rows = np.repeat(np.arange(similarity.shape[0]), np.diff(similarity.indptr))
    order = np.lexsort((similarity.indices, -similarity.data, rows))
    rank = np.arange(len(order)) - similarity.indptr[rows[order]]
    keep = np.sort(order[rank < n])
    return sparse.csr_matrix((similarity.data[keep], (rows[keep], similarity.indices[keep])), shape=similarity.shape)


def _check_similarity(matrix: PurchaseMatrix, similarity: sparse.spmatrix) -> sparse.csr_matrix:
    n = len(matrix.items)
    if similarity.shape != (n, n):
        raise ValueError(f"similarity is {similarity.shape[0]} × {similarity.shape[1]} for {n} items: compute it "
                         "with item_similarity on the same purchase matrix.")
    return _canonical(similarity)  # sorted indices: element look-ups are binary searches, not scans


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Column numbers of each row's ``k`` highest scores, best first, ties in column order."""
    n = scores.shape[1]
    k = min(k, n)
    threshold = np.partition(scores, n - k, axis=1)[:, [n - k]]
    above = scores > threshold
    tied = scores == threshold
    chosen = above | (tied & (np.cumsum(tied, axis=1) <= k - above.sum(axis=1, keepdims=True)))
    columns = np.nonzero(chosen)[1].reshape(len(scores), k)  # exactly k per row, in column order
    best = np.argsort(-np.take_along_axis(scores, columns, axis=1), axis=1, kind="stable")
    return np.take_along_axis(columns, best, axis=1)


def _batch_size(n_columns: int) -> int:
    """Customers per batch of dense scores."""
    return max(1, _BATCH_CELLS // max(n_columns, 1))


@dataclass(frozen=True, eq=False)
class _RuleSides:
    """Rules over the matrix's items: antecedent and consequent indicators, sizes, confidences and labels."""

    antecedent: sparse.csr_matrix  # rules × items
    sizes: np.ndarray
    consequent: sparse.csr_matrix  # rules × items
    confidence: np.ndarray
    labels: np.ndarray  # antecedent text of each rule


def _rule_sides(rules: pd.DataFrame, items: pd.Index) -> _RuleSides:
    missing = [c for c in _RULE_NEEDS if c not in rules.columns]
    if missing:
        raise ValueError(f"rules lack the columns {missing}: pass the rules table of mine_rules (RuleResult.rules).")
    sides = {}
    known = np.ones(len(rules), dtype=bool)
    for side in ("antecedent", "consequent"):
        texts = rules[side].astype("string").to_numpy(dtype=object)
        parts = [rule_items(text) for text in texts]
        lengths = np.array([len(p) for p in parts], dtype=np.int64)
        codes = items.get_indexer([name for p in parts for name in p]) if len(parts) else np.array([], int)
        owner = np.repeat(np.arange(len(parts)), lengths)
        # rules naming an item these purchases do not hold cannot apply to them
        known &= np.bincount(owner[codes < 0], minlength=len(parts)) == 0
        sides[side] = (owner, codes, lengths, texts)
    keep = np.flatnonzero(known)
    renumber = np.full(len(rules), -1)
    renumber[keep] = np.arange(len(keep))
    matrices = {}
    for side, (owner, codes, _, _) in sides.items():
        use = known[owner]
        matrices[side] = sparse.csr_matrix((np.ones(use.sum()), (renumber[owner[use]], codes[use])),
                                           shape=(len(keep), len(items)))
    return _RuleSides(matrices["antecedent"], sides["antecedent"][2][keep], matrices["consequent"],
                      rules["confidence"].to_numpy(dtype=float)[keep], sides["antecedent"][3][keep])


def _rule_scores(owned: sparse.csr_matrix, sides: _RuleSides) -> tuple[np.ndarray, np.ndarray]:
    """Per customer × item: the highest confidence of a rule whose antecedent the customer holds, and that rule."""
    confidence = np.zeros(owned.shape, dtype=np.float64)
    best = np.full(owned.shape, -1, dtype=np.int64)
    if not len(sides.sizes):
        return confidence, best
    matched = (owned @ sides.antecedent.T).tocoo()
    applies = matched.data == sides.sizes[matched.col]
    customer, rule = matched.row[applies], matched.col[applies]
    consequent = sides.consequent
    lengths = np.diff(consequent.indptr)[rule]
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    items = consequent.indices[np.repeat(consequent.indptr[rule], lengths) + offsets]
    customer, rule = np.repeat(customer, lengths), np.repeat(rule, lengths)
    # per customer and item, the most confident rule (ties: the first in the table)
    order = np.lexsort((rule, -sides.confidence[rule], items, customer))
    customer, items, rule = customer[order], items[order], rule[order]
    first = np.r_[True, (customer[1:] != customer[:-1]) | (items[1:] != items[:-1])]
    confidence[customer[first], items[first]] = sides.confidence[rule[first]]
    best[customer[first], items[first]] = rule[first]
    return confidence, best


def _entry_keys(similarity: sparse.csr_matrix) -> np.ndarray:
    """``row · n + column`` of every stored entry, ascending (the matrix has sorted indices)."""
    rows = np.repeat(np.arange(similarity.shape[0], dtype=np.int64), np.diff(similarity.indptr))
    return rows * similarity.shape[1] + similarity.indices


def _entries(similarity: sparse.csr_matrix, keys: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """``similarity[rows, columns]`` by binary search (scipy scans each row, too slow on dense-ish rows)."""
    wanted = rows.astype(np.int64) * similarity.shape[1] + columns
    values = np.zeros(len(wanted))
    if not len(keys) or not len(wanted):
        return values
    order = np.argsort(wanted, kind="stable")  # sorted queries search several times faster
    at = np.minimum(np.searchsorted(keys, wanted[order]), len(keys) - 1)
    found = keys[at] == wanted[order]
    values[order[found]] = similarity.data[at[found]]
    return values


def _strongest_owned(owned: sparse.csr_matrix, similarity: sparse.csr_matrix, keys: np.ndarray,
                     customer: np.ndarray, item: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each (customer row, item) pair: the owned item most similar to the item, and that similarity."""
    lengths = np.diff(owned.indptr)[customer]
    pair = np.repeat(np.arange(len(customer)), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    source = owned.indices[np.repeat(owned.indptr[customer], lengths) + offsets]
    values = _entries(similarity, keys, source, item[pair])
    strongest = np.full(len(customer), -1)
    value = np.zeros(len(customer))
    if not len(values):
        return strongest, value
    starts = np.cumsum(lengths) - lengths
    held = lengths > 0
    value[held] = np.maximum.reduceat(values, starts[held])
    # owned items come in item order, so the first that reaches the maximum breaks ties by item order
    best = np.flatnonzero(values == value[pair])
    first = best[np.r_[True, pair[best][1:] != pair[best][:-1]]]
    strongest[pair[first]] = source[first]
    return strongest, value


def recommend_for_customers(matrix: PurchaseMatrix, similarity: sparse.spmatrix, *, k: int = 10,
                            exclude_owned: bool = True, rules: pd.DataFrame | None = None,
                            rules_weight: float = 0.3, customers: Sequence[str] | None = None) -> pd.DataFrame:
    """The top-``k`` items for each customer, each with the owned item that contributed most.

    The collaborative score of item ``i`` is ``cf(i) = Σ_j sim(j, i)`` over the items ``j`` the customer
    bought. With ``rules``, ``score = (1 − w) · cf_norm + w · rule_confidence``: ``cf_norm`` is ``cf``
    divided by the customer's highest ``cf``, ``rule_confidence`` the highest confidence of a rule whose
    antecedent items the customer all bought and whose consequent holds ``i``, and ``w = rules_weight``.
    Items with a score of 0 are never recommended, so a customer may get fewer than ``k``.

    Parameters
    ----------
    matrix : PurchaseMatrix
    similarity : sparse matrix
        From :func:`item_similarity` on ``matrix``.
    k : int
    exclude_owned : bool
        Leave out the items the customer already bought.
    rules : DataFrame, optional
        Rules as :func:`~analytics.insights.rules.mine_rules` returns them (``antecedent``, ``consequent``
        with items joined by "; ", ``confidence``); rules naming unknown items are ignored.
    rules_weight : float
        ``w`` in [0, 1].
    customers : sequence of str, optional
        Only these customers (default: all).

    Returns
    -------
    DataFrame
        ``customer_id``, ``rank`` (1 = best), ``item``, ``score``, ``because`` (the bought item most
        similar to ``item``; for an item only a rule links, that rule's antecedent) and, with rules,
        ``cf_norm`` and ``rule_confidence``, the parts of the score.

    Examples
    --------
    >>> rows = pd.DataFrame({"customer_id": list("aabbc"), "item": list("xyxyx")})
    >>> m = purchase_matrix(rows)
    >>> recommend_for_customers(m, item_similarity(m, shrink=0))[["customer_id", "item", "because"]].values.tolist()
    [['c', 'y', 'x']]
    """
    if k < 1:
        raise ValueError(f"k={k} should be at least 1.")
    if not 0 <= rules_weight <= 1:
        raise ValueError(f"rules_weight={rules_weight} should be between 0 and 1.")
    similarity = _check_similarity(matrix, similarity)
    rows = np.arange(len(matrix.customers))
    if customers is not None:
        rows = matrix.customers.get_indexer(list(customers))
        if (rows < 0).any():
            unknown = [c for c, r in zip(customers, rows) if r < 0][:5]
            raise ValueError(f"{unknown} are not customers of this purchase matrix.")
    owned_all = matrix.binary()
    sides = None if rules is None else _rule_sides(rules, matrix.items)
    keys = _entry_keys(similarity)
    parts = []
    step = _batch_size(len(matrix.items))
    for start in range(0, len(rows), step):
        batch = rows[start:start + step]
        owned = owned_all[batch]
        cf = (owned @ similarity).toarray()
        if exclude_owned:
            cf[owned.nonzero()] = 0.0
        score = cf
        if sides is not None:
            confidence, best_rule = _rule_scores(owned, sides)
            if exclude_owned:
                confidence[owned.nonzero()] = 0.0
            top_cf = cf.max(axis=1, keepdims=True)  # over the candidates
            cf_norm = np.divide(cf, top_cf, out=np.zeros_like(cf), where=top_cf > 0)
            score = (1 - rules_weight) * cf_norm + rules_weight * confidence
        top = _top_k(score, k)
        customer_pos = np.repeat(np.arange(len(batch)), top.shape[1])
        item = top.ravel()
        value = score[customer_pos, item]
        keep = value > 0
        customer_pos, item, value = customer_pos[keep], item[keep], value[keep]
        strongest, strength = _strongest_owned(owned, similarity, keys, customer_pos, item)
        because = np.where(strength > 0, matrix.items.to_numpy(dtype=object)[np.maximum(strongest, 0)], None)
        part = {"customer_id": matrix.customers.to_numpy(dtype=object)[batch[customer_pos]],
                "rank": _ranks(customer_pos), "item": matrix.items.to_numpy(dtype=object)[item], "score": value,
                "because": because}
        if sides is not None:
            rule = best_rule[customer_pos, item]
            rule_only = strength <= 0
            part["because"][rule_only] = sides.labels[rule[rule_only]]
            part["cf_norm"] = cf_norm[customer_pos, item]
            part["rule_confidence"] = confidence[customer_pos, item]
        parts.append(pd.DataFrame(part))
    columns = ["customer_id", "rank", "item", "score", "because"] + (
        ["cf_norm", "rule_confidence"] if sides is not None else [])
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="str" if c in ("customer_id", "item", "because") else
                                          "int64" if c == "rank" else "float64") for c in columns})
    out = pd.concat(parts, ignore_index=True)[columns]
    for column in ("customer_id", "item", "because"):
        out[column] = out[column].astype("str")
    return out


def _ranks(group: np.ndarray) -> np.ndarray:
    """1, 2, 3 … within runs of equal values."""
    if not len(group):
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    return np.arange(len(group)) - np.repeat(starts, np.diff(np.r_[starts, len(group)])) + 1


def bought_together(similarity: sparse.spmatrix, items: pd.Index | Sequence[str], *, item: str, k: int = 5,
                    rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``k`` items most similar to ``item`` (bought by the same customers), with rule lift when there is one.

    Parameters
    ----------
    similarity : sparse matrix
        From :func:`item_similarity`.
    items : Index or sequence of str
        The item names of its rows and columns (``PurchaseMatrix.items``).
    item : str
        The item to find partners of.
    k : int
    rules : DataFrame, optional
        Rules as :func:`~analytics.insights.rules.mine_rules` returns them: the consequents of rules whose
        antecedent is ``item`` alone get their lift, and join the candidates even when no customer links them.

    Returns
    -------
    DataFrame
        ``item``, ``score`` (similarity), and with rules ``lift`` (NaN where no rule links the pair), by
        score, then lift, then item order; at most ``k`` rows, only items with a positive score or a rule.

    Examples
    --------
    >>> rows = pd.DataFrame({"customer_id": list("aabbcc"), "item": list("xyxyxz")})
    >>> m = purchase_matrix(rows)
    >>> bought_together(item_similarity(m, shrink=0), m.items, item="x")["item"].tolist()
    ['y', 'z']
    """
    if k < 1:
        raise ValueError(f"k={k} should be at least 1.")
    items = pd.Index(items, dtype="str")
    similarity = sparse.csr_matrix(similarity)
    if similarity.shape != (len(items), len(items)):
        raise ValueError(f"similarity is {similarity.shape[0]} × {similarity.shape[1]} for {len(items)} items: "
                         "pass the items of the purchase matrix it was computed on.")
    position = items.get_indexer([item])[0]
    if position < 0:
        names = {name.casefold(): name for name in items}
        close = [names[name] for name in difflib.get_close_matches(item.casefold(), list(names), n=3)]
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ValueError(f"{item!r} is not an item of these purchases.{hint}")
    row = similarity.getrow(position)
    table = pd.DataFrame({"code": row.indices, "score": row.data})
    table = table[table["score"] > 0]
    columns = ["item", "score"]
    if rules is not None:
        missing = [c for c in ("antecedent", "consequent", "lift") if c not in rules.columns]
        if missing:
            raise ValueError(f"rules lack the columns {missing}: pass the rules table of mine_rules.")
        mine = rules[rules["antecedent"].astype("string").eq(item)]
        linked = pd.DataFrame({"code": items.get_indexer(
            [name for text in mine["consequent"] for name in rule_items(text)]),
            "lift": np.repeat(mine["lift"].to_numpy(dtype=float),
                              [len(rule_items(text)) for text in mine["consequent"]])})
        linked = linked[(linked["code"] >= 0) & (linked["code"] != position)].groupby("code", as_index=False).max()
        table = table.merge(linked, on="code", how="outer")
        table["score"] = table["score"].fillna(0.0)
        columns.append("lift")
    by = ["score", "lift", "code"] if rules is not None else ["score", "code"]
    table = table.sort_values(by, ascending=[False] * (len(by) - 1) + [True], na_position="last", kind="stable")
    table = table.head(k)
    out = pd.DataFrame({"item": items.to_numpy(dtype=object)[table["code"].to_numpy(dtype=np.int64)]}, dtype="str")
    for column in columns[1:]:
        out[column] = table[column].to_numpy(dtype=float)
    return out
