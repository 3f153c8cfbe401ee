"""Offline check of the product recommendations: hit rate @k against a popularity baseline.

Measuring is a job apart from recommending (:mod:`analytics.insights.item_cf`): each customer's last order is
held out, the similarity refitted on the rest, and CF counts only when it beats simply offering the best sellers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.insights.item_cf import (
    _batch_size,
    _entry_keys,
    _matrix_of,
    _order_lines,
    _require_customers,
    _top_k,
    item_similarity,
)


@dataclass(frozen=True)
class HitRateResult:
    """Offline evaluation: hit rate @k on each customer's last order, CF against popularity.

    Attributes
    ----------
    cf_hit_rate, popularity_hit_rate : float
        Share of the evaluated customers whose last order holds at least one of their top-``k`` items.
    n_customers : int
        Customers evaluated (the same ones for both methods).
    k : int
    note : str
        Which customers were evaluated and which were skipped, and why.
    n_skipped_few_orders : int
        Customers with fewer than ``min_baskets`` orders.
    n_skipped_repeats : int
        Customers whose last order holds only items they had bought before (no new item can be hit).
    """

    cf_hit_rate: float
    popularity_hit_rate: float
    n_customers: int
    k: int
    note: str
    n_skipped_few_orders: int = 0
    n_skipped_repeats: int = 0

    @property
    def lift_over_popularity(self) -> float:
        """CF hit rate / popularity hit rate (inf when popularity never hits)."""
        return self.cf_hit_rate / self.popularity_hit_rate if self.popularity_hit_rate else float("inf")


def evaluate_hit_rate(rows: pd.DataFrame, *, k: int = 10, min_baskets: int = 2, customer: str = "customer_id",
                      order: str = "order_id", timestamp: str = "timestamp", item_source: str = "item",
                      shrink: float = 10.0, weighting: str = "inverse", neighbours: int | None = None
                      ) -> HitRateResult:
    """Hit rate @k of item-based CF against a popularity baseline, each customer's last order held out.

    For each customer with at least ``min_baskets`` orders, the last order (by its earliest timestamp;
    ``order`` groups the lines) is held out. The purchase matrix and similarity are fitted on all the other
    lines (every customer's earlier orders, customers with one order included). Each method then ranks
    ``k`` items the customer had not bought; a hit is any item of the held-out order among them. The
    popularity baseline ranks items by their purchase count in the training lines. Customers whose last
    order holds only items they had bought before are skipped (neither method could hit), and counted.
    Orders without a timestamp are not counted as orders; their lines stay in the training data.

    Parameters
    ----------
    rows : DataFrame
        Canonical rows with a customer, an order (optional: without it each distinct timestamp of a
        customer is one order), a timestamp and an item or product column.
    k, min_baskets : int
    customer, order, timestamp, item_source : str
        Column names and the item source, as in :func:`~analytics.insights.item_cf.purchase_matrix`.
    shrink, weighting, neighbours
        As in :func:`~analytics.insights.item_cf.item_similarity`.

    Raises
    ------
    ValueError
        Missing columns, or no customer with ``min_baskets`` orders and a new item in the last one.
    """
    if k < 1:
        raise ValueError(f"k={k} should be at least 1.")
    if min_baskets < 2:
        raise ValueError(f"min_baskets={min_baskets} should be at least 2: one order is held out, one or more "
                         "must remain to learn from.")
    _require_customers(rows, customer)
    if timestamp not in rows.columns:
        raise ValueError(f"The hit-rate evaluation needs a timestamp column ({timestamp!r}) to know which order "
                         "of each customer is the last.")
    times = pd.to_datetime(rows[timestamp], errors="coerce").reset_index(drop=True)
    by_order = order if order in rows.columns else None
    frame = rows if by_order is not None else rows.assign(**{"__order": times.astype("string").to_numpy()})
    lines = _order_lines(frame, customer=customer, item_source=item_source, order=by_order or "__order")
    line_time = times.to_numpy()[lines.row]
    orders = pd.DataFrame({"customer": lines.customer, "order": lines.order, "time": line_time})
    orders = orders.groupby(["customer", "order"], as_index=False, sort=False)["time"].min()
    orders = orders[orders["time"].notna()].sort_values(["customer", "time", "order"], kind="stable")
    n_orders = orders.groupby("customer")["order"].size()
    n_customers = len(lines.customers)
    eligible = n_orders.index[n_orders >= min_baskets].to_numpy()
    last = orders.drop_duplicates("customer", keep="last").set_index("customer")["order"]
    held_order = np.full(n_customers, -1, dtype=np.int64)
    held_order[eligible] = last.reindex(eligible).to_numpy(dtype=np.int64)
    held = held_order[lines.customer] == lines.order
    train = _matrix_of(lines, ~held)
    owned = train.binary()
    # targets: items of the held-out order the customer had not bought before
    target_customer, target_item = lines.customer[held], lines.item[held]
    n_items = len(train.items)
    new = ~np.isin(target_customer * n_items + target_item, _entry_keys(owned))
    target_customer, target_item = target_customer[new], target_item[new]
    evaluated = np.unique(target_customer)
    n_few = n_customers - len(eligible)
    n_repeats = len(eligible) - len(evaluated)
    if not len(evaluated):
        raise ValueError(
            f"No customer qualifies for the hit-rate evaluation: it holds out each customer's last order, so it "
            f"needs customers with {min_baskets} or more orders whose last order holds an item they had not "
            f"bought before. Of {n_customers:,} customers, {n_few:,} have fewer than {min_baskets} orders and "
            f"{n_repeats:,} repeat earlier items only.")
    similarity = item_similarity(train, shrink=shrink, weighting=weighting, neighbours=neighbours)
    popularity = np.asarray(train.matrix.sum(axis=0)).ravel().astype(np.float64)
    targets = np.unique(target_customer * n_items + target_item)
    hits = {"cf": 0, "popularity": 0}
    step = _batch_size(n_items)
    for start in range(0, len(evaluated), step):
        batch = evaluated[start:start + step]
        mine = owned[batch]
        bought = mine.nonzero()
        cf = (mine @ similarity).toarray()
        cf[bought] = 0.0
        popular = np.broadcast_to(popularity, cf.shape).copy()
        popular[bought] = 0.0
        for scores, method in ((cf, "cf"), (popular, "popularity")):
            top = _top_k(scores, k)
            valid = np.take_along_axis(scores, top, axis=1) > 0
            codes = batch[:, None] * n_items + top
            hits[method] += int((np.isin(codes, targets) & valid).any(axis=1).sum())
    n = len(evaluated)
    note = (f"{n:,} customers evaluated on their last order (the same for both methods); skipped: {n_few:,} with "
            f"fewer than {min_baskets} orders and {n_repeats:,} whose last order repeats earlier items only.")
    return HitRateResult(hits["cf"] / n, hits["popularity"] / n, n, k, note, n_few, n_repeats)
