"""Market-basket rules: a guarded FP-growth / Apriori search over baskets, and rules people can read.

Frames in, frozen results out. The flow is :func:`analytics.insights.baskets.build_baskets` →
:func:`estimate_search` (called by :func:`mine_rules`, which refuses searches that would swamp a 2-core
machine) → :func:`mine_rules` → :func:`rule_sentences`, :func:`filter_rules` and :func:`rule_record_ids`.
"""
from __future__ import annotations

import ctypes
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import networkx as nx
import numpy as np
import pandas as pd
from mlxtend.frequent_patterns import apriori, association_rules, fpgrowth
from scipy import sparse

from analytics.insights.baskets import BASKET_KINDS, BasketReport, Baskets, basket_kind
from analytics.schema import ITEM_SEPARATOR

# Guard rails, sized so that mining stays under ~30 s on a busy 2-core machine (Online Retail, 20,728
# orders: 780 items and 748 pairs at 1 % mine in ~3.5 s; 2,011 items and 29,453 pairs at 0.3 % took 45 s
# with max_len 2).
MAX_FREQUENT_ITEMS = 2_000
MAX_ONE_HOT_CELLS = 200_000_000  # mlxtend's FP-growth sums item supports on a dense copy: baskets × items bools
MAX_PAIR_WORK = 500_000_000  # Σ (frequent items per basket)², the cost of counting pairs (~5 s)
MAX_FREQUENT_PAIRS = 20_000
# Upper bound on the number of frequent itemsets: each is a clique of the frequent-pair graph, and a
# graph whose vertex v has core number k_v holds at most Σ_v Σ_{j<max_len} C(k_v, j) cliques.
MAX_ITEMSET_BOUND = 1_000_000
_BOUND_CAP = 10 ** 18  # bounds above this are reported as this (they only need to read "far too many")
DEFAULT_TIME_LIMIT = 30.0  # seconds of mining and rule generation
STOP_GRACE = 5.0  # seconds to wait for a stopped mining thread to finish its current numpy call
# Convictions are infinite when confidence is 1; the table caps them so that it exports (CSV, Excel, JSON).
CONVICTION_CAP = 1e6
RULE_ITEM_SEPARATOR = ITEM_SEPARATOR + " "  # "A; B": items never hold ";" (build_baskets splits on it)
ALGORITHMS = ("fpgrowth", "apriori")

class NoFrequentItems(ValueError):
    """No item reaches the minimum support; ``highest_support`` says which support would find one."""

    def __init__(self, message: str, highest_support: float):
        super().__init__(message)
        self.highest_support = highest_support


class SearchTooLarge(ValueError):
    """The search would swamp the machine; the message and ``estimate`` say what to change."""

    def __init__(self, estimate: "SearchEstimate"):
        super().__init__(estimate.advice())
        self.estimate = estimate


class MiningTimeout(ValueError):
    """Mining ran past its time limit and was stopped."""



@dataclass(frozen=True)
class SearchEstimate:
    """How large mining would be at these settings, and what would make it fit.

    ``n_frequent_pairs`` and ``itemset_bound`` are None when pairs were not counted (too many items).
    ``pair_work`` is 0 when there are too many items to count pairs. ``problem`` is None when the search
    fits; otherwise ``suggested_support`` (and, when capping the length alone would do,
    ``suggested_max_len``) say what would fit.
    """

    min_support: float
    max_len: int | None
    n_baskets: int
    unit: str
    n_frequent_items: int
    n_frequent_pairs: int | None
    pair_work: int
    itemset_bound: int | None
    problem: str | None
    suggested_support: float | None
    suggested_max_len: int | None
    top_pair: tuple[str, str] | None
    top_pair_count: int

    @property
    def fits(self) -> bool:
        return self.problem is None

    def advice(self) -> str:
        """One sentence a user can act on: what is too large and what to change."""
        if self.fits:
            return f"Mining at min support {_percent(self.min_support)} fits."
        fixes = []
        if self.suggested_max_len is not None:
            fixes.append(f"cap max length at {self.suggested_max_len}")
        if self.suggested_support is not None:
            fixes.append(f"raise min support to {_percent(self.suggested_support)}")
        if "items reach" in self.problem or self.suggested_support is None:
            fixes.append("filter the items first")
        return (f"Mining at min support {_percent(self.min_support)} is too large for this machine: "
                f"{self.problem}. {_capital(' or '.join(fixes))}.")


