"""Tests for analytics.export.tables: formula neutralisation and CSV / XLSX / Parquet round trips."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analytics.export.tables import neutralise_formulas, to_csv_bytes, to_parquet_bytes, to_xlsx_bytes

RISKY = ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "fine", "a=b"]
SAFE = ["'=1+1", "'+cmd", "'-2+3", "'@SUM(A1)", "'\tx", "fine", "a=b"]


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": RISKY,
            "amount": [-3.5, 1.0, np.nan, 2.0, 0.0, -1.0, 7.25],
            "timestamp": pd.to_datetime(["2024-01-02 03:04:05", None, "2024-01-03 00:00:00",
                                         "2024-01-04 12:00:00", "2024-01-05 00:00:00",
                                         "2024-01-06 00:00:00", "2024-01-07 00:00:00"]),
            "mixed": [-2, "=HYPERLINK(\"http://x\")", None, "Crème brûlée", 1.5, "\rz", "ok"],
        }
    )


def test_neutralise_formulas(frame):
    before = frame.copy(deep=True)
    out = neutralise_formulas(frame)
    assert out["text"].tolist() == SAFE
    assert out["amount"].tolist()[0] == -3.5 and out["amount"].dtype == float
    assert out["mixed"].tolist()[:2] == [-2, "'=HYPERLINK(\"http://x\")"]
    assert out["mixed"].tolist()[5] == "'\rz"
    pd.testing.assert_frame_equal(frame, before)  # input not mutated


def test_neutralise_categorical_and_headers():
    frame = pd.DataFrame({"=bad": pd.Categorical(["-a", "b"])})
    out = neutralise_formulas(frame)
    assert out.columns.tolist() == ["'=bad"]
    assert out.iloc[:, 0].tolist() == ["'-a", "b"]


def test_csv_round_trip(frame):
    data = to_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back.columns.tolist() == ["text", "amount", "timestamp", "mixed"]
    assert back["text"].tolist() == SAFE
    assert back["amount"].tolist()[0] == -3.5
    assert back["mixed"].tolist()[3] == "Crème brûlée"
    assert back["timestamp"].tolist()[0] == "2024-01-02 03:04:05"


def test_xlsx_round_trip(frame):
    data = to_xlsx_bytes(frame, sheet_name="Rows")
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook["Rows"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("text", "amount", "timestamp", "mixed")
    assert [r[0] for r in rows[1:]] == SAFE
    assert rows[1][1] == -3.5 and isinstance(rows[1][1], float)
    assert rows[3][1] is None  # NaN → empty cell
    assert rows[1][2] == pd.Timestamp("2024-01-02 03:04:05").to_pydatetime()
    assert sheet.cell(row=2, column=3).is_date
    assert rows[2][2] is None  # NaT → empty cell
    assert rows[1][3] == -2 and rows[4][3] == "Crème brûlée"
    # Nothing was stored as a formula.
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    back = pd.read_excel(io.BytesIO(data), sheet_name="Rows")
    assert back["text"].tolist() == SAFE
    assert pd.api.types.is_datetime64_any_dtype(back["timestamp"])


def test_xlsx_timezone_aware_dates_become_utc():
    frame = pd.DataFrame({"t": pd.to_datetime(["2024-01-01 10:00"]).tz_localize("Europe/Paris")})
    rows = list(openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active.iter_rows(values_only=True))
    assert rows[1][0] == pd.Timestamp("2024-01-01 09:00").to_pydatetime()


def test_xlsx_default_sheet_name_and_bad_names(frame):
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame)))
    assert workbook.sheetnames == ["Gapsight"]
    for bad in ["", "x" * 32, "a/b", "q?"]:
        with pytest.raises(ValueError, match="sheet_name="):
            to_xlsx_bytes(frame, sheet_name=bad)


def test_empty_frames_export():
    empty = pd.DataFrame({"a": pd.Series(dtype="str")})
    assert pd.read_csv(io.BytesIO(to_csv_bytes(empty)), encoding="utf-8-sig").columns.tolist() == ["a"]
    rows = list(openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(empty))).active.iter_rows(values_only=True))
    assert rows == [("a",)]


def test_parquet_round_trip_keeps_types_and_writes_mixed_columns_as_text(frame):
    back = pd.read_parquet(io.BytesIO(to_parquet_bytes(frame)))
    assert back.columns.tolist() == ["text", "amount", "timestamp", "mixed"]
    assert back["text"].tolist() == SAFE
    assert back["amount"].dtype == float and back["amount"].tolist()[0] == -3.5
    assert pd.api.types.is_datetime64_any_dtype(back["timestamp"]) and back["timestamp"].isna().sum() == 1
    mixed = back["mixed"].tolist()
    assert mixed[:2] == ["-2", "'=HYPERLINK(\"http://x\")"] and pd.isna(mixed[2]) and mixed[3] == "Crème brûlée"


def test_text_numbers_stay_numbers_but_formulas_are_neutralised():
    frame = pd.DataFrame({"a": ["-3.5", "+2", "-1+1", "=SUM(A1)", "@x", "\t=1"]})
    for data in (frame, frame.astype("string")):
        assert neutralise_formulas(data)["a"].tolist() == ["-3.5", "+2", "'-1+1", "'=SUM(A1)", "'@x", "'\t=1"]


def test_streamlit_table_toolbar_export_is_disabled():
    config = (Path(__file__).resolve().parents[3] / ".streamlit" / "config.toml").read_text()
    assert "disableDataExport = true" in config
