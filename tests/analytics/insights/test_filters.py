"""Tests for analytics.filters: each dimension, inclusive dates, missing timestamps, no mutation."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics.insights.filters import (
    FilterOptions,
    Filters,
    apply_filters,
    filter_options,
    without_full_date_range,
)


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "_row": [1, 2, 3, 4, 5],
            "record_id": ["a", "b", "c", "d", "e"],
            "timestamp": pd.to_datetime(
                ["2024-01-01 00:00", "2024-06-30 23:59", "2024-07-01 00:00", None, "2023-12-31 23:59"]
            ),
            "category": ["shoes", "bags", "shoes", None, "bags"],
            "channel": ["chat", "email", "phone", "chat", None],
            "product": ["p1", "p2", "p1", "p3", "p2"],
        }
    )


def ids(frame: pd.DataFrame) -> list[str]:
    return frame["record_id"].tolist()


def test_empty_filters_keep_everything_as_a_copy(frame):
    out = apply_filters(frame, Filters())
    assert Filters().is_empty
    assert ids(out) == ["a", "b", "c", "d", "e"]
    assert out is not frame


def test_date_bounds_are_inclusive_days(frame):
    out = apply_filters(frame, Filters(date(2024, 1, 1), date(2024, 6, 30)))
    # 2024-06-30 23:59 is in, 2024-07-01 00:00 and 2023-12-31 23:59 are out, NaT is out.
    assert ids(out) == ["a", "b"]


def test_only_one_bound(frame):
    assert ids(apply_filters(frame, Filters(date_from=date(2024, 6, 30)))) == ["b", "c"]
    assert ids(apply_filters(frame, Filters(date_to=date(2023, 12, 31)))) == ["e"]


def test_missing_timestamp_kept_without_date_bounds(frame):
    out = apply_filters(frame, Filters(channels=("chat",)))
    assert ids(out) == ["a", "d"]  # "d" has no timestamp but no date bound is set


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(categories=("shoes",)), ["a", "c"]),
        (Filters(categories=("shoes", "bags")), ["a", "b", "c", "e"]),  # missing category dropped
        (Filters(channels=("email", "phone")), ["b", "c"]),
        (Filters(products=("p2",)), ["b", "e"]),
        (Filters(categories=("bags",), channels=("email",)), ["b"]),
        (Filters(categories=("nope",)), []),
    ],
)
def test_each_dimension(frame, filters, expected):
    assert ids(apply_filters(frame, filters)) == expected


def test_input_not_mutated(frame):
    before = frame.copy(deep=True)
    out = apply_filters(frame, Filters(date(2024, 1, 1), None, categories=("shoes",)))
    out.loc[out.index[0], "category"] = "changed"
    pd.testing.assert_frame_equal(frame, before)


def test_filter_on_absent_column_keeps_nothing(frame):
    assert ids(apply_filters(frame.drop(columns=["channel"]), Filters(channels=("chat",)))) == []


def test_lists_become_tuples_and_filters_hash():
    f = Filters(categories=["a", "b"], channels="chat")
    assert f.categories == ("a", "b") and f.channels == ("chat",)
    assert hash(f) == hash(Filters(categories=("a", "b"), channels=("chat",)))


def test_datetime_and_string_bounds_become_dates():
    f = Filters(date_from=pd.Timestamp("2024-01-01 10:00"), date_to="2024-02-01")
    assert f.date_from == date(2024, 1, 1) and f.date_to == date(2024, 2, 1)


def test_reversed_dates_raise():
    with pytest.raises(ValueError, match="date_from=2024-02-01 is after date_to=2024-01-01"):
        Filters(date(2024, 2, 1), date(2024, 1, 1))


def test_describe():
    assert Filters().describe() == "All data"
    f = Filters(date(2024, 1, 1), date(2024, 6, 30), channels=("chat", "email"))
    assert f.describe() == "2024-01-01 – 2024-06-30 · channel: chat, email"
    assert Filters(date_from=date(2024, 1, 1)).describe() == "from 2024-01-01"
    assert Filters(date_to=date(2024, 1, 1), categories=("x",)).describe() == "until 2024-01-01 · category: x"
    many = Filters(products=tuple(f"p{i}" for i in range(7)))
    assert many.describe() == "product: p0, p1, p2, p3, p4 +2 more"
    assert not f.is_empty


def test_filter_options(frame):
    options = filter_options(frame)
    assert options == FilterOptions(
        date_min=date(2023, 12, 31),
        date_max=date(2024, 7, 1),
        categories=("bags", "shoes"),
        channels=("chat", "email", "phone"),
        products=("p1", "p2", "p3"),
    )


def test_filter_options_all_missing():
    frame = pd.DataFrame({"text": ["x"], "timestamp": [None], "category": [None]})
    options = filter_options(frame)
    assert options.date_min is None and options.date_max is None
    assert options.categories == () and options.channels == () and options.products == ()


def test_full_date_range_keeps_undated_rows():
    options = FilterOptions(date(2025, 1, 1), date(2025, 3, 31), (), ("chat",), ())
    full = Filters(date_from=date(2025, 1, 1), date_to=date(2025, 3, 31), channels=("chat",))
    assert without_full_date_range(full, options) == Filters(channels=("chat",))
    narrower = Filters(date_from=date(2025, 2, 1), date_to=date(2025, 3, 31))
    assert without_full_date_range(narrower, options) is narrower
