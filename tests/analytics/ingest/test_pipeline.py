"""End-to-end imports: profile → suggested mapping → import_file, read back from the store."""
from __future__ import annotations

import io
import random
import re
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import analytics.ingest.pipeline as ingest
from analytics.ingest.mapping import suggest_mapping
from analytics.ingest.pipeline import ImportOptions, ImportReport, import_file, remap_dataset, stage_upload
from analytics.ingest.ratings import STANDARD_SCALES
from analytics.ingest.readers import profile_file
from analytics.store.database import Store

CLEAN = (
    "id,review,stars,created,notes\n"
    '1,"  Great service, fast delivery  ",5,2024-03-01 10:00:00 -0800,first\n'
    "2,Terrible wait times on the phone line,1,2024-03-02 09:30:00 -0800,second\n"
    "3,It was okay I guess nothing special,3,2024-03-03 23:15:00 -0800,third\n"
)

OTHER = (
    "ticket_id,comment,rating\n"
    "a1,The agent solved my problem in minutes,4\n"
    "a2,Nobody answered my email for a week,2\n"
    "a3,Fine but the app keeps logging me out,3\n"
)


# --- helpers ----------------------------------------------------------------------------------


def _write(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def _suggested(path: Path, **overrides: str | None):
    profile = profile_file(path)
    mapping = suggest_mapping(profile.preview, column_types=profile.column_types).mapping
    mapping.update(overrides)
    return profile, mapping


def _import(store: Store, path: Path, *, options: ImportOptions = ImportOptions(), name: str | None = None,
            **overrides: str | None) -> ImportReport:
    profile, mapping = _suggested(path, **overrides)
    return import_file(store, profile, mapping, options=options, name=name)


def _tables(store: Store) -> set[str]:
    return {row[0] for row in store.cursor().execute("SHOW TABLES").fetchall()}


def _snapshot(store: Store, keep_id: str) -> tuple:
    """Everything a failed import must leave untouched."""
    datasets = [(d.id, d.version, d.n_rows, d.n_rejected, d.mapping) for d in store.list_datasets()]
    return datasets, sorted(_tables(store)), store.load_rows(keep_id), store.load_rejects(keep_id)


def _assert_unchanged(store: Store, keep_id: str, before: tuple) -> None:
    datasets, tables, rows, rejects = _snapshot(store, keep_id)
    assert datasets == before[0]
    assert tables == before[1]
    pd.testing.assert_frame_equal(rows, before[2])
    pd.testing.assert_frame_equal(rejects, before[3])


def _reasons(store: Store, dataset_id: str) -> dict[int, str]:
    rejects = store.load_rejects(dataset_id)
    return dict(zip(rejects["_row"].tolist(), rejects["reason"].tolist()))


@pytest.fixture
def other(store, tmp_path) -> str:
    """A dataset imported before the test's own import: it must never change."""
    folder = tmp_path / "other"
    folder.mkdir()
    report = _import(store, _write(folder, "other.csv", OTHER))
    assert report.rows_imported == 3
    return report.dataset_id


# --- a clean file -----------------------------------------------------------------------------


def test_clean_csv_imports_with_canonical_values(store, tmp_path):
    path = _write(tmp_path, "reviews.csv", CLEAN)
    profile, mapping = _suggested(path)
    assert {k: v for k, v in mapping.items() if v} == {
        "record_id": "id", "text": "review", "rating": "stars", "timestamp": "created"}
    seen = []
    report = import_file(store, profile, mapping, progress=lambda f, m: seen.append(f))

    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (3, 3, 0)
    assert report.reasons == {} and report.missing == {} and not report.already_imported
    assert report.columns_ignored == ("notes",)
    assert report.rating_scale == "1–5 stars"
    assert seen[-1] == 1.0 and seen == sorted(seen)

    rows = store.load_rows(report.dataset_id)
    assert rows["_row"].tolist() == [1, 2, 3]
    assert rows["record_id"].tolist() == ["1", "2", "3"]
    assert rows["text"].tolist()[0] == "Great service, fast delivery"  # stripped
    assert rows["rating"].tolist() == [1.0, 0.0, 0.5]
    assert rows["rating_raw"].tolist() == [5.0, 1.0, 3.0]
    # -0800 is eight hours behind UTC: stored naive UTC, the last one on the next day.
    assert rows["timestamp"].tolist() == [pd.Timestamp("2024-03-01 18:00"), pd.Timestamp("2024-03-02 17:30"),
                                          pd.Timestamp("2024-03-04 07:15")]
    assert rows["timestamp"].dt.tz is None
    assert rows["customer_id"].isna().all() and rows["amount"].isna().all()
    assert store.load_rejects(report.dataset_id).empty

    info = store.get_dataset(report.dataset_id)
    assert info.name == "reviews.csv" and info.version == 1 and info.n_rows == 3 and info.n_rejected == 0
    assert info.meta["rating_scale"] == {"kind": "stars_1_5", "low": 1.0, "high": 5.0, "label": "1–5 stars"}
    assert info.rating_scale == (1.0, 5.0)
    assert info.meta["columns"] == ["id", "review", "stars", "created", "notes"]
    assert info.mapping["text"] == "review" and info.mapping["channel"] is None
    assert info.report["rows_imported"] == 3
    raw = store.load_raw(report.dataset_id)
    assert raw["notes"].tolist() == ["first", "second", "third"]  # ignored columns are kept for re-mapping


# --- encodings --------------------------------------------------------------------------------

ENCODED = (
    "id,review,rating\n"
    "1,Café très bon – service impeccable,5\n"
    "2,La crème brûlée était froide et fade,2\n"
    "3,Prix correct: 12 € pour deux personnes,4\n"
)


@pytest.mark.parametrize(("encoding", "label"), [
    ("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 with BOM"), ("utf-16", "UTF-16 LE with BOM"),
    ("cp1252", "Windows-1252 (Western European)"),
])
def test_encodings_import_with_the_right_text(store, tmp_path, encoding, label):
    report = _import(store, _write(tmp_path, f"{encoding}.csv", ENCODED, encoding))
    assert (report.rows_imported, report.rows_rejected) == (3, 0)
    rows = store.load_rows(report.dataset_id)
    assert rows["text"].tolist() == ["Café très bon – service impeccable",
                                     "La crème brûlée était froide et fade",
                                     "Prix correct: 12 € pour deux personnes"]
    assert rows["record_id"].tolist() == ["1", "2", "3"]  # a BOM must not stick to the first column
    meta = store.get_dataset(report.dataset_id).meta
    assert meta["columns"] == ["id", "review", "rating"] and meta["encoding"] == label


def test_gb18030_with_chinese_header_names(store, tmp_path):
    text = (
        "内容,评分,日期\n"
        "物流很快，包装完好，客服态度也很好,5,2024-05-01\n"
        "质量一般，和图片上的颜色不一样,2,2024-05-02\n"
        "价格实惠，下次还会再来购买,4,2024-05-03\n"
        "发货太慢了，等了整整一个星期,1,2024-05-04\n"
    )
    profile, mapping = _suggested(_write(tmp_path, "评论.csv", text, "gb18030"))
    assert profile.encoding.codec == "gb18030"
    assert (mapping["text"], mapping["rating"], mapping["timestamp"]) == ("内容", "评分", "日期")
    report = import_file(store, profile, mapping)
    rows = store.load_rows(report.dataset_id)
    assert rows["text"].tolist()[0] == "物流很快，包装完好，客服态度也很好"
    assert rows["rating_raw"].tolist() == [5.0, 2.0, 4.0, 1.0]
    assert rows["timestamp"].tolist()[-1] == pd.Timestamp("2024-05-04")


def test_mixed_utf8_and_cp1252_bytes_are_repaired_and_reported(store, tmp_path):
    content = (
        "id,review,rating\n".encode() + "1,Café très bon,5\n".encode("utf-8")
        + "2,Crème brûlée froide,2\n".encode("cp1252") + "3,Ça va – sans plus,3\n".encode("utf-8")
    )
    report = _import(store, _write(tmp_path, "mixed.csv", content))
    assert report.rows_imported == 3
    rows = store.load_rows(report.dataset_id)
    assert rows["text"].tolist() == ["Café très bon", "Crème brûlée froide", "Ça va – sans plus"]
    repaired = [w for w in report.warnings if "Windows-1252" in w and "mixes encodings" in w]
    assert len(repaired) == 1  # è, û and é of row 2:
    assert re.match(r"3 byte sequences were not valid UTF-8\b.* and were read as Windows-1252", repaired[0])


# --- delimiters and quoting -------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_odd_delimiters(store, tmp_path, delimiter):
    lines = [["id", "review", "rating"], ["1", "Prompt refund, thank you", "5"],
             ["2", "Broken on arrival, sent it back", "1"], ["3", "Works, as described", "4"]]
    report = _import(store, _write(tmp_path, "semi.csv", "\n".join(delimiter.join(r) for r in lines) + "\n"))
    assert (report.rows_imported, report.rows_rejected) == (3, 0)
    rows = store.load_rows(report.dataset_id)
    assert rows["text"].tolist() == [r[1] for r in lines[1:]]
    assert rows["rating_raw"].tolist() == [5.0, 1.0, 4.0]


def test_quoted_fields_with_delimiters_and_newlines(store, tmp_path):
    text = (
        "id,review,rating\r\n"
        '1,"Late, cold, and wrong order",1\r\n'
        '2,"First line\r\nsecond line, with a comma",4\r\n'
        '3,"She said ""never again"", twice",2\r\n'
    )
    report = _import(store, _write(tmp_path, "quoted.csv", text))
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (3, 3, 0)
    rows = store.load_rows(report.dataset_id)
    assert rows["text"].tolist() == ["Late, cold, and wrong order", "First line\r\nsecond line, with a comma",
                                     'She said "never again", twice']
    assert rows["_row"].tolist() == [1, 2, 3]


# --- bad input: a message, and the store unchanged ---------------------------------------------


@pytest.mark.parametrize(("name", "content", "message"), [
    ("empty.csv", b"", "The file is empty"),
    ("header.csv", b"id,review,rating\n", "has a header row (id, review, rating) but no data rows"),
    ("junk.csv", random.Random(7).randbytes(4096), "does not look like a table"),
    ("blank.csv", b"\n\n  \n", "only blank lines"),
])
def test_unreadable_files_give_a_message_and_change_nothing(store, tmp_path, other, name, content, message):
    before = _snapshot(store, other)
    with pytest.raises(ValueError, match=re.escape(message)):
        _import(store, _write(tmp_path, name, content))
    _assert_unchanged(store, other, before)


def test_xlsx_named_csv_imports_with_a_warning(store, tmp_path, other):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["id", "review", "rating"])
    sheet.append([1, "The courier left it in the rain", 2])
    sheet.append([2, "Exactly what I ordered, thanks", 5])
    path = tmp_path / "export.csv"
    workbook.save(path)
    report = _import(store, path)
    assert (report.rows_imported, report.rows_rejected) == (2, 0)
    assert any("named .csv but is an Excel workbook" in w for w in report.warnings)
    rows = store.load_rows(report.dataset_id)
    assert rows["record_id"].tolist() == ["1", "2"]  # whole numbers from Excel, not "1.0"
    assert rows["rating_raw"].tolist() == [2.0, 5.0]
    assert store.get_dataset(report.dataset_id).meta["format"] == "excel"


