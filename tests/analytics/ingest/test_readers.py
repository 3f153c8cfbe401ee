"""Profiling uploaded files and streaming their rows: formats, encodings, broken rows, big cells."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from analytics.ingest.readers import FileProfile, RawChunk, profile_file, read_chunks, unique_column_names

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def _read_all(profile: FileProfile, **kwargs) -> tuple[pd.DataFrame, list[tuple[int, str]], list[RawChunk]]:
    chunks = list(read_chunks(profile, **kwargs))
    frame = pd.concat([c.frame for c in chunks], ignore_index=True)
    rejected = [r for c in chunks for r in c.rejected]
    return frame, rejected, chunks


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


REVIEWS = (
    "id,customer,review,rating\n"
    "1,Müller,\"Très bon café, service rapide\",5\n"
    "2,Zoë,\"naïve packaging\nbut arrived\",2\n"
    "3,李雷,物流很快，质量不错,4\n"
)


@pytest.mark.parametrize(("encoding", "codec"), [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("utf-16-be", "utf-16-be"),
    ("gb18030", "gb18030"),
])
def test_unicode_and_chinese_encodings_round_trip(tmp_path, encoding, codec):
    path = _write(tmp_path, "reviews.csv", REVIEWS, encoding)
    profile = profile_file(path)
    assert profile.encoding.codec == codec
    assert profile.columns == ("id", "customer", "review", "rating")
    frame, rejected, _ = _read_all(profile)
    assert rejected == []
    assert frame["customer"].tolist() == ["Müller", "Zoë", "李雷"]
    assert frame["review"].tolist()[1] == "naïve packaging\nbut arrived"
    assert frame["review"].tolist()[2] == "物流很快，质量不错"


def test_cp1252_file(tmp_path):
    text = "id;name;review\n1;Müller;Très bon café – 5€\n2;Zoë;naïve\n"
    path = _write(tmp_path, "latin.csv", text, "cp1252")
    profile = profile_file(path)
    assert (profile.encoding.codec, profile.dialect.delimiter) == ("cp1252", ";")
    assert any("Windows-1252" in w for w in profile.warnings)
    frame, _, _ = _read_all(profile)
    assert frame["review"].tolist() == ["Très bon café – 5€", "naïve"]


def test_gbk_file(tmp_path):
    text = "编号,评论,评分\n1,物流很快，质量不错,5\n2,包装破损，客服态度很差,1\n"
    profile = profile_file(_write(tmp_path, "cn.csv", text, "gbk"))
    assert profile.encoding.codec == "gb18030"
    frame, _, _ = _read_all(profile)
    assert frame["评论"].tolist() == ["物流很快，质量不错", "包装破损，客服态度很差"]


def test_mixed_utf8_and_cp1252_bytes_are_repaired_and_counted(tmp_path):
    path = tmp_path / "mixed.csv"
    parts = [("id,text\n", "utf-8"), ("1,Très bon café\n", "utf-8"), ("2,naïve\n", "cp1252"),
             ("3,Müller et Zoë\n", "cp1252"), ("4,物流很快\n", "utf-8"), ("5,déjà vu\n", "utf-8")]
    path.write_bytes(b"".join(text.encode(enc) for text, enc in parts))
    profile = profile_file(path)
    assert profile.encoding.codec == "utf-8"
    frame, rejected, chunks = _read_all(profile, chunk_rows=2)
    assert rejected == []
    assert frame["text"].tolist() == ["Très bon café", "naïve", "Müller et Zoë", "物流很快", "déjà vu"]
    assert chunks[-1].repaired_bytes == 3  # ï, ü, ë: totals so far, so the last chunk has them all
    assert [c.repaired_bytes for c in chunks] == sorted(c.repaired_bytes for c in chunks)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_with_quoted_delimiters_and_newlines(tmp_path, delimiter):
    d = delimiter
    text = (f"id{d}review{d}rating\n"
            f'1{d}"good{d} fast"{d}5\n'
            f'2{d}"line one\nline two{d} end"{d}1\n'
            f'3{d}"say ""hi"""{d}3\n')
    profile = profile_file(_write(tmp_path, "d.txt", text))
    assert profile.dialect.delimiter == delimiter
    frame, rejected, _ = _read_all(profile)
    assert rejected == []
    assert frame["review"].tolist() == [f"good{d} fast", f"line one\nline two{d} end", 'say "hi"']
    assert frame["_row"].tolist() == [1, 2, 3]