@dataclass(frozen=True, eq=False)
class RuleResult:
    """Mined rules of one basket kind with everything that produced them.

    Attributes
    ----------
    rules : pd.DataFrame
        ``antecedent``, ``consequent`` (items joined with "; "), ``support``, ``confidence``, ``lift``,
        ``leverage``, ``conviction`` (capped at :data:`CONVICTION_CAP`) and ``n_baskets`` (baskets holding
        both sides), by lift then support.
    itemsets : pd.DataFrame
        ``itemset``, ``size``, ``support``, ``n_baskets`` of every frequent itemset.
    report, estimate : BasketReport, SearchEstimate
        The baskets mined and the size of the search.
    params : dict
        ``min_support``, ``max_len``, ``algorithm``, ``min_confidence``, ``min_lift`` as given.
    seconds : float
        Time spent mining and deriving rules.
    notes : tuple of str
        Why there are no rules, when there are none.
    """

    kind: str
    rules: pd.DataFrame
    itemsets: pd.DataFrame
    report: BasketReport
    estimate: SearchEstimate
    params: Mapping[str, object]
    seconds: float
    notes: tuple[str, ...] = ()

    def sentences(self) -> list[str]:
        """One readable sentence per rule, in table order."""
        return rule_sentences(self.rules, self.kind).tolist()


RULE_COLUMNS = ("antecedent", "consequent", "support", "confidence", "lift", "leverage", "conviction", "n_baskets")


def one_hot(baskets: Baskets, *, min_support: float = 0.0) -> pd.DataFrame:
    """Sparse boolean one-hot frame (baskets × items) for mlxtend; items under ``min_support`` are left out.

    Dropping them changes no result: an item below the threshold is in no frequent itemset, and every
    basket stays a row, so supports keep all baskets as their denominator.
    """
    keep = baskets.item_counts >= _min_count(min_support, baskets.n_baskets)
    return pd.DataFrame.sparse.from_spmatrix(baskets.matrix[:, keep], index=baskets.basket_ids,
                                             columns=baskets.items[keep])


def _percent(share: float) -> str:
    """A support as people write it, small ones with their first significant digits.

    >>> _percent(0.01), _percent(0.8234), _percent(0.00001), _percent(0.0)
    ('1 %', '82.34 %', '0.001 %', '0 %')
    """
    percent = 100 * share
    digits = 2 if percent >= 0.01 or percent == 0 else 1 - math.floor(math.log10(percent))
    return f"{percent:.{digits}f}".rstrip("0").rstrip(".") + " %"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _min_count(min_support: float, n_baskets: int) -> int:
    """The smallest basket count whose support reaches ``min_support`` (as mlxtend compares: count / n ≥ s)."""
    count = max(1, math.ceil(round(min_support * n_baskets, 9)))
    return count if count / n_baskets >= min_support else count + 1


def _pair_work(baskets: Baskets, columns: np.ndarray) -> int:
    sizes = baskets.matrix[:, columns].getnnz(axis=1).astype(np.int64)
    return int((sizes ** 2).sum())


def _pair_counts(baskets: Baskets, columns: np.ndarray) -> sparse.coo_matrix:
    """Co-occurrence counts of the items ``columns`` (upper triangle, in global item numbers)."""
    x = baskets.matrix[:, columns].astype(np.int32)
    upper = sparse.triu(x.T @ x, k=1).tocoo()
    return sparse.coo_matrix((upper.data, (columns[upper.row], columns[upper.col])),
                             shape=(len(baskets.items),) * 2)


def _itemset_bound(pairs: sparse.coo_matrix, n_items: int, min_count: int, max_len: int | None) -> int:
    """At most this many itemsets reach ``min_count``: the cliques of the frequent-pair graph, by core number."""
    frequent = pairs.data >= min_count
    graph = nx.Graph()
    graph.add_edges_from(zip(pairs.row[frequent].tolist(), pairs.col[frequent].tolist()))
    bound = n_items - graph.number_of_nodes()  # items in no frequent pair are itemsets of one
    for core in nx.core_number(graph).values():
        top = core if max_len is None else min(core, max_len - 1)
        bound += 2 ** core if top == core else sum(math.comb(core, j) for j in range(top + 1))
        if bound > _BOUND_CAP:
            return _BOUND_CAP
    return bound


