"""Every download the app offers, built from a dataset whose text starts with spreadsheet formulas, is neutralised.

The pages run under AppTest with ``download_button`` recorded: each button's data (deferred ones built as a click
would) is read back as the user's spreadsheet would read it. CSV cells and XLSX strings starting with ``=``, ``+``,
``-``, ``@``, tab or CR carry a leading apostrophe unless they are plain numbers; XLSX holds no formula cell;
negative numbers stay numbers; the HTML report escapes markup and neutralises its table cells (Excel opens .html
files as sheets).
"""
from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from analytics.export.tables import FORMULA_PREFIXES
from analytics.ingest.pipeline import import_file
from analytics.ingest.readers import profile_file
from analytics.store.database import Store
from pages.common import keys
from tests.conftest import as_home, private_copy
from tests.pages.test_pages import APP

FORMULAS = ("=1+1", "+SUM(A1:A2)", "-2+3", "@SUM(1)", "\t=1+2", "=HYPERLINK(\"https://evil.example\",\"x\")",
            "-cmd|' /C calc'!A0", "<script>alert(1)</script>")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
WORDS = ("late delivery and a rude agent", "great service, quick refund", "the app crashed at checkout",
         "love the new blender", "price too high for the quality", "parcel arrived broken")


def write_formula_csv(path: Path, n: int = 480) -> Path:
    """Reviews whose text, customer, product, category, channel and item values start with formulas (and a category
    "-5", a number), plus rows whose rating is a formula (rejected: the rejects download quotes them)."""
    rng = np.random.default_rng(7)
    k = len(FORMULAS)
    frame = pd.DataFrame({
        "id": [f"r{i}" for i in range(n)],
        "comment": [f"{FORMULAS[i % k]} {WORDS[i % 6]}" for i in range(n)],
        "stars": rng.integers(1, 6, n).astype(str),
        "date": [(pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(i * 0.8))).date().isoformat() for i in range(n)],
        "customer": [f"{FORMULAS[i % k]}{i % 25}" for i in range(n)],
        "product": [FORMULAS[(i // 2) % k] for i in range(n)],
        "category": [(*FORMULAS, "-5")[(i // 3) % (k + 1)] for i in range(n)],  # "-5": a number, kept as one
        "channel": [FORMULAS[(i // 5) % k] for i in range(n)],
        "amount": rng.integers(5, 100, n).astype(float),
        "order": [f"o{i // 3}" for i in range(n)],
        "item": [FORMULAS[(i * 3) % k] for i in range(n)],
    })
    frame.loc[frame.index % 40 == 0, "stars"] = "=1+1"  # unreadable ratings: rejected with their raw values
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def formula_template(tmp_path_factory) -> Path:
    with as_home(tmp_path_factory.mktemp("formulas") / "home") as home:
        store = Store.open_default()
        store.set_setting("demo_seeded", "yes")
        profile = profile_file(write_formula_csv(home.parent / "formulas.csv"))
        mapping = {"record_id": "id", "text": "comment", "rating": "stars", "timestamp": "date",
                   "customer_id": "customer", "product": "product", "category": "category", "channel": "channel",
                   "amount": "amount", "order_id": "order", "item": "item"}
        report = import_file(store, profile, mapping, name="=cmd|' /C calc'!A0 reviews")
        assert report.rows_rejected > 0 and report.rows_imported > 400
        store.close()
    return home


@pytest.fixture
def downloads(formula_template, tmp_path, monkeypatch) -> dict[str, bytes]:
    """The formula home, and every download button's bytes by "key/file name" as the pages draw them."""
    private_copy(formula_template, tmp_path / "home", monkeypatch)
    built: dict[str, bytes] = {}
    original = DeltaGenerator.download_button

    def recording(self, label, data, file_name=None, *args, **kwargs):
        payload = data() if callable(data) else data
        built[f"{kwargs.get('key')}/{file_name}"] = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
        return original(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    monkeypatch.setattr(st, "download_button", lambda *args, **kwargs: recording(st._main, *args, **kwargs))
    return built


def _visit_every_download(built: dict[str, bytes]) -> None:
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()  # Overview: verbatims and the HTML report
    assert not at.exception, at.exception
    for page, action in ((keys.SENTIMENT_PAGE, None), (keys.DATA_PAGE, None), (keys.RECOMMENDATIONS_PAGE, None),
                         (keys.SEGMENTS_PAGE, "Run segmentation"), (keys.ASSOCIATIONS_PAGE, "Mine rules")):
        at.switch_page(page).run()
        assert not at.exception, at.exception
        if page == keys.RECOMMENDATIONS_PAGE:  # only the open tab runs; every channel takes replies
            at.session_state[keys.REC_TAB] = "Reply strategies"
            at.run()
            channels = at.multiselect(key="reply_channels")
            channels.set_value(channels.options).run()
            assert not at.exception, at.exception
        if page == keys.ASSOCIATIONS_PAGE:
            next(n for n in at.number_input if n.label.startswith("Min support")).set_value(0.05)
        if action:
            next(b for b in at.button if b.label == action).click().run()
            assert not at.exception, at.exception


def _risky(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(text)


def _csv_cells(data: bytes) -> list[str]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for cell in row]


def _xlsx_cells(data: bytes) -> list:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a formula cell in the workbook"
    return [c.value for c in cells if c.value is not None]


def test_every_download_neutralises_formulas_and_keeps_negative_numbers(downloads):
    _visit_every_download(downloads)
    kinds = {Path(name).suffix for name in downloads}
    assert kinds == {".csv", ".xlsx", ".parquet", ".html"}, sorted(downloads)
    # Overview and Sentiment verbatims, Data rejects, reply queue, segment members and RFM scores, rules, reports.
    csvs = sorted(name for name in downloads if name.endswith(".csv"))
    expected = ("-verbatims.csv", "-sentiment-verbatims.csv", "-rejected.csv", "reply-queue-", "segments-", "rfm-scores",
                "rules-")
    assert all(any(part in name for name in csvs) for part in expected), csvs
    safe_name = re.compile(r"[^\W_A-Z]+(?:-[^\W_A-Z]+)*\.[a-z]+")  # the dataset's name, slugged
    assert all(safe_name.fullmatch(Path(name).name) for name in downloads), sorted(downloads)
    negatives = 0
    for name, data in downloads.items():
        if name.endswith(".csv"):
            cells = _csv_cells(data)
            assert not [c for c in cells if _risky(c)], (name, [c for c in cells if _risky(c)][:5])
            assert not [c for c in cells if c.startswith("'") and PLAIN_NUMBER.fullmatch(c[1:])], name
            negatives += sum(bool(PLAIN_NUMBER.fullmatch(c)) and c.startswith("-") for c in cells)
        elif name.endswith(".xlsx"):
            values = _xlsx_cells(data)
            texts = [v for v in values if isinstance(v, str)]
            assert not [t for t in texts if _risky(t)], (name, [t for t in texts if _risky(t)][:5])
            negatives += sum(v == "-5" or (isinstance(v, float | int) and v < 0) for v in values)
        elif name.endswith(".parquet"):
            table = pq.read_table(io.BytesIO(data)).to_pandas()
            texts = [v for column in table.columns for v in table[column].tolist() if isinstance(v, str)]
            assert not [t for t in texts if _risky(t)], name
    assert negatives > 0, "a negative number ('-5') should reach the exports without an apostrophe"
    csv_text = "".join(d.decode("utf-8-sig") for n, d in downloads.items() if n.endswith(".csv"))
    assert "'=1+1" in csv_text and "'@SUM(1)" in csv_text and "'-2+3" in csv_text  # the values reached the files


def test_html_reports_escape_markup_and_neutralise_table_cells(downloads):
    _visit_every_download(downloads)
    reports = {name: data.decode("utf-8") for name, data in downloads.items() if name.endswith(".html")}
    assert len(reports) >= 2, sorted(downloads)  # Overview's and Recommendations'
    neutralised = 0
    for name, page in reports.items():
        assert "<script>alert(1)" not in page, name
        cells = [html.unescape(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", page, flags=re.S)]
        assert cells, name
        assert not [c for c in cells if _risky(c)], (name, [c for c in cells if _risky(c)][:5])
        neutralised += sum(c.startswith(("'=", "'+", "'-", "'@")) for c in cells)
    assert neutralised > 0, "the reports' tables (gaps, segments) should quote the formula-like names"