def test_crlf_line_endings(tmp_path):
    profile = profile_file(_write(tmp_path, "crlf.csv", 'id,text\r\n1,"a\r\nb"\r\n2,c\r\n'))
    frame, rejected, _ = _read_all(profile)
    assert (frame["text"].tolist(), rejected) == (["a\r\nb", "c"], [])


def test_headerless_file_gets_generated_names(tmp_path):
    profile = profile_file(_write(tmp_path, "h.csv", "1,Great product,5\n2,Terrible,1\n3,ok,3\n"))
    assert not profile.has_header
    assert profile.columns == ("column_1", "column_2", "column_3")
    assert any("No header row" in w for w in profile.warnings)
    frame, _, _ = _read_all(profile)
    assert frame["column_2"].tolist() == ["Great product", "Terrible", "ok"]
    assert frame["_row"].tolist() == [1, 2, 3]


def test_duplicate_column_names(tmp_path):
    profile = profile_file(_write(tmp_path, "dup.csv", "id,name,Name,name,_row,\n1,a,b,c,d,e\n2,f,g,h,i,j\n"))
    assert profile.columns == ("id", "name", "Name_2", "name_3", "_row_2", "column_6")
    assert profile.duplicate_columns == ("name", "Name")
    frame, _, _ = _read_all(profile)
    assert list(frame.columns) == [*profile.columns, "_row"]
    assert frame["name_3"].tolist() == ["c", "h"]


def test_unique_column_names():
    assert unique_column_names(["a", "a", "a_2", None, " b "]) == (("a", "a_3", "a_2", "column_4", "b"), ("a",))


def test_empty_file(tmp_path):
    with pytest.raises(ValueError, match=r"The file is empty \(0 bytes\)\. Export"):
        profile_file(_write(tmp_path, "empty.csv", ""))


def test_blank_lines_only(tmp_path):
    with pytest.raises(ValueError, match="only blank lines"):
        profile_file(_write(tmp_path, "blank.csv", "\n\n  \n"))


def test_header_only(tmp_path):
    with pytest.raises(ValueError, match=r"header row \(id, review, rating\) but no data rows"):
        profile_file(_write(tmp_path, "head.csv", "id,review,rating\n"))


def test_binary_junk_named_csv(tmp_path):
    path = tmp_path / "junk.csv"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(ValueError, match="binary data"):
        profile_file(path)


def test_zip_that_is_not_a_workbook(tmp_path):
    import zipfile

    path = tmp_path / "data.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("reviews.csv", "id,text\n1,a\n")
    with pytest.raises(ValueError, match="ZIP archive.*Unzip"):
        profile_file(path)


def test_json_array_is_refused_with_advice(tmp_path):
    with pytest.raises(ValueError, match="JSON array, not JSON lines"):
        profile_file(_write(tmp_path, "a.json", '[{"a": 1}, {"a": 2}]'))


def _workbook(path: Path, *, extra_sheet: bool = True) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Reviews"
    sheet.append(["Customer feedback export"])  # a title row above the table
    sheet.append(["id", "review", "rating", "date", "price"])
    sheet.append([1, "Très bon", 5, dt.datetime(2024, 1, 3, 8, 30), 2.5])
    sheet.append([2, "bad", 1.0, dt.datetime(2024, 1, 4), None])
    sheet.append([None, None, None, None, None])
    sheet.append([3, None, 3, dt.datetime(2024, 1, 5), 10])
    if extra_sheet:
        workbook.create_sheet("Notes").append(["ignored"])
    workbook.save(path)


def test_xlsx_named_csv_is_read_as_excel(tmp_path):
    path = tmp_path / "export.csv"
    _workbook(path)
    profile = profile_file(path)
    assert profile.format == "excel"
    assert profile.sheet_name == "Reviews"
    assert "export.csv is named .csv but is an Excel workbook; read as Excel." in profile.warnings
    assert any("'Notes'" in w for w in profile.warnings)
    assert any("title row" in w for w in profile.warnings)
    assert profile.columns == ("id", "review", "rating", "date", "price")
    frame, rejected, _ = _read_all(profile)
    assert rejected == []
    assert frame.drop(columns="_row").to_dict("list") == {
        "id": ["1", "2", "3"], "review": ["Très bon", "bad", None], "rating": ["5", "1", "3"],
        "date": ["2024-01-03T08:30:00", "2024-01-04T00:00:00", "2024-01-05T00:00:00"], "price": ["2.5", None, "10"],
    }
    assert frame["_row"].tolist() == [1, 2, 3]