def test_no_text_and_no_rating_is_refused_with_the_fix(store, tmp_path, other):
    before = _snapshot(store, other)
    with pytest.raises(ValueError, match="Map at least a text or a rating column"):
        _import(store, _write(tmp_path, "reviews.csv", CLEAN), text=None, rating=None)
    _assert_unchanged(store, other, before)


def test_unknown_column_in_mapping_is_refused(store, tmp_path, other):
    before = _snapshot(store, other)
    with pytest.raises(ValueError, match="Column 'comments' .* is not in the file"):
        _import(store, _write(tmp_path, "reviews.csv", CLEAN), text="comments")
    _assert_unchanged(store, other, before)


def test_timestamp_mapped_to_a_column_without_dates_is_refused(store, tmp_path, other):
    before = _snapshot(store, other)
    with pytest.raises(ValueError, match="^Column 'notes' cannot be used as timestamp: These values do not look "
                                         "like dates: none has a digit"):
        _import(store, _write(tmp_path, "reviews.csv", CLEAN), timestamp="notes")
    _assert_unchanged(store, other, before)


def test_timestamp_mapped_to_small_numbers_is_refused(store, tmp_path, other):
    # Star ratings read as Unix seconds would all fall on 1970-01-01: not dates.
    before = _snapshot(store, other)
    with pytest.raises(ValueError, match="Column 'stars' is mapped to timestamp, but its values are small "
                                         "numbers that would read as moments in 1970"):
        _import(store, _write(tmp_path, "reviews.csv", CLEAN), timestamp="stars", rating=None)
    _assert_unchanged(store, other, before)