def estimate_search(baskets: Baskets, *, min_support: float, max_len: int | None = None) -> SearchEstimate:
    """Size the search before mining, against the guard rails at the top of this module.

    Raises
    ------
    NoFrequentItems
        No item reaches ``min_support``; the message gives the highest item support.

    Examples
    --------
    >>> from analytics.insights.baskets import build_baskets
    >>> baskets = build_baskets(pd.DataFrame({"order_id": list("112233"), "item": list("abacbc")}))
    >>> found = estimate_search(baskets, min_support=0.5)
    >>> found.fits, found.n_frequent_items, found.n_frequent_pairs
    (True, 3, 0)
    """
    _check_params(min_support, max_len)
    n, unit = baskets.n_baskets, BASKET_KINDS[baskets.kind].unit
    counts = baskets.item_counts
    min_count = _min_count(min_support, n)
    if counts.max() < min_count:
        best = int(counts.argmax())
        highest = math.floor(round(counts[best] / n * 1e4, 9)) / 1e4
        raise NoFrequentItems(
            f"No item is in {_percent(min_support)} of the {n:,} {unit}: the most frequent, "
            f"{baskets.items[best]!r}, is in {_percent(counts[best] / n)} ({counts[best]:,} {unit}). "
            f"Set min support to {_percent(highest)} or lower.", highest)
    item_limit = min(MAX_FREQUENT_ITEMS, MAX_ONE_HOT_CELLS // n)

    def light(count: int) -> tuple[int, int, str | None]:
        """Frequent items, pair-counting work, and the problem with them if any."""
        n_items = int((counts >= count).sum())
        if n_items > item_limit:
            return n_items, 0, f"{n_items:,} items reach it (at most {item_limit:,} for {n:,} {unit})"
        work = _pair_work(baskets, np.flatnonzero(counts >= count))
        return n_items, work, (f"counting their pairs would take {work:.1e} steps (at most {MAX_PAIR_WORK:.0e})"
                               if work > MAX_PAIR_WORK else None)

    candidates = np.unique(counts[counts >= min_count])  # thresholds worth trying, ascending
    n_items, work, problem = light(min_count)
    base = min_count if problem is None else _lowest_passing(candidates, lambda c: light(c)[2] is None)
    pairs = _pair_counts(baskets, np.flatnonzero(counts >= base)) if base is not None else \
        sparse.coo_matrix((len(counts),) * 2, dtype=np.int32)

    def heavy(count: int, length: int | None) -> tuple[int, int | None, str | None]:
        """Frequent pairs, the bound on frequent itemsets, and the problem with them if any."""
        n_pairs = int((pairs.data >= count).sum())
        if n_pairs > MAX_FREQUENT_PAIRS:
            return n_pairs, None, f"{n_pairs:,} pairs reach it (at most {MAX_FREQUENT_PAIRS:,})"
        bound = _itemset_bound(pairs, int((counts >= count).sum()), count, length)
        return n_pairs, bound, (f"up to {bound:.1e} itemsets could be frequent (at most {MAX_ITEMSET_BOUND:,})"
                                if bound > MAX_ITEMSET_BOUND else None)

    n_pairs = bound = suggested_support = suggested_len = None
    if problem is None:
        n_pairs, bound, problem = heavy(min_count, max_len)
        if problem is not None and (max_len is None or max_len > 3):
            suggested_len = next((k for k in (3, 2) if heavy(min_count, k)[2] is None), None)
    if problem is not None and base is not None:
        best = _lowest_passing(candidates[candidates >= base], lambda c: heavy(c, max_len)[2] is None)
        suggested_support = None if best is None else math.ceil(round(best / n * 1e4, 9)) / 1e4
    top = int(np.argmax(pairs.data)) if pairs.nnz else None
    return SearchEstimate(
        min_support=min_support, max_len=max_len, n_baskets=n, unit=unit, n_frequent_items=n_items,
        n_frequent_pairs=n_pairs, pair_work=work, itemset_bound=bound, problem=problem,
        suggested_support=suggested_support, suggested_max_len=suggested_len,
        top_pair=None if top is None else (baskets.items[pairs.row[top]], baskets.items[pairs.col[top]]),
        top_pair_count=0 if top is None else int(pairs.data[top]))


def _lowest_passing(candidates: np.ndarray, passes: Callable[[int], bool]) -> int | None:
    """The lowest candidate count that passes a test that stays passed above it (None: even the highest fails)."""
    if not len(candidates) or not passes(int(candidates[-1])):
        return None
    low, high = 0, len(candidates) - 1
    while low < high:
        middle = (low + high) // 2
        if passes(int(candidates[middle])):
            high = middle
        else:
            low = middle + 1
    return int(candidates[low])


def _check_params(min_support: float, max_len: int | None) -> None:
    if not 0 < min_support <= 1:
        raise ValueError(f"min_support={min_support} should be a share of baskets in (0, 1].")
    if max_len is not None and max_len < 2:
        raise ValueError(f"max_len={max_len} should be at least 2 (a rule needs two items) or None.")


class _TimeUp(BaseException):
    """Raised inside the mining thread when its time is up (a BaseException: no `except Exception` eats it)."""


def _within_time_limit(work: Callable[[], object], seconds: float) -> object:
    """``work()`` in a worker thread, stopped once ``seconds`` have passed.

    mlxtend has no timeout and a thread cannot be killed, but CPython can raise an exception inside
    another thread (``PyThreadState_SetAsyncExc``). It lands at the worker's next Python bytecode, so
    mining stops within one numpy call (the guard rails keep those short); the caller waits at most
    :data:`STOP_GRACE` more seconds for that.
    """
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except _TimeUp:
            pass
        except BaseException as error:  # re-raised in the caller's thread below
            outcome["error"] = error

    worker = threading.Thread(target=run, name="gapsight-rules-mining", daemon=True)
    worker.start()
    try:
        worker.join(seconds)
    finally:
        if worker.is_alive():
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident), ctypes.py_object(_TimeUp))
            worker.join(STOP_GRACE)
    if "error" in outcome:
        raise outcome["error"]
    if "value" not in outcome:
        raise MiningTimeout(f"Mining took longer than {seconds:g} s and was stopped: raise min support, cap max "
                            "length, or filter the items.")
    return outcome["value"]


