"""Rows stored before a canonical field existed (here advertised) still load with every stored column."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.schema import STORED_COLUMNS
from analytics.store.database import quote_identifier, rows_table
from tests.analytics.ingest.test_pipeline import _import, _write

CSV = (
    "id,review,stars,expected,advertised\n"
    "1,Great value,5,4,4.6\n"
    "2,Broke in a day,1,5,4.2\n"
    "3,Does the job,3,3,3.0\n"
)


@pytest.fixture
def old_dataset(store, tmp_path) -> str:
    """A dataset whose rows table lacks advertised and advertised_raw, as one stored before they existed."""
    dataset_id = _import(store, _write(tmp_path, "old.csv", CSV)).dataset_id
    table = quote_identifier(rows_table(dataset_id))
    with store.write() as cur:
        for column in ("advertised", "advertised_raw"):
            cur.execute(f"ALTER TABLE {table} DROP COLUMN {quote_identifier(column)}")
        names = {r[0] for r in cur.execute(f"DESCRIBE {table}").fetchall()}
    assert not names & {"advertised", "advertised_raw"}
    return dataset_id


def test_load_rows_adds_the_missing_columns_as_nan_floats(store, old_dataset):
    rows = store.load_rows(old_dataset)
    assert set(STORED_COLUMNS) <= set(rows.columns)
    assert len(rows.columns) == len(STORED_COLUMNS)
    for column in ("advertised", "advertised_raw"):
        assert rows[column].dtype == np.float64
        assert rows[column].isna().all()
    # Arithmetic on them works as on a column that is merely empty.
    assert (rows["rating"] - rows["advertised"]).isna().all()


def test_the_columns_that_exist_are_read_unchanged(store, old_dataset):
    rows = store.load_rows(old_dataset)
    assert rows["_row"].tolist() == [1, 2, 3]
    assert rows["record_id"].tolist() == ["1", "2", "3"]
    assert rows["rating"].tolist() == [1.0, 0.0, 0.5]
    assert rows["expected_raw"].tolist() == [4.0, 5.0, 3.0]
    assert rows["expected"].tolist() == [0.75, 1.0, 0.5]


def test_a_current_dataset_keeps_its_advertised_values(store, tmp_path):
    dataset_id = _import(store, _write(tmp_path, "new.csv", CSV)).dataset_id
    rows = store.load_rows(dataset_id)
    assert list(rows.columns) == list(STORED_COLUMNS)
    assert rows["advertised_raw"].tolist() == [4.6, 4.2, 3.0]
    np.testing.assert_allclose(rows["advertised"], [0.9, 0.8, 0.5])


def test_rows_from_an_old_and_a_new_dataset_stack_by_name(store, old_dataset, tmp_path):
    new_id = _import(store, _write(tmp_path, "new.csv", CSV.replace("Great value", "Great value!"))).dataset_id
    old, new = store.load_rows(old_dataset), store.load_rows(new_id)
    stacked = pd.concat([old, new], ignore_index=True)[list(STORED_COLUMNS)]
    assert stacked["advertised_raw"].isna().tolist() == [True] * 3 + [False] * 3
    assert stacked["advertised"].dtype == np.float64


def test_rows_stored_before_languages_were_detected_get_them_on_load(store, tmp_path):
    dataset_id = _import(store, _write(tmp_path, "zh.csv", "id,review,stars\n1,房间很干净,5\n2,Great value,4\n"
                                                            "3,,3\n")).dataset_id
    with store.write() as cur:
        cur.execute(f"ALTER TABLE {quote_identifier(rows_table(dataset_id))} DROP COLUMN language")
    rows = store.load_rows(dataset_id)
    assert rows["language"].tolist() == ["zh", "en", ""]
    assert list(rows.columns) == list(STORED_COLUMNS)