def test_timestamp_column_mostly_not_dates_is_refused(store, tmp_path, other):
    # 3 of 7 values are dates: below half, so the column is refused rather than 4 rows rejected.
    rows = [f"{i},Review number {i} is long enough,{1 + i % 5},{d}" for i, d in
            enumerate(["2024-01-05", "soon", "2024-01-07", "n/a?", "later", "2024-01-09", "tbd"], start=1)]
    path = _write(tmp_path, "dates.csv", "id,review,rating,when\n" + "\n".join(rows) + "\n")
    before = _snapshot(store, other)
    with pytest.raises(ValueError, match="Column 'when' cannot be used as timestamp: These values do not look "
                                         "like dates: only 43% of the sample could be read"):
        _import(store, path, timestamp="when")
    _assert_unchanged(store, other, before)


def test_rating_column_with_mostly_words_is_refused(store, tmp_path, other):
    # Only 3 distinct values of 4 are numbers, but 7 of 10 rows say "see text": not a rating column.
    values = ["4", "see text", "see text", "5", "see text", "see text", "see text", "see text", "see text", "2"]
    lines = [f"{i},Review number {i} is long enough,{v}" for i, v in enumerate(values, start=1)]
    path = _write(tmp_path, "ratings.csv", "id,review,score\n" + "\n".join(lines) + "\n")
    before = _snapshot(store, other)
    with pytest.raises(ValueError, match=r"^Column 'score' cannot be used as rating: These values do not look like "
                                         r"ratings: only 30% are numbers"):
        _import(store, path, rating="score")
    _assert_unchanged(store, other, before)


def test_rating_column_mostly_outside_a_forced_scale_is_refused(store, tmp_path, other):
    values = ["80", "95", "3", "70", "100", "60", "5", "90", "85", "75"]  # 0–100, forced to 1–5 stars
    lines = [f"{i},Review number {i} is long enough,{v}" for i, v in enumerate(values, start=1)]
    path = _write(tmp_path, "ratings.csv", "id,review,score\n" + "\n".join(lines) + "\n")
    before = _snapshot(store, other)
    with pytest.raises(ValueError, match=r"^Column 'score' is mapped to rating, but 8 of its 10 non-empty values "
                                         r"are not valid rating values on the 1–5 stars scale\. Choose another "
                                         r"rating scale"):
        _import(store, path, rating="score", options=ImportOptions(rating_scale=STANDARD_SCALES["stars_1_5"]))
    _assert_unchanged(store, other, before)