def _mine(frame: pd.DataFrame, *, algorithm: str, min_support: float, max_len: int | None, n_baskets: int,
          min_confidence: float) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    # Apriori's default path holds baskets × candidate pairs booleans (~6 GB on Online Retail at 1 %).
    miner = fpgrowth if algorithm == "fpgrowth" else partial(apriori, low_memory=True)
    itemsets = miner(frame, min_support=min_support, max_len=max_len)
    if not (itemsets["itemsets"].map(len) > 1).any():
        return itemsets, None
    rules = association_rules(itemsets, num_itemsets=n_baskets, metric="confidence", min_threshold=min_confidence,
                              return_metrics=["support", "confidence", "lift", "leverage", "conviction"])
    return itemsets, rules


def _side(names: np.ndarray, itemset: frozenset) -> str:
    return RULE_ITEM_SEPARATOR.join(sorted(names[list(itemset)]))


def mine_rules(baskets: Baskets, *, min_support: float = 0.01, max_len: int | None = None,
               algorithm: str = "fpgrowth", min_confidence: float = 0.1, min_lift: float = 1.0,
               time_limit: float = DEFAULT_TIME_LIMIT) -> RuleResult:
    """Frequent itemsets (mlxtend FP-growth or Apriori) and the association rules among them.

    Parameters
    ----------
    baskets : Baskets
        From :func:`analytics.insights.baskets.build_baskets`.
    min_support : float
        Share of baskets an itemset must be in (0.01 = 1 %).
    max_len : int or None
        Largest itemset (None: no limit).
    algorithm : {"fpgrowth", "apriori"}
        Same itemsets either way; FP-growth is faster.
    min_confidence, min_lift : float
        Rules below either are left out.
    time_limit : float
        Seconds for mining and rule generation; past it mining is stopped.

    Raises
    ------
    NoFrequentItems, SearchTooLarge, MiningTimeout
        ``ValueError`` subclasses whose messages say what to change.

    Examples
    --------
    >>> frame = pd.DataFrame({"order_id": list("1122334"), "item": list("abababc")})
    >>> from analytics.insights.baskets import build_baskets
    >>> result = mine_rules(build_baskets(frame), min_support=0.5)
    >>> result.sentences()[0]
    'Customers who buy a also buy b: confidence 1.00, lift 1.3, 3 orders'
    """
    _check_params(min_support, max_len)
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm={algorithm!r} should be one of {list(ALGORITHMS)}.")
    if not 0 <= min_confidence <= 1:
        raise ValueError(f"min_confidence={min_confidence} should be between 0 and 1.")
    if time_limit <= 0:
        raise ValueError(f"time_limit={time_limit} should be a positive number of seconds.")
    estimate = estimate_search(baskets, min_support=min_support, max_len=max_len)
    if not estimate.fits:
        raise SearchTooLarge(estimate)
    frame = one_hot(baskets, min_support=min_support)
    names = frame.columns.to_numpy()
    n = baskets.n_baskets
    # mlxtend prunes with ceil(min_support × n), which float error can push one basket too high (7/25 × 25 > 7):
    # half a basket below the count threshold gives the same itemsets without that edge.
    between = (_min_count(min_support, n) - 0.5) / n
    started = time.perf_counter()
    found, raw = _within_time_limit(partial(_mine, frame, algorithm=algorithm, min_support=between,
                                            max_len=max_len, n_baskets=n, min_confidence=min_confidence), time_limit)
    seconds = time.perf_counter() - started
    itemsets = pd.DataFrame({
        "itemset": [_side(names, s) for s in found["itemsets"]], "size": found["itemsets"].map(len).to_numpy(),
        "support": found["support"].to_numpy(dtype=float)})
    itemsets["n_baskets"] = np.rint(itemsets["support"] * n).astype(np.int64)
    itemsets = itemsets.sort_values(["size", "support", "itemset"], ascending=[True, False, True], kind="stable")
    rules = _rules_table(raw, names, n)
    rules = rules[rules["lift"] >= min_lift].reset_index(drop=True)
    params = {"min_support": min_support, "max_len": max_len, "algorithm": algorithm,
              "min_confidence": min_confidence, "min_lift": min_lift}
    return RuleResult(baskets.kind, rules, itemsets.reset_index(drop=True), baskets.report, estimate, params,
                      seconds, _notes(rules, itemsets, estimate, min_confidence, min_lift, baskets.report))


