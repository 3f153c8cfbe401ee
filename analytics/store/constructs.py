"""Survey constructs mapped on the Data page: which source columns measure expectation and experience.

An ECSI-style survey asks several items per construct (expe1–expe5, sat1–sat4), each on its own
scale. The mapping lives beside the dataset, not in its rows, so it can change without a re-import.
"""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analytics.insights.constructs import Construct, ConstructItem
from analytics.store.database import Store, insert_frame

CONSTRUCT_NAMES = ("expectation", "experience")


def _create_table(cur) -> None:
    cur.execute("""CREATE TABLE IF NOT EXISTS survey_constructs (
        dataset_id VARCHAR, construct VARCHAR, position INTEGER, column_name VARCHAR, low DOUBLE, high DOUBLE)""")


def save_constructs(store: Store, dataset_id: str, constructs: Sequence[Construct]) -> None:
    """Replace the dataset's constructs (an empty sequence clears them)."""
    store.get_dataset(dataset_id)
    names = [c.name for c in constructs]
    if len(set(names)) < len(names):
        raise ValueError(f"Each construct is saved once; {names} repeats one. Put all its items in one construct.")
    for construct in constructs:
        if construct.name not in CONSTRUCT_NAMES:
            raise ValueError(f"A construct is 'expectation' or 'experience', not {construct.name!r}.")
        for item in construct.items:
            if not item.high > item.low:
                raise ValueError(f"Column '{item.column}': the top of its scale ({item.high:g}) must be above "
                                 f"the bottom ({item.low:g}).")
    rows = pd.DataFrame([{"dataset_id": dataset_id, "construct": c.name, "position": i, "column_name": item.column,
                          "low": float(item.low), "high": float(item.high)}
                         for c in constructs for i, item in enumerate(c.items)],
                        columns=["dataset_id", "construct", "position", "column_name", "low", "high"])
    with store.write() as cur:
        _create_table(cur)
        cur.execute("DELETE FROM survey_constructs WHERE dataset_id = ?", [dataset_id])
        if len(rows):
            insert_frame(cur, "survey_constructs", rows)


def load_constructs(store: Store, dataset_id: str) -> tuple[Construct, ...]:
    """The dataset's saved constructs (expectation first), or () when none are mapped."""
    cur = store.cursor()
    if not cur.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'survey_constructs'").fetchone()[0]:
        return ()
    rows = cur.execute("SELECT construct, column_name, low, high FROM survey_constructs WHERE dataset_id = ? "
                       "ORDER BY construct, position", [dataset_id]).fetchall()
    items: dict[str, list[ConstructItem]] = {}
    for name, column, low, high in rows:
        items.setdefault(name, []).append(ConstructItem(column, float(low), float(high)))
    return tuple(Construct(name, tuple(items[name])) for name in CONSTRUCT_NAMES if name in items)


def delete_constructs(store: Store, dataset_id: str) -> None:
    """Forget a dataset's constructs (it was deleted); opens its own transaction."""
    with store.write() as cur:
        _create_table(cur)
        cur.execute("DELETE FROM survey_constructs WHERE dataset_id = ?", [dataset_id])