def test_all_null_columns_are_ignored(store, tmp_path):
    text = ("id,review,rating,empty,,\n"
            "1,Helpful staff at the counter,5,,,\n"
            "2,Queue was far too long today,2,,,\n")
    report = _import(store, _write(tmp_path, "nulls.csv", text))
    assert (report.rows_imported, report.rows_rejected) == (2, 0)
    assert report.columns_ignored == ("empty", "column_5", "column_6")
    raw = store.load_raw(report.dataset_id)
    assert raw["empty"].isna().all()


@pytest.mark.parametrize(("field", "message"), [
    ("rating", "No ratings to read: the column is empty"), ("timestamp", "No dates to read: the column is empty"),
    ("amount", None),
])
def test_mapping_a_field_to_an_all_null_column(store, tmp_path, other, field, message):
    text = ("id,review,stars,empty\n"
            "1,Helpful staff at the counter,5,\n"
            "2,Queue was far too long today,2,\n")
    path = _write(tmp_path, "nulls.csv", text)
    if message is None:  # an empty amount is just missing
        report = _import(store, path, **{field: "empty"})
        assert report.rows_imported == 2 and report.missing == {field: 2}
        return
    before = _snapshot(store, other)
    with pytest.raises(ValueError, match=f"^Column 'empty' cannot be used as {field}: .*{message}"):
        _import(store, path, **{field: "empty"})
    _assert_unchanged(store, other, before)


def test_text_mapped_to_an_all_null_column_imports_nothing(store, tmp_path, other):
    text = ("id,review,empty\n"
            "1,Helpful staff at the counter,\n"
            "2,Queue was far too long today,\n")
    before = _snapshot(store, other)
    with pytest.raises(ValueError, match="^No rows could be imported from nulls.csv: all 2 rows were rejected, "
                                         "e.g. row has neither text nor a rating. Check the column mapping"):
        _import(store, _write(tmp_path, "nulls.csv", text), text="empty")
    _assert_unchanged(store, other, before)


def test_duplicate_column_names(store, tmp_path):
    text = ("id,review,review,rating\n"
            "1,Fast delivery and friendly driver,second copy,5\n"
            "2,Package arrived damaged and late,another,1\n")
    profile, mapping = _suggested(_write(tmp_path, "dupes.csv", text))
    assert profile.columns == ("id", "review", "review_2", "rating")
    assert mapping["text"] == "review"
    report = import_file(store, profile, mapping)
    assert report.rows_imported == 2
    assert any("Duplicate column names were made unique: review" in w for w in report.warnings)
    assert report.columns_ignored == ("review_2",)
    assert store.load_rows(report.dataset_id)["text"].tolist()[0] == "Fast delivery and friendly driver"


def test_rows_with_extra_or_missing_fields_are_rejected_with_reasons(store, tmp_path):
    text = ("id,review,rating\n"
            "1,Good value for money,4\n"
            "2,Two ratings, oops,5,3\n"   # row 2: 5 fields
            "3,Missing its rating\n"      # row 3: 2 fields
            "\n"                          # blank lines are skipped and not numbered
            "4,Arrived on time,5\n"
            "5,Trailing delimiters are fine,3,,\n")
    report = _import(store, _write(tmp_path, "ragged.csv", text))
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (5, 3, 2)
    assert report.reasons == {"could not be read": 2}
    assert store.load_rows(report.dataset_id)["_row"].tolist() == [1, 4, 5]
    reasons = _reasons(store, report.dataset_id)
    assert reasons[2] == "row 2 has 5 fields but the header has 3 (an unquoted comma inside a field?)"
    assert reasons[3] == "row 3 has 2 fields but the header has 3 (a line break inside an unquoted field?)"
    assert set(store.load_rejects(report.dataset_id)["stage"]) == {"read"}


def test_dates_that_do_not_parse_reject_only_their_rows(store, tmp_path):
    dates = ["2024-02-01 10:00", "2024-02-02 11:00", "yesterday", "2024-02-04 09:00", "2024-02-31 08:00",
             "2024-02-06 12:00", "2024-02-07 13:00", "2024-02-08 14:00"]
    lines = [f"{i},Review number {i} about the shop,{1 + i % 5},{d}" for i, d in enumerate(dates, start=1)]
    report = _import(store, _write(tmp_path, "dates.csv", "id,review,rating,date\n" + "\n".join(lines) + "\n"))
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (8, 6, 2)
    assert report.reasons == {"timestamp invalid": 2}
    reasons = _reasons(store, report.dataset_id)
    assert sorted(reasons) == [3, 5]
    assert "'yesterday'" in reasons[3] and "'2024-02-31 08:00'" in reasons[5]
    rows = store.load_rows(report.dataset_id)
    assert rows["timestamp"].tolist()[0] == pd.Timestamp("2024-02-01 10:00")