def test_xlsx_header_only_and_damaged_workbook(tmp_path):
    import openpyxl

    path = tmp_path / "head.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["id", "review"])
    workbook.save(path)
    with pytest.raises(ValueError, match="no data rows"):
        profile_file(path)
    damaged = tmp_path / "damaged.xlsx"
    import zipfile

    with zipfile.ZipFile(damaged, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not really a workbook")
    with pytest.raises(ValueError, match=r"This \.xlsx \(damaged\.xlsx\) is damaged: open it in Excel"):
        profile_file(damaged)


def test_parquet_values_become_faithful_strings(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({
        "id": pa.array([1, 2, None], pa.int64()),
        "customer": pa.array([17850.0, None, 13047.0]),  # pandas' int-with-missing stored as float
        "price": pa.array([2.55, 3.0, float("nan")]),
        "when": pa.array([dt.datetime(2010, 12, 1, 8, 26), None, dt.datetime(2010, 12, 1, 9, 0, 0, 500000)],
                         pa.timestamp("us")),
        "ok": pa.array([True, False, None]),
        "text": pa.array(["a", "", None]),
        "tags": pa.array([["x", "y"], [], None], pa.list_(pa.string())),
    })
    path = tmp_path / "t.csv"  # a misleading name: content wins
    pq.write_table(table, path)
    profile = profile_file(path)
    assert profile.format == "parquet"
    assert profile.estimated_rows == 3
    assert any("is a Parquet file; read as Parquet" in w for w in profile.warnings)
    frame, _, _ = _read_all(profile)
    assert frame.drop(columns="_row").to_dict("list") == {
        "id": ["1", "2", None], "customer": ["17850", None, "13047"], "price": ["2.55", "3", None],
        "when": ["2010-12-01T08:26:00", None, "2010-12-01T09:00:00.500000"], "ok": ["true", "false", None],
        "text": ["a", None, None], "tags": ['["x", "y"]', "[]", None],
    }
    assert frame["_row"].tolist() == [1, 2, 3]


def test_jsonl_with_a_broken_line(tmp_path):
    lines = [
        json.dumps({"id": 1, "text": "café", "meta": {"stars": 5}, "score": 4.0}, ensure_ascii=False),
        '{"id": 2, "text": "broken',
        "",
        json.dumps({"id": 3, "text": None, "tags": ["a", "b"]}),
        "[1, 2]",
        json.dumps({"id": 4, "text": "ok", "score": 2.5}),
    ]
    profile = profile_file(_write(tmp_path, "r.jsonl", "\n".join(lines) + "\n"))
    assert profile.format == "jsonl"
    assert profile.columns == ("id", "text", "meta", "score", "tags")
    frame, rejected, _ = _read_all(profile)
    assert [r for r, _ in rejected] == [2, 4]
    assert "row 2 is not valid JSON" in rejected[0][1]
    assert "not an object" in rejected[1][1]
    assert frame["_row"].tolist() == [1, 3, 5]
    assert frame["meta"].tolist() == ['{"stars": 5}', None, None]
    assert frame["tags"].tolist() == [None, '["a", "b"]', None]
    assert frame["score"].tolist() == ["4", None, "2.5"]


def test_a_null_json_line_is_named_null_not_too_deep(tmp_path):
    profile = profile_file(_write(tmp_path, "n.jsonl", '{"text": "fine"}\nnull\n{"text": "also fine"}\n'))
    _, rejected, _ = _read_all(profile)
    assert rejected == [(2, "row 2 is a JSON null, not an object with named fields")]


def test_rows_with_extra_and_missing_fields_are_rejected_with_reasons(tmp_path):
    text = ("id,review,rating\n"
            "1,good,5\n"
            "2,bad, really bad,1\n"    # unquoted comma: 4 fields
            "3,meh\n"                   # 2 fields
            "\n"                         # blank: skipped, not counted
            "   \n"                      # whitespace only: blank too
            "4,fine,4\n"
            "5,trailing comma,3,\n")    # an empty extra field is only a trailing delimiter
    profile = profile_file(_write(tmp_path, "bad.csv", text))
    frame, rejected, _ = _read_all(profile)
    assert frame["_row"].tolist() == [1, 4, 5]
    assert frame["id"].tolist() == ["1", "4", "5"]
    assert rejected == [
        (2, "row 2 has 4 fields but the header has 3 (an unquoted comma inside a field?)"),
        (3, "row 3 has 2 fields but the header has 3 (a line break inside an unquoted field?)"),
    ]
    assert any("2 of the first 5 rows are malformed" in w for w in profile.warnings)


def test_bare_carriage_return_inside_an_unquoted_field(tmp_path):
    path = tmp_path / "cr.csv"
    path.write_bytes(b"id,author,text,reply\n1,a,hello,\n2,b,@Shop \r\rI just love it,1\n3,c,bye,2\n")
    profile = profile_file(path)
    assert profile.dialect.line_terminator == "\n"
    frame, rejected, _ = _read_all(profile)
    assert frame["_row"].tolist() == [1, 3]
    assert frame["text"].tolist() == ["hello", "bye"]
    assert rejected == [(2, "row 2 has a line break (carriage return) inside an unquoted field; put the field "
                            "in quotes or remove the line break")]


def test_a_30_mb_cell_is_read_intact(tmp_path):
    cell = ("Lorem ipsum, dolor; sit\n amet " * 1_100_000)[:30_000_000]
    path = tmp_path / "big_cell.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write('id,text\n1,"' + cell + '"\n2,short\n')
    profile = profile_file(path)
    assert profile.columns == ("id", "text")
    frame, rejected, _ = _read_all(profile)
    assert rejected == []
    assert frame["id"].tolist() == ["1", "2"]
    assert len(frame["text"].iloc[0]) == 30_000_000
    assert frame["text"].iloc[0] == cell


def test_chunking_numbers_rows_consecutively(tmp_path):
    text = "id,text\n" + "".join(f"{i},t{i}\n" for i in range(1, 11))
    profile = profile_file(_write(tmp_path, "ten.csv", text))
    chunks = list(read_chunks(profile, chunk_rows=3))
    assert [len(c.frame) for c in chunks] == [3, 3, 3, 1]
    assert [c.frame["_row"].tolist() for c in chunks] == [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10]]
    assert chunks[-1].bytes_read == profile.size_bytes
    assert all(c.frame["_row"].dtype == "int64" for c in chunks)
    assert all(c.frame["text"].dtype == object for c in chunks)


def test_cells_are_str_or_none(tmp_path):
    profile = profile_file(_write(tmp_path, "e.csv", "a,b,c\n1,,x\n,2,\n"))
    frame, _, _ = _read_all(profile)
    assert frame.drop(columns="_row").to_dict("list") == {"a": ["1", None], "b": [None, "2"], "c": ["x", None]}
    assert profile.preview.to_dict("list") == {"a": ["1", None], "b": [None, "2"], "c": ["x", None]}


def test_profile_reads_a_bounded_sample_of_big_files(tmp_path):
    row = "12345,Some review text that is about this long and then some more,5,2024-01-01\n"
    path = _write(tmp_path, "big.csv", "id,text,rating,date\n" + row * 60_000)  # ~5 MB
    profile = profile_file(path)
    assert len(profile.preview) == 200
    assert profile.estimated_rows == pytest.approx(60_000, rel=0.05)
    assert profile.column_types["rating"] == "integer"
    assert profile.column_types["date"] == "datetime"


def test_old_mac_line_endings(tmp_path):
    profile = profile_file(_write(tmp_path, "mac.csv", "id;text\r1;hello\r2;bye\r"))
    frame, rejected, _ = _read_all(profile)
    assert (frame["text"].tolist(), rejected) == (["hello", "bye"], [])


# --- real data (read from ../shared/data when it is there) -------------------------------------

needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"real data folder {DATA} is absent (fresh checkout)")


