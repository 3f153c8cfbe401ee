"""Tests for analytics.insights.verbatims: word search (any order, folded, stemmed), literal tokens, sorting, limits."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.insights.verbatims import VerbatimPage, enrich_verbatims, search_verbatims


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "_row": [1, 2, 3, 4, 5],
            "record_id": ["r1", "r2", "r3", "r4", "r5"],
            "text": ["Late (again)!", "a.b costs $5", "Café was GREAT", None, "[x]* or \\d+"],
            "rating": [0.0, 0.5, 1.0, np.nan, 0.25],
            "rating_raw": [1.0, 3.0, 5.0, np.nan, 2.0],
            "timestamp": pd.to_datetime(["2024-01-01", "2024-01-03", None, "2024-01-04", "2024-01-02"]),
            "channel": ["chat", "email", None, "chat", "phone"],
            "category": ["Shoes", "Bags", "Shoes", "late fees", None],
            "product": ["p1", "p2", "p1", "p3", "(again)"],
        }
    )


def test_columns_and_default_sort_newest_first(frame):
    page = search_verbatims(frame)
    assert isinstance(page, VerbatimPage)
    assert page.rows.columns.tolist() == [
        "timestamp", "rating", "channel", "category", "product", "text", "record_id"
    ]
    assert page.total == 5 and not page.truncated
    assert page.rows["record_id"].tolist() == ["r4", "r2", "r5", "r1", "r3"]  # NaT last
    assert page.rows.index.tolist() == [0, 1, 2, 3, 4]
    assert page.rows["rating"].tolist()[1] == 3.0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("(again)", ["r5", "r1"]),  # text of r1 and product of r5
        ("a.b", ["r2"]),  # "." is not "any character"
        ("$5", ["r2"]),
        ("[x]*", ["r5"]),
        ("\\d+", ["r5"]),
        ("great", ["r3"]),  # case-insensitive
        ("CAFÉ", ["r3"]),
        ("shoes", ["r1", "r3"]),  # category
        ("late", ["r4", "r1"]),  # category of r4 ("late fees"), text of r1
        ("  late  ", ["r4", "r1"]),  # surrounding spaces ignored
        ("zzz", []),
    ],
)
def test_literal_case_insensitive_search(frame, query, expected):
    page = search_verbatims(frame, query=query)
    assert page.rows["record_id"].tolist() == expected
    assert page.total == len(expected)


def test_limit_keeps_total(frame):
    page = search_verbatims(frame, limit=2)
    assert len(page.rows) == 2 and page.total == 5 and page.truncated
    assert search_verbatims(frame, limit=0).total == 5


@pytest.mark.parametrize(
    ("sort_by", "ascending", "expected"),
    [
        ("rating", True, ["r1", "r5", "r2", "r3", "r4"]),
        ("rating", False, ["r3", "r2", "r5", "r1", "r4"]),
        ("timestamp", True, ["r1", "r5", "r2", "r4", "r3"]),
        ("category", True, ["r2", "r4", "r1", "r3", "r5"]),  # case-insensitive, missing last
    ],
)
def test_sorting(frame, sort_by, ascending, expected):
    page = search_verbatims(frame, sort_by=sort_by, ascending=ascending)
    assert page.rows["record_id"].tolist() == expected


def test_bad_arguments(frame):
    with pytest.raises(ValueError, match="sort_by='stars'"):
        search_verbatims(frame, sort_by="stars")
    with pytest.raises(ValueError, match="limit=-1"):
        search_verbatims(frame, limit=-1)


def test_missing_columns_and_input_not_mutated(frame):
    before = frame.copy(deep=True)
    search_verbatims(frame, query="late", sort_by="text")
    pd.testing.assert_frame_equal(frame, before)
    page = search_verbatims(frame[["record_id", "rating_raw"]], query="r")
    assert page.total == 0  # nothing to search in
    page = search_verbatims(frame[["record_id", "rating_raw"]])
    assert page.total == 5 and page.rows["text"].isna().all()


def test_words_match_in_any_order_without_case_accents_or_endings():
    frame = pd.DataFrame({
        "record_id": ["a", "b", "c", "d", "e"],
        "text": ["The delivery was two weeks LATE", "Late again, delivered to the wrong door",
                 "Crème brûlée arrived cold", "late", "Deliveries are always on time"],
        "product": ["Lamp", "Desk", "Dessert", "Lamp", "Desk"],
        "category": [None, None, "Food", None, None],
    })

    def found(query):
        return sorted(search_verbatims(frame, query=query).rows["record_id"])

    assert found("late delivery") == ["a", "b"]  # both words, any order, "delivered" by its stem
    assert found("deliveries") == ["a", "b", "e"]
    assert found("creme BRULEE") == ["c"] and found("brûlée food") == ["c"]  # accents, category too
    assert found("lamp late") == ["a", "d"]  # product and text together
    assert found("late cold") == []
    assert found("ate") == []  # words match from their start: "late" is not "ate"


def test_every_match_with_its_enrichments_for_exports(frame):
    every = search_verbatims(frame, query="late", limit=None)
    assert every.rows["record_id"].tolist() == ["r4", "r1"] and not every.truncated
    predictions = pd.DataFrame({"record_id": ["r1", "r4"], "label": ["negative", "neutral"], "confidence": [0.9, 0.5],
                                "source": ["model", "you"]})
    intents = pd.DataFrame({"record_id": ["r1"], "label": ["complaint"]})
    out = enrich_verbatims(every.rows, sentiment=predictions, tags={"intent": intents})
    assert out["record_id"].tolist() == ["r4", "r1"]  # the table's order
    assert out["sentiment"].tolist() == ["neutral", "negative"]
    assert out["sentiment_confidence"].tolist() == [0.5, 0.9] and out["labelled_by"].tolist() == ["you", "model"]
    assert out["intent"].isna().tolist() == [True, False] and out["intent"].iloc[1] == "complaint"
    assert "sentiment" not in every.rows.columns  # the input is not mutated