def test_ratings_outside_the_scale_are_rejected(store, tmp_path):
    # 120 ratings on 1–5 with one stray 44 (under 1%): the scale stays 1–5 and the stray row goes.
    values = [str(1 + i % 5) for i in range(120)]
    values[60] = "44"
    lines = [f"{i},Review number {i} about the shop,{v}" for i, v in enumerate(values, start=1)]
    report = _import(store, _write(tmp_path, "stray.csv", "id,review,rating\n" + "\n".join(lines) + "\n"))
    assert report.rating_scale == "1–5 stars"
    assert (report.rows_imported, report.rows_rejected) == (119, 1)
    assert report.reasons == {"rating invalid": 1}
    assert _reasons(store, report.dataset_id) == {61: "rating 44 is outside the 1–5 scale"}
    rows = store.load_rows(report.dataset_id)
    assert rows["rating"].between(0, 1).all()


def test_ratings_outside_a_forced_scale_are_rejected(store, tmp_path):
    text = ("id,review,rating\n1,Nice and quiet room,7\n2,Noisy street at night,3\n3,Lovely breakfast,5\n")
    report = _import(store, _write(tmp_path, "forced.csv", text),
                     options=ImportOptions(rating_scale=STANDARD_SCALES["stars_1_5"]))
    assert report.rows_imported == 2
    assert _reasons(store, report.dataset_id) == {1: "rating 7 is outside the 1–5 scale"}


def test_duplicate_record_ids_and_exact_duplicate_rows(store, tmp_path):
    text = ("id,review,rating\n"
            "1,Fresh bread every morning,5\n"
            "2,Milk was past its date,1\n"
            "1,Someone reused the id,3\n"       # row 3: same id as row 1, different content
            "2,Milk was past its date,1\n"      # row 4: exact copy of row 2
            "3,Friendly cashier,4\n"
            "2,Milk was past its date,1\n")     # row 6: another exact copy of row 2
    report = _import(store, _write(tmp_path, "dupes.csv", text), record_id="id")  # too repetitive to be suggested
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (6, 3, 3)
    assert report.reasons == {"exact duplicate row": 2, "duplicate record_id": 1}
    assert _reasons(store, report.dataset_id) == {
        3: "record_id '1' already used by row 1",
        4: "exact duplicate of row 2",
        6: "exact duplicate of row 2",
    }
    assert set(store.load_rejects(report.dataset_id)["stage"]) == {"duplicate"}
    assert store.load_rows(report.dataset_id)["_row"].tolist() == [1, 2, 5]


def test_exact_duplicates_without_a_record_id_column(store, tmp_path):
    text = "review,rating\nGood,5\nBad,1\nGood,5\n"
    report = _import(store, _write(tmp_path, "nodupe_ids.csv", text), text="review")
    assert _reasons(store, report.dataset_id) == {3: "exact duplicate of row 1"}
    assert store.load_rows(report.dataset_id)["record_id"].tolist() == ["row-1", "row-2"]


def test_row_with_neither_text_nor_rating_is_rejected(store, tmp_path):
    text = ("id,review,rating,city\n"
            "1,Spotless rooms and a great view,5,Paris\n"
            "2,   ,,Lyon\n"
            "3,,2,Nice\n"
            "4,Good location,,Lille\n")
    report = _import(store, _write(tmp_path, "empty_rows.csv", text))
    assert (report.rows_imported, report.rows_rejected) == (3, 1)
    assert _reasons(store, report.dataset_id) == {2: "row has neither text nor a rating"}
    assert report.reasons == {"no text or rating": 1}
    assert report.missing == {"text": 1, "rating": 1}


def test_a_30_mb_cell_rejects_its_row_with_the_length_limit(store, tmp_path):
    huge = "very long complaint " * 1_500_000  # 30,000,000 characters, 29,999,999 once stripped
    path = tmp_path / "huge.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("id,review,rating\n1,Short and sweet review,5\n")
        handle.write(f'2,"{huge}",1\n')
        handle.write("3,Another normal review,4\n")
    report = _import(store, path)
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (3, 2, 1)
    assert _reasons(store, report.dataset_id) == {
        2: "text has 29,999,999 characters; the limit is 1,000,000 per row (split long documents into rows)"}
    assert store.load_rows(report.dataset_id)["_row"].tolist() == [1, 3]


def test_amounts_in_european_and_currency_formats(store, tmp_path):
    text = ("id,review,rating,amount\n"
            '1,Expensive but worth it,5,"1.234,50 €"\n'
            '2,Cheap and cheerful,4,"$1,234.50"\n'
            "3,Refunded in full,2,(12.00)\n"
            "4,Gift card,3,\n"
            "5,No idea what I paid,3,about ten\n")
    report = _import(store, _write(tmp_path, "amounts.csv", text, "utf-8"), amount="amount")
    rows = store.load_rows(report.dataset_id)
    assert rows["_row"].tolist() == [1, 2, 3, 4]
    assert rows["amount"].tolist()[:3] == [1234.5, 1234.5, -12.0] and np.isnan(rows["amount"].tolist()[3])
    assert _reasons(store, report.dataset_id) == {5: "amount 'about ten' is not a number"}
    assert report.missing == {"amount": 1}


