"""Mined association rules per dataset and basket kind, kept as rows so that recommendations can query them.

One rule set per (dataset, basket kind): saving replaces the earlier one, and the dataset version it
was mined on is kept with it, so a reader can tell rules mined before a re-map.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from analytics.store.database import Store, insert_frame, now_utc

# The columns of analytics.insights.rules.RULE_COLUMNS; a test keeps them equal (the store does not import mlxtend).
RULE_COLUMNS = ("antecedent", "consequent", "support", "confidence", "lift", "leverage", "conviction", "n_baskets")
_METRICS = ("support", "confidence", "lift", "leverage", "conviction")


@dataclass(frozen=True, eq=False)
class StoredRules:
    """The latest rules saved for one dataset and basket kind, with what produced them."""

    dataset_id: str
    basket_kind: str
    version: int
    params: dict
    created_at: datetime
    rules: pd.DataFrame  # RULE_COLUMNS, in the order they were saved


def _create_tables(cur) -> None:
    cur.execute("""CREATE TABLE IF NOT EXISTS association_rule_sets (
        dataset_id VARCHAR, basket_kind VARCHAR, version INTEGER, params VARCHAR, created_at TIMESTAMP,
        PRIMARY KEY (dataset_id, basket_kind))""")
    cur.execute("""CREATE TABLE IF NOT EXISTS association_rules (
        dataset_id VARCHAR, basket_kind VARCHAR, rank INTEGER, antecedent VARCHAR, consequent VARCHAR,
        support DOUBLE, confidence DOUBLE, lift DOUBLE, leverage DOUBLE, conviction DOUBLE, n_baskets BIGINT)""")


def save_rules(store: Store, dataset_id: str, version: int, basket_kind: str, rules_frame: pd.DataFrame,
               params: Mapping[str, object]) -> int:
    """Store ``rules_frame`` (as :func:`analytics.insights.rules.mine_rules` returns it); return how many rules.

    Raises
    ------
    ValueError
        A column is missing, or a metric is not finite (conviction is capped before it gets here).
    """
    missing = [c for c in RULE_COLUMNS if c not in rules_frame.columns]
    if missing:
        raise ValueError(f"The rules table lacks the columns {missing}; save what mine_rules returns.")
    metrics = rules_frame[list(_METRICS)].to_numpy(dtype=float)
    if not np.isfinite(metrics).all():
        raise ValueError("Rule metrics must be finite numbers; cap conviction before saving.")
    rows = pd.DataFrame({"dataset_id": dataset_id, "basket_kind": basket_kind,
                         "rank": np.arange(1, len(rules_frame) + 1, dtype=np.int32),
                         "antecedent": rules_frame["antecedent"].astype(str).to_numpy(),
                         "consequent": rules_frame["consequent"].astype(str).to_numpy(),
                         **{m: rules_frame[m].to_numpy(dtype=float) for m in _METRICS},
                         "n_baskets": rules_frame["n_baskets"].to_numpy(dtype=np.int64)})
    with store.write() as cur:
        _create_tables(cur)
        _delete(cur, dataset_id, basket_kind)
        cur.execute("INSERT INTO association_rule_sets VALUES (?, ?, ?, ?, ?)",
                    [dataset_id, basket_kind, int(version), json.dumps(dict(params), sort_keys=True, default=str),
                     now_utc()])
        if len(rows):
            insert_frame(cur, "association_rules", rows)
    return len(rows)


def load_rules(store: Store, dataset_id: str, basket_kind: str) -> StoredRules | None:
    """The rules saved for this dataset and kind, or None when none were."""
    cur = store.cursor()
    if not cur.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'association_rule_sets'").fetchone()[0]:
        return None  # nothing was ever saved in this store
    key = [dataset_id, basket_kind]
    head = cur.execute("SELECT version, params, created_at FROM association_rule_sets "
                       "WHERE dataset_id = ? AND basket_kind = ?", key).fetchone()
    if head is None:
        return None
    rules = cur.execute(f"SELECT {', '.join(RULE_COLUMNS)} FROM association_rules "
                        "WHERE dataset_id = ? AND basket_kind = ? ORDER BY rank", key).df()
    version, params, created_at = head
    return StoredRules(dataset_id, basket_kind, int(version), json.loads(params), created_at, rules)


def _delete(cur, dataset_id: str, basket_kind: str | None) -> int:
    where, args = "dataset_id = ?", [dataset_id]
    if basket_kind is not None:
        where, args = where + " AND basket_kind = ?", args + [basket_kind]
    n = cur.execute(f"SELECT count(*) FROM association_rule_sets WHERE {where}", args).fetchone()[0]
    cur.execute(f"DELETE FROM association_rules WHERE {where}", args)
    cur.execute(f"DELETE FROM association_rule_sets WHERE {where}", args)
    return int(n)


def delete_rules(store: Store, dataset_id: str, basket_kind: str | None = None) -> int:
    """Remove a dataset's rules (of one kind, or all kinds); return how many rule sets went.

    Call it outside another ``store.write()`` block: it opens its own transaction.
    """
    with store.write() as cur:
        _create_tables(cur)
        return _delete(cur, dataset_id, basket_kind)