@pytest.mark.real_data
@needs_data
@pytest.mark.parametrize(("relative", "rows", "rejected_rows"), [
    ("customer-support-twitter/twcs_first5000.csv", 4_999, [2_485]),
    ("twitter-airline-sentiment/Tweets.csv", 14_640, []),
    ("amazon-fine-food-reviews/Reviews.csv", 5_003, []),
])
def test_real_csv_files(relative, rows, rejected_rows):
    path = DATA / relative
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    profile = profile_file(path)
    frame, rejected, _ = _read_all(profile)
    assert len(frame) == rows
    assert [r for r, _ in rejected] == rejected_rows
    assert all("line break" in reason for _, reason in rejected)
    assert frame["_row"].is_monotonic_increasing


@pytest.mark.real_data
@needs_data
def test_real_parquet_profile_and_first_chunk():
    path = DATA / "online-retail" / "online_retail.parquet"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    profile = profile_file(path)
    assert profile.estimated_rows == 541_909
    assert profile.columns == ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
                               "CustomerID", "Country")
    chunk = next(read_chunks(profile, chunk_rows=50_000))
    assert len(chunk.frame) == 50_000
    first = chunk.frame.iloc[0]
    assert (first["InvoiceDate"], first["CustomerID"], first["UnitPrice"]) == ("2010-12-01T08:26:00", "17850", "2.55")