def test_expectations_on_the_rating_scale_are_rejected_by_their_own_name(store, tmp_path):
    text = ("id,review,rating,expected\n"
            "1,Loved the new menu,5,4\n"
            "2,Cold fries again,1,x\n"
            "3,Decent coffee,3,5\n"
            "4,Staff were rude,2,3\n")
    report = _import(store, _write(tmp_path, "expected.csv", text))
    assert store.get_dataset(report.dataset_id).mapping["expected"] == "expected"
    assert report.warnings == ()  # one unreadable value does not put expectations on another scale
    assert report.reasons == {"expected invalid": 1}
    assert _reasons(store, report.dataset_id) == {2: "expectation 'x' is not a number, stars or thumbs up/down"}
    rows = store.load_rows(report.dataset_id)
    assert rows["expected"].tolist() == [0.75, 1.0, 0.5]
    assert store.get_dataset(report.dataset_id).meta["expected_scale"]["kind"] == "stars_1_5"


def test_expectations_on_another_scale_are_normalised_on_their_own(store, tmp_path):
    text = ("id,review,rating,expected\n"
            "1,Loved the new menu,5,10\n"
            "2,Cold fries again,1,1\n"
            "3,Decent coffee,3,7\n")
    report = _import(store, _write(tmp_path, "expected.csv", text))
    assert report.warnings == ("Expectation scores use the 1–10 scale, ratings the 1–5 stars scale; both were "
                               "normalised to 0–1 before comparing.",)
    rows = store.load_rows(report.dataset_id)
    assert rows["expected"].round(4).tolist() == [1.0, 0.0, 0.6667]
    assert rows["expected_raw"].tolist() == [10.0, 1.0, 7.0]


# --- all or nothing ---------------------------------------------------------------------------


def test_a_failure_half_way_leaves_no_trace(store, tmp_path, monkeypatch, other):
    lines = [f"{i},Review number {i} about the shop,{1 + i % 5}" for i in range(1, 11)]
    path = _write(tmp_path, "ten.csv", "id,review,rating\n" + "\n".join(lines) + "\n")
    real = ingest.normalise_chunk
    calls = []

    def failing(chunk, plan):
        calls.append(len(chunk))
        if len(calls) == 2:
            raise RuntimeError("simulated crash in the second chunk")
        return real(chunk, plan)

    monkeypatch.setattr(ingest, "NORMALISE_CHUNK_ROWS", 4)
    monkeypatch.setattr(ingest, "normalise_chunk", failing)
    before = _snapshot(store, other)
    with pytest.raises(RuntimeError, match="second chunk"):
        _import(store, path)
    assert calls == [4, 4]
    _assert_unchanged(store, other, before)
    leftovers = [t for t in _tables(store) if t.startswith(("raw_", "rows_", "rejects_")) and other not in t]
    assert leftovers == []
    # The same file imports cleanly afterwards (nothing half-written blocks it).
    monkeypatch.setattr(ingest, "normalise_chunk", real)
    report = _import(store, path)
    assert report.rows_imported == 10 and not report.already_imported


# --- re-uploads, re-mapping, scale override -----------------------------------------------------


def test_the_same_file_twice_is_imported_once(store, tmp_path):
    path = _write(tmp_path, "reviews.csv", CLEAN)
    first = _import(store, path)
    second = _import(store, path, name="again")
    assert second.already_imported and second.dataset_id == first.dataset_id
    assert second.rows_imported == 3 and "already imported" in second.warnings[0]
    assert [d.id for d in store.list_datasets()] == [first.dataset_id]
    # The same bytes under another name are the same file.
    copy = _write(tmp_path, "renamed.csv", CLEAN)
    assert _import(store, copy).dataset_id == first.dataset_id

    third = _import(store, path, options=ImportOptions(allow_same_file=True))
    assert not third.already_imported and third.dataset_id != first.dataset_id
    assert {d.id for d in store.list_datasets()} == {first.dataset_id, third.dataset_id}
    pd.testing.assert_frame_equal(store.load_rows(first.dataset_id), store.load_rows(third.dataset_id))


REMAP = (
    "id,review,stars,nps,date\n"
    "1,Loved the new menu,5,9,2024-01-01\n"
    "2,Cold fries again,1,2,2024-01-02\n"
    "3,Decent coffee,3,0,2024-01-03\n"
    "4,Staff were rude,2,x,2024-01-04\n"
)


def test_remap_changes_rows_version_and_report(store, tmp_path):
    report = _import(store, _write(tmp_path, "remap.csv", REMAP), rating="stars")
    dataset_id = report.dataset_id
    assert store.load_rows(dataset_id)["rating_raw"].tolist() == [5.0, 1.0, 3.0, 2.0]
    mapping = dict(store.get_dataset(dataset_id).mapping, rating="nps")
    seen = []
    remapped = remap_dataset(store, dataset_id, mapping, progress=lambda f, m: seen.append(f))
    assert seen[-1] == 1.0
    assert remapped.dataset_id == dataset_id
    assert remapped.rating_scale == "0–10 scale"
    assert (remapped.rows_read, remapped.rows_imported, remapped.rows_rejected) == (4, 3, 1)
    assert remapped.columns_ignored == ("stars",)
    info = store.get_dataset(dataset_id)
    assert info.version == 2 and info.mapping["rating"] == "nps"
    assert info.n_rows == 3 and info.n_rejected == 1 and info.report["rows_imported"] == 3
    assert info.meta["rating_scale"]["kind"] == "scale_0_10"
    rows = store.load_rows(dataset_id)
    assert rows["rating_raw"].tolist() == [9.0, 2.0, 0.0]
    assert rows["rating"].tolist() == [0.9, 0.2, 0.0]
    assert "'x'" in _reasons(store, dataset_id)[4]
    assert [d.id for d in store.list_datasets()] == [dataset_id]

    # Back again: the rejected row returns.
    back = remap_dataset(store, dataset_id, dict(mapping, rating="stars"))
    assert back.rows_imported == 4 and store.get_dataset(dataset_id).version == 3
    assert store.load_rejects(dataset_id).empty


