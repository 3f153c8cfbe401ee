"""The CLI's output writer: scored CSV is neutralised for spreadsheets, Parquet keeps the values for re-import."""
from __future__ import annotations

import csv

import pandas as pd

from models.flows.files import table_writer


def test_scored_csv_neutralises_formulas_and_keeps_negative_numbers(tmp_path):
    out = tmp_path / "scored.csv"
    with table_writer(out) as append:
        append(pd.DataFrame({"text": ["=1+1 bad", "fine"], "score": [-0.5, 0.25]}))
        append(pd.DataFrame({"text": ["@SUM(A1)", "-3"], "score": [0.1, -1.0]}))
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows == [["text", "score"], ["'=1+1 bad", "-0.5"], ["fine", "0.25"], ["'@SUM(A1)", "0.1"], ["-3", "-1.0"]]


def test_scored_parquet_keeps_the_text_as_it_was(tmp_path):
    out = tmp_path / "scored.parquet"
    with table_writer(out) as append:
        append(pd.DataFrame({"text": ["=1+1 bad"], "score": [-0.5]}))
    assert pd.read_parquet(out)["text"].tolist() == ["=1+1 bad"]  # typed data for pipelines and the app's import