def _rules_table(raw: pd.DataFrame | None, names: np.ndarray, n_baskets: int) -> pd.DataFrame:
    if raw is None or raw.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "n_baskets" else "str" if c in (
            "antecedent", "consequent") else "float64") for c in RULE_COLUMNS})
    table = pd.DataFrame({
        "antecedent": [_side(names, s) for s in raw["antecedents"]],
        "consequent": [_side(names, s) for s in raw["consequents"]],
        **{m: raw[m].to_numpy(dtype=float) for m in ("support", "confidence", "lift", "leverage")},
        "conviction": np.minimum(raw["conviction"].to_numpy(dtype=float), CONVICTION_CAP),
    })
    table["n_baskets"] = np.rint(table["support"] * n_baskets).astype(np.int64)
    return table.sort_values(["lift", "support", "antecedent", "consequent"], ascending=[False, False, True, True],
                             kind="stable")


def _notes(rules: pd.DataFrame, itemsets: pd.DataFrame, estimate: SearchEstimate, min_confidence: float,
           min_lift: float, report: BasketReport) -> tuple[str, ...]:
    if not rules.empty:
        return ()
    unit, n, support = estimate.unit, estimate.n_baskets, _percent(estimate.min_support)
    if report.n_single_item == report.n_baskets:
        return (f"Each of the {n:,} {unit} holds a single item, so no rule can come from them: rules need "
                f"{unit} with two or more items (an items list, or one order line per item).",)
    if not (itemsets["size"] > 1).any():
        if estimate.top_pair is None:
            return (f"No two of the items in {support} of the {unit} are ever together. "
                    "Lower min support to find rules.",)
        a, b = estimate.top_pair
        return (f"No two items are together in {support} of the {unit}: the most frequent pair of those items, "
                f"{a} and {b}, is in {_percent(estimate.top_pair_count / n)} ({estimate.top_pair_count:,} "
                f"{unit}). Lower min support to find rules.",)
    n_sets = int((itemsets["size"] > 1).sum())
    return (f"{n_sets:,} itemsets of two or more items were found, but no rule reaches confidence "
            f"{min_confidence:g} and lift {min_lift:g}. Lower either to see rules.",)


