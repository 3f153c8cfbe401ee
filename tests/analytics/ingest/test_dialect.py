"""Delimiter sniffing, header detection and column type inference."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics.ingest.dialect import Dialect, detect_header, infer_column_types, sniff_dialect


def _table(delimiter: str) -> str:
    d = delimiter
    return (
        f"id{d}review{d}rating{d}date\n"
        f'1{d}"Fast delivery, good price; recommended | 10/10"{d}5{d}2024-01-03\n'
        f'2{d}"Broken on arrival.\nSecond line{d} still the same review"{d}1{d}2024-01-04\n'
        f'3{d}"He said ""meh"" {d} then left"{d}3{d}2024-01-05\n'
        f"4{d}ok{d}4{d}2024-01-06\n"
    )


@pytest.mark.parametrize(("delimiter", "label"), [
    (",", "comma (,)"), (";", "semicolon (;)"), ("\t", "tab"), ("|", "pipe (|)"),
])
def test_delimiters_with_quoted_delimiters_and_newlines(delimiter, label):
    dialect = sniff_dialect(_table(delimiter))
    assert dialect == Dialect(delimiter=delimiter, quotechar='"', has_header=True, label=label)


def test_semicolon_file_with_decimal_commas():
    text = "id;score;weight\n1;2,5;3,7\n2;4,0;1,2\n3;1,5;2,2\n"
    assert sniff_dialect(text).delimiter == ";"


def test_tsv_name_prefers_tab_when_both_fit():
    text = "a,b\tc,d\n1,2\t3,4\n5,6\t7,8\n"
    assert sniff_dialect(text).delimiter == ","
    assert sniff_dialect(text, filename="export.TSV").delimiter == "\t"


def test_single_column_file():
    dialect = sniff_dialect("review\nGreat product\nBad, slow delivery\nok then\n")
    assert (dialect.delimiter, dialect.has_header) == (",", True)
    assert sniff_dialect("Great product!\nTerrible service.\nWould buy again.\n").has_header is False


def test_old_mac_line_endings():
    dialect = sniff_dialect("id;text\r1;hello\r2;bye\r")
    assert (dialect.delimiter, dialect.line_terminator, dialect.has_header) == (";", "\r", True)


@pytest.mark.parametrize(("text", "expected"), [
    ("id,review,rating\n1,great,5\n2,bad,1\n", True),
    ("1,Great product,5\n2,Terrible,1\n3,ok,3\n", False),
    ("2024-01-01,great,5\n2024-01-02,bad,1\n", False),
    ("name,comment\nAlice,Great\nBob,Bad\n", True),
    ("id,name,name,score\n1,a,b,5\n2,c,d,4\n", True),
    (",tweet_id,author_id,inbound\n0,1,sprintcare,False\n1,2,115712,True\n", True),  # pandas index column
    ('"","imag1","gender"\n"1",8,"male"\n"2",9,"female"\n', True),
    ("positive,good\nnegative,bad\npositive,fine\n", False),  # first row repeats further down
    ("Alice,great stuff really loved it\nBob,terrible would not buy again\n", False),
])
def test_header_detection(text, expected):
    assert sniff_dialect(text).has_header is expected


def test_detect_header_on_rows():
    assert detect_header([["id", "score"], ["1", "5"], ["2", "3"]])
    assert not detect_header([["1", "great"], ["2", "bad"]])
    assert detect_header([["customer_id", "text"]])  # a lone name-like row is a header (file has no data)
    assert not detect_header([])


def test_infer_column_types():
    frame = pd.DataFrame({
        "i": ["1", "2", None, "-3", "4"],
        "n": ["1,5", "2.000,5", "3", "1,234.50", "€12"],
        "b": ["yes", "no", "Yes", "", "TRUE"],
        "e": ["1303862400", "1346976000", "1219017600", "1307923200", "951782400"],
        "ms": ["1303862400000", "1346976000123", "1219017600000", None, None],
        "d": ["Tue Oct 31 22:10:47 +0000 2017", "2015-02-24 11:35:52 -0800", "12/01/2010 08:26",
              "2011-01-01", "3 Mar 2020"],
        "c": ["pos", "neg", "pos", "neu", "neg"],
        "t": ["hello there", "what a day", "a b c", "d", "e f"],
        "z": [None, "", "", None, "  "],
        "big": ["123456789012345678", "2", "3", "4", "5"],
    })
    assert infer_column_types(frame) == {
        "i": "integer", "n": "number", "b": "boolean", "e": "epoch", "ms": "epoch", "d": "datetime",
        "c": "category", "t": "text", "z": "empty", "big": "integer",
    }


def test_epoch_range_is_bounded():
    frame = pd.DataFrame({"old": ["100000000", "200000000", "300000000", "400000000"],
                          "future": ["9999999999", "9000000000", "8000000000", "7000000000"]})
    assert infer_column_types(frame) == {"old": "integer", "future": "integer"}


def test_missing_tokens_do_not_spoil_numbers():
    frame = pd.DataFrame({"x": ["1.5", "N/A", "2.5", "null", "3"]})
    assert infer_column_types(frame) == {"x": "number"}
