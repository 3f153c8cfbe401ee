"""The DuckDB store: persistence, all-or-nothing writes, concurrent readers and writers."""
from __future__ import annotations

import threading

import pandas as pd
import pytest

from analytics.store.database import (
    DatasetInfo,
    Store,
    create_rejects_table,
    create_rows_table,
    insert_dataset_row,
    now_utc,
    rows_table,
)


def _add_dataset(store: Store, dataset_id: str, n_rows: int, *, fail_after_rows: bool = False) -> None:
    now = now_utc()
    with store.write() as cur:
        create_rows_table(cur, rows_table(dataset_id))
        create_rejects_table(cur, f"rejects_{dataset_id}")
        frame = pd.DataFrame({"_row": range(1, n_rows + 1), "record_id": [f"r{i}" for i in range(n_rows)]})
        cur.register("incoming", frame)
        cur.execute(f"INSERT INTO {rows_table(dataset_id)} (_row, record_id) SELECT * FROM incoming")
        if fail_after_rows:
            raise RuntimeError("simulated crash half-way through an import")
        insert_dataset_row(cur, DatasetInfo(id=dataset_id, name=dataset_id, source_name="x.csv",
                                            source_sha256=dataset_id, created_at=now, updated_at=now,
                                            version=1, n_rows=n_rows, n_rejected=0))


def test_data_survives_close_and_reopen(tmp_path):
    path = tmp_path / "g.duckdb"
    first = Store(path)
    _add_dataset(first, "dsone", 5)
    first.set_setting("colour", "blue")
    first.close()
    again = Store(path)
    assert [d.id for d in again.list_datasets()] == ["dsone"]
    assert len(again.load_rows("dsone")) == 5
    assert again.get_setting("colour") == "blue"


def test_a_write_that_raises_half_way_leaves_nothing(store):
    _add_dataset(store, "dskeep", 3)
    with pytest.raises(RuntimeError):
        _add_dataset(store, "dsbroken", 10, fail_after_rows=True)
    assert [d.id for d in store.list_datasets()] == ["dskeep"]
    tables = {row[0] for row in store.cursor().execute("SHOW TABLES").fetchall()}
    assert rows_table("dsbroken") not in tables
    assert len(store.load_rows("dskeep")) == 3


def test_rename_and_delete(store):
    _add_dataset(store, "dsa", 2)
    _add_dataset(store, "dsb", 2)
    store.rename_dataset("dsa", "  Reviews 2024  ")
    assert store.get_dataset("dsa").name == "Reviews 2024"
    with pytest.raises(ValueError, match="empty"):
        store.rename_dataset("dsa", "   ")
    store.delete_dataset("dsa")
    assert [d.id for d in store.list_datasets()] == ["dsb"]
    with pytest.raises(ValueError, match="does not exist"):
        store.load_rows("dsa")
    tables = {row[0] for row in store.cursor().execute("SHOW TABLES").fetchall()}
    assert rows_table("dsa") not in tables and rows_table("dsb") in tables


def test_concurrent_writers_and_readers_lose_nothing(store):
    errors: list[BaseException] = []
    seen_counts: list[int] = []

    def writer(start: int) -> None:
        try:
            for i in range(start, start + 10):
                _add_dataset(store, f"ds{i:03d}", 50)
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    def reader() -> None:
        try:
            for _ in range(40):
                datasets = store.list_datasets()
                for info in datasets[:3]:
                    # Every dataset a reader can see is complete: never half written.
                    assert len(store.load_rows(info.id)) == 50
                seen_counts.append(len(datasets))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(s,)) for s in (0, 100)]
    threads += [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store.list_datasets()) == 20
    assert sum(len(store.load_rows(d.id)) for d in store.list_datasets()) == 1000
    assert seen_counts == sorted(seen_counts) or max(seen_counts) <= 20


def test_second_process_gets_a_clear_message(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "locked.duckdb"
    holder = Store(path)
    code = ("import sys; from analytics.store.database import Store\n"
            "try:\n    Store(sys.argv[1])\nexcept ValueError as e:\n    print('MESSAGE', e)\n")
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                            cwd=str(__import__('pathlib').Path(__file__).resolve().parents[3]), timeout=60)
    holder.close()
    assert "MESSAGE" in result.stdout and "GAPSIGHT_HOME" in result.stdout


def test_tables_of_an_interrupted_import_are_dropped_on_open(tmp_path):
    """An import killed half-way leaves tables without a catalog row; reopening removes them."""
    path = tmp_path / "crash.duckdb"
    first = Store(path)
    _add_dataset(first, "ds0000000001", 3)
    with first.write() as cur:  # what a killed import leaves: committed chunks, no catalog row
        create_rows_table(cur, rows_table("ds00000000ff"))
        cur.execute("CREATE TABLE raw_ds00000000ff (_row BIGINT)")
        create_rows_table(cur, rows_table("ds0000000001") + "_next")  # a re-map cut short
    first.close()
    again = Store(path)
    tables = {row[0] for row in again.cursor().execute("SHOW TABLES").fetchall()}
    assert tables >= {"rows_ds0000000001", "rejects_ds0000000001"}
    assert not {"rows_ds00000000ff", "raw_ds00000000ff", "rows_ds0000000001_next"} & tables
    assert len(again.load_rows("ds0000000001")) == 3