def rule_items(rule: str) -> tuple[str, ...]:
    """The items of one side of a rule ("A; B" → ("A", "B")).

    >>> rule_items("cup; tea")
    ('cup', 'tea')
    """
    return tuple(rule.split(RULE_ITEM_SEPARATOR))


def _readable(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def rule_sentences(rules: pd.DataFrame, kind: str) -> pd.Series:
    """A sentence per rule, worded for the basket kind ("Customers who buy A also buy B: confidence …").

    Examples
    --------
    >>> rules = pd.DataFrame({"antecedent": ["tea; cake"], "consequent": ["cup"], "confidence": [0.625],
    ...                       "lift": [9.24], "n_baskets": [412]})
    >>> rule_sentences(rules, "order_items").iloc[0]
    'Customers who buy tea and cake also buy cup: confidence 0.62, lift 9.2, 412 orders'
    """
    spec = basket_kind(kind)

    def sentence(row) -> str:
        unit = spec.unit if row.n_baskets != 1 else spec.unit.removesuffix("s")
        claim = spec.sentence.format(a=_readable(rule_items(row.antecedent)), c=_readable(rule_items(row.consequent)))
        return f"{claim}: confidence {row.confidence:.2f}, lift {row.lift:.1f}, {row.n_baskets:,} {unit}"

    return pd.Series([sentence(row) for row in rules.itertuples(index=False)], index=rules.index, dtype="str")


def filter_rules(rules: pd.DataFrame, item: str, *, side: str = "either") -> pd.DataFrame:
    """The rules with ``item`` in their antecedent, consequent or ``"either"`` (exact item name).

    >>> rules = pd.DataFrame({"antecedent": ["tea; cake", "cup"], "consequent": ["cup", "tea"]})
    >>> filter_rules(rules, "cake")["consequent"].tolist(), filter_rules(rules, "tea", side="consequent").index.tolist()
    (['cup'], [1])
    """
    if side not in ("either", "antecedent", "consequent"):
        raise ValueError(f"side={side!r} should be 'either', 'antecedent' or 'consequent'.")
    columns = ["antecedent", "consequent"] if side == "either" else [side]
    hit = np.zeros(len(rules), dtype=bool)
    for column in columns:
        hit |= rules[column].map(lambda text: item in rule_items(text)).to_numpy(dtype=bool)
    return rules[hit]


def _rule_codes(baskets: Baskets, antecedent: str, consequent: str) -> np.ndarray:
    names = rule_items(antecedent) + rule_items(consequent)
    codes = baskets.items.get_indexer(names)
    if (codes < 0).any():
        unknown = [name for name, code in zip(names, codes) if code < 0]
        raise ValueError(f"{unknown} are not items of these baskets; the rule comes from other data.")
    return codes


def _rule_rows(baskets: Baskets, codes: np.ndarray) -> np.ndarray:
    held = np.asarray(baskets.matrix[:, codes].sum(axis=1)).ravel()
    return np.flatnonzero(held == len(codes))


def rule_basket_ids(baskets: Baskets, antecedent: str, consequent: str) -> list[str]:
    """Ids of the baskets (orders, customers or interactions) holding every item of the rule."""
    return baskets.basket_ids[_rule_rows(baskets, _rule_codes(baskets, antecedent, consequent))].tolist()


def rule_record_ids(baskets: Baskets, antecedent: str, consequent: str) -> list[str]:
    """Record ids behind a rule: the lines of its baskets that hold one of its items (for the verbatims).

    >>> frame = pd.DataFrame({"record_id": list("wxyz"), "order_id": list("1122"), "item": ["a", "b", "a", "c"]})
    >>> from analytics.insights.baskets import build_baskets
    >>> rule_record_ids(build_baskets(frame), "a", "b")
    ['w', 'x']
    """
    codes = _rule_codes(baskets, antecedent, consequent)
    lines = baskets.lines
    mask = lines["basket"].isin(_rule_rows(baskets, codes)) & lines["item"].isin(codes)
    return list(dict.fromkeys(lines.loc[mask, "record_id"].dropna().tolist()))
