"""Saved alert scans: the alerts of the latest scan per dataset version, with the parameters that made them."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from analytics.store.database import Store, insert_frame, now_utc

# The columns of analytics.insights.alerts.SCAN_COLUMNS, as stored (the store never imports insights).
ALERT_COLUMNS = ("metric", "metric_label", "kind", "slice_column", "slice_value", "period", "expected", "lower",
                 "upper", "actual", "direction", "severity", "n")
_SQL_TYPES = {"period": "TIMESTAMP", "expected": "DOUBLE", "lower": "DOUBLE", "upper": "DOUBLE", "actual": "DOUBLE",
              "severity": "DOUBLE", "n": "BIGINT"}


@dataclass(frozen=True)
class SavedAlerts:
    """One stored scan: its alerts (most severe first) and how it was run."""

    scan_id: str
    dataset_id: str
    dataset_version: int
    params: dict
    created_at: datetime
    alerts: pd.DataFrame


def _create_tables(cur) -> None:
    # Created on first use, so that the store's catalog stays the one place of the core tables.
    cur.execute("""CREATE TABLE IF NOT EXISTS alert_scans (
                   scan_id VARCHAR PRIMARY KEY, dataset_id VARCHAR, dataset_version INTEGER, params VARCHAR,
                   created_at TIMESTAMP)""")
    columns = ", ".join(f'"{c}" {_SQL_TYPES.get(c, "VARCHAR")}' for c in ALERT_COLUMNS)
    cur.execute(f"CREATE TABLE IF NOT EXISTS scan_alerts (scan_id VARCHAR, {columns})")


def save_alerts(store: Store, dataset_id: str, version: int, alerts: pd.DataFrame, params: dict) -> str:
    """Store a scan's alerts (``ScanResult.alerts``) and parameters, replacing earlier scans of that dataset
    version; return the new scan's id.

    Raises
    ------
    ValueError
        ``alerts`` lacks a column a scan gives.
    """
    missing = [c for c in ALERT_COLUMNS if c not in alerts.columns]
    if missing:
        raise ValueError(f"These alerts lack the columns {missing}; pass the alerts of a scan.")
    scan_id = f"scan-{uuid.uuid4().hex[:10]}"
    rows = alerts[list(ALERT_COLUMNS)].copy()
    rows["period"] = pd.to_datetime(rows["period"])
    rows["n"] = rows["n"].astype("int64")
    for column in ("metric", "metric_label", "kind", "slice_column", "slice_value", "direction"):
        rows[column] = rows[column].astype(str)
    rows.insert(0, "scan_id", scan_id)
    with store.write() as cur:
        _create_tables(cur)
        cur.execute("DELETE FROM scan_alerts WHERE scan_id IN (SELECT scan_id FROM alert_scans "
                    "WHERE dataset_id = ? AND dataset_version = ?)", [dataset_id, int(version)])
        cur.execute("DELETE FROM alert_scans WHERE dataset_id = ? AND dataset_version = ?", [dataset_id, int(version)])
        cur.execute("INSERT INTO alert_scans VALUES (?, ?, ?, ?, ?)",
                    [scan_id, dataset_id, int(version), json.dumps(params, default=str), now_utc()])
        if len(rows):
            insert_frame(cur, "scan_alerts", rows)
    return scan_id


def _exists(store: Store) -> bool:
    found = store.cursor().execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'alert_scans'").fetchone()
    return bool(found[0])


def load_alerts(store: Store, dataset_id: str, version: int | None = None) -> SavedAlerts | None:
    """The latest scan of a dataset version (of any version when None), or None when there is none."""
    if not _exists(store):
        return None
    sql = "SELECT scan_id, dataset_id, dataset_version, params, created_at FROM alert_scans WHERE dataset_id = ?"
    args: list = [dataset_id]
    if version is not None:
        sql += " AND dataset_version = ?"
        args.append(int(version))
    row = store.cursor().execute(sql + " ORDER BY created_at DESC LIMIT 1", args).fetchone()
    if row is None:
        return None
    scan_id, dataset, dataset_version, params, created = row
    columns = ", ".join(f'"{c}"' for c in ALERT_COLUMNS)
    alerts = store.cursor().execute(
        f"SELECT {columns} FROM scan_alerts WHERE scan_id = ? ORDER BY severity DESC, period", [scan_id]).df()
    return SavedAlerts(scan_id, dataset, int(dataset_version), json.loads(params), created, alerts)


def delete_alerts(store: Store, dataset_id: str) -> int:
    """Delete every saved scan of a dataset (all versions); return how many scans went."""
    if not _exists(store):
        return 0
    with store.write() as cur:
        count = cur.execute("SELECT count(*) FROM alert_scans WHERE dataset_id = ?", [dataset_id]).fetchone()[0]
        cur.execute("DELETE FROM scan_alerts WHERE scan_id IN (SELECT scan_id FROM alert_scans WHERE dataset_id = ?)",
                    [dataset_id])
        cur.execute("DELETE FROM alert_scans WHERE dataset_id = ?", [dataset_id])
    return int(count)