def test_remap_keeps_read_rejects(store, tmp_path):
    text = REMAP + "5,Too,many,fields,here,really\n"
    report = _import(store, _write(tmp_path, "remap.csv", text), rating="stars")
    assert _reasons(store, report.dataset_id).keys() == {5}
    remapped = remap_dataset(store, report.dataset_id, dict(store.get_dataset(report.dataset_id).mapping,
                                                            timestamp=None))
    assert remapped.rows_read == 5 and remapped.rows_rejected == 1
    assert _reasons(store, report.dataset_id)[5].startswith("row 5 has 6 fields")


def test_a_bad_remap_keeps_the_previous_rows_and_mapping(store, tmp_path, other):
    report = _import(store, _write(tmp_path, "remap.csv", REMAP), rating="stars")
    dataset_id = report.dataset_id
    before = _snapshot(store, dataset_id)
    info = store.get_dataset(dataset_id)
    for bad, message in [
        ({"rating": "date", "timestamp": None}, "Column 'date' cannot be used as rating"),  # fails while planning
        ({"timestamp": "stars", "rating": "nps"}, "would read as moments in 1970"),
        ({"text": None, "rating": None}, "Map at least a text or a rating"),  # fails validation
        ({"rating": "no such column"}, "is not in the file"),
    ]:
        with pytest.raises(ValueError, match=message):
            remap_dataset(store, dataset_id, dict(info.mapping, **bad))
        _assert_unchanged(store, dataset_id, before)
        assert store.get_dataset(dataset_id).report == info.report
    # Refused only after every row was converted (the rows table was already dropped and rebuilt).
    with pytest.raises(ValueError, match="Column 'nps' is mapped to rating, but 3 of its 4 non-empty values"):
        remap_dataset(store, dataset_id, dict(info.mapping, rating="nps"),
                      options=ImportOptions(rating_scale=STANDARD_SCALES["stars_1_5"]))
    _assert_unchanged(store, dataset_id, before)
    assert store.get_dataset(dataset_id).report == info.report


def test_a_remap_that_fails_half_way_keeps_the_previous_rows(store, tmp_path, monkeypatch):
    report = _import(store, _write(tmp_path, "remap.csv", REMAP), rating="stars")
    before = _snapshot(store, report.dataset_id)

    def failing(chunk, plan):
        raise RuntimeError("simulated crash while re-mapping")

    monkeypatch.setattr(ingest, "normalise_chunk", failing)
    with pytest.raises(RuntimeError):
        remap_dataset(store, report.dataset_id, dict(store.get_dataset(report.dataset_id).mapping, rating="nps"))
    _assert_unchanged(store, report.dataset_id, before)


def test_rating_scale_override(store, tmp_path):
    lines = [f"{i},Review number {i} about the shop,{v}" for i, v in enumerate([1, 2, 3, 4, 5], start=1)]
    path = _write(tmp_path, "override.csv", "id,review,rating\n" + "\n".join(lines) + "\n")
    detected = _import(store, path)
    assert detected.rating_scale == "1–5 stars"
    forced = _import(store, path, options=ImportOptions(rating_scale=STANDARD_SCALES["scale_1_10"],
                                                        allow_same_file=True))
    assert forced.rating_scale == "1–10 scale"
    rows = store.load_rows(forced.dataset_id)
    assert rows["rating_raw"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert rows["rating"].round(4).tolist() == [0.0, 0.1111, 0.2222, 0.3333, 0.4444]
    assert store.get_dataset(forced.dataset_id).meta["rating_scale"]["kind"] == "scale_1_10"
    assert store.get_dataset(detected.dataset_id).meta["rating_scale"]["kind"] == "stars_1_5"


# --- staging uploads --------------------------------------------------------------------------


def test_stage_upload_copies_under_a_content_hash(tmp_path):
    content = CLEAN.encode() * 1000  # several read blocks are not needed, but more than one line is
    directory = tmp_path / "uploads"
    first = stage_upload(io.BytesIO(content), "My Reviews (2024).csv", directory=directory)
    assert first.read_bytes() == content
    assert first.parent.parent == directory
    assert first.name == "My Reviews _2024_.csv"
    assert first.parent.name == ingest.file_sha256(first)[:16]
    again = stage_upload(io.BytesIO(content), "My Reviews (2024).csv", directory=directory)
    assert again == first
    different = stage_upload(io.BytesIO(content + b"4,More,5,2024-03-04 10:00:00 -0800,x\n"), "My Reviews (2024).csv",
                             directory=directory)
    assert different.parent != first.parent
    # No temporary files are left behind, and a path in the name cannot escape the folder.
    escaped = stage_upload(io.BytesIO(b"a,b\n1,2\n"), "../../etc/passwd", directory=directory)
    assert escaped.parent.parent == directory and escaped.name == "passwd"
    assert not list(directory.glob(".incoming-*"))


# --- concurrency ------------------------------------------------------------------------------


def test_two_threads_import_different_files_at_once(store, tmp_path):
    paths = []
    for k in range(2):
        lines = [f"{k}-{i},Thread {k} review number {i} about the shop,{1 + i % 5}" for i in range(3000)]
        paths.append(_write(tmp_path, f"thread{k}.csv", "id,review,rating\n" + "\n".join(lines) + "\n"))
    profiles = [_suggested(p) for p in paths]
    reports: dict[int, ImportReport] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def work(k: int) -> None:
        try:
            barrier.wait()
            reports[k] = import_file(store, *profiles[k])
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert {d.id for d in store.list_datasets()} == {reports[0].dataset_id, reports[1].dataset_id}
    for k in range(2):
        rows = store.load_rows(reports[k].dataset_id)
        assert len(rows) == 3000 and rows["record_id"].str.startswith(f"{k}-").all()


def test_the_same_file_imported_twice_at_once_is_stored_once(store, tmp_path):
    lines = [f"{i},Review number {i} about the shop,{1 + i % 5}" for i in range(3000)]
    profile, mapping = _suggested(_write(tmp_path, "same.csv", "id,review,rating\n" + "\n".join(lines) + "\n"))
    reports: list[ImportReport] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def work() -> None:
        try:
            barrier.wait()
            reports.append(import_file(store, profile, mapping))
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(r.already_imported for r in reports) == [False, True]
    assert reports[0].dataset_id == reports[1].dataset_id
    assert [d.id for d in store.list_datasets()] == [reports[0].dataset_id]


# --- the demo ---------------------------------------------------------------------------------


def test_demo_dataset_imports_completely(store):
    from analytics.demo.sample import DEMO_NAME, load_demo_dataset

    info = load_demo_dataset(store)
    assert info.name == DEMO_NAME
    assert (info.n_rows, info.n_rejected) == (20_000, 0)
    assert info.report["rows_read"] == 20_000 and info.report["reasons"] == {}
    assert {k: v for k, v in info.mapping.items() if v} == {
        "record_id": "interaction_id", "timestamp": "created_at", "customer_id": "customer_id",
        "channel": "channel", "product": "product", "category": "category", "rating": "rating",
        "expected": "expected", "advertised": "advertised_rating", "order_id": "order_id", "item": "items",
        "amount": "amount", "text": "text"}
    assert info.report["columns_ignored"] == []
    rows = store.load_rows(info.id)
    # 4.6 advertised stars on the 1–5 scale read as (4.6 − 1) / 4 = 0.9, the original kept.
    assert rows["advertised"].between(0, 1).all() and rows["advertised_raw"].between(1, 5).all()
    assert np.allclose(rows["advertised"], (rows["advertised_raw"] - 1) / 4)
    assert rows["record_id"].is_unique and rows["text"].notna().all()
    assert rows["rating"].between(0, 1).all() and rows["timestamp"].notna().all()
    assert load_demo_dataset(store).id == info.id  # a second call reuses it


def test_a_remap_keeps_predictions_and_labels_only_for_records_whose_text_is_unchanged(store, tmp_path):
    from analytics.store.labels import load_labels, save_labels
    from analytics.store.predictions import LEXICON_MODEL_ID, load_predictions, save_predictions

    text = "id,review,note,rating\n1,Great,Great,5\n2,Bad,Awful,1\n3,Fine,Fine,3\n"
    report = _import(store, _write(tmp_path, "two_texts.csv", text), record_id="id")
    scored = pd.DataFrame({"record_id": ["1", "2", "3"], "label": ["positive", "negative", "neutral"],
                           "confidence": [0.9, 0.8, 0.7]})
    save_predictions(store, report.dataset_id, LEXICON_MODEL_ID, scored)
    save_predictions(store, report.dataset_id, "fine-tuned", scored)
    save_labels(store, report.dataset_id, "sentiment", ["1", "2"], "positive")
    info = store.get_dataset(report.dataset_id)
    remap_dataset(store, report.dataset_id, {**info.mapping, "text": "note"})  # record 2's text changes
    lexicon = load_predictions(store, report.dataset_id, LEXICON_MODEL_ID)
    assert sorted(lexicon["record_id"]) == ["1", "3"]  # record 2 is scored again on the next read
    assert load_predictions(store, report.dataset_id, "fine-tuned").empty  # re-scored whole, in the background
    assert load_labels(store, report.dataset_id, "sentiment")["record_id"].tolist() == ["1"]
    remap_dataset(store, report.dataset_id, {**info.mapping, "text": "note", "rating": None})  # texts unchanged
    assert sorted(load_predictions(store, report.dataset_id, LEXICON_MODEL_ID)["record_id"]) == ["1", "3"]
