"""Tests for timestamp format detection and vectorised parsing."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.ingest.timestamps import (
    ParsedTimestamps,
    TimestampFormat,
    detect_timestamp_format,
    parse_timestamps,
)

NOW = pd.Timestamp("2025-06-01 12:00:00")


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def parse(values: list, fmt: TimestampFormat | None = None) -> ParsedTimestamps:
    return parse_timestamps(pd.Series(values, dtype=object), fmt, now=NOW)


@pytest.mark.parametrize(("values", "kind", "strftime", "has_offset", "expected"), [
    (["2015-02-24 11:35:52 -0800", "2015-02-24 11:15:59 -0800"], "iso", "%Y-%m-%d %H:%M:%S %z", True,
     ["2015-02-24 19:35:52", "2015-02-24 19:15:59"]),
    (["2024-01-01T10:00:00Z", "2024-01-01T10:00:00+01:00"], "iso", "%Y-%m-%dT%H:%M:%S%z", True,
     ["2024-01-01 10:00:00", "2024-01-01 09:00:00"]),
    (["2024-03-01 08:26:00", "2024-03-02 09:00:00"], "iso", "%Y-%m-%d %H:%M:%S", False,
     ["2024-03-01 08:26:00", "2024-03-02 09:00:00"]),
    (["2024-12-31", "2024-01-05"], "iso", "%Y-%m-%d", False, ["2024-12-31", "2024-01-05"]),
    (["12/31/2024 6:05 PM", "1/2/2024 7:00 AM"], "us", "%m/%d/%Y %I:%M %p", False,
     ["2024-12-31 18:05", "2024-01-02 07:00"]),
    (["31.12.2024 18:05", "01.02.2024 09:00"], "eu", "%d.%m.%Y %H:%M", False,
     ["2024-12-31 18:05", "2024-02-01 09:00"]),
    (["31/12/2024", "01/02/2024"], "eu", "%d/%m/%Y", False, ["2024-12-31", "2024-02-01"]),
    (["1303862400", "1346976000"], "epoch_s", None, False, ["2011-04-27", "2012-09-07"]),
    (["1303862400000", "1346976000123"], "epoch_ms", None, False, ["2011-04-27", "2012-09-07 00:00:00.123"]),
    (["Tue Oct 31 22:10:47 +0000 2017", "Tue Oct 31 23:11:45 +0100 2017"], "twitter", "%a %b %d %H:%M:%S %z %Y",
     True, ["2017-10-31 22:10:47", "2017-10-31 22:11:45"]),
    (["March 5, 2024", "April 16, 2024"], "text", "%B %d, %Y", False, ["2024-03-05", "2024-04-16"]),
    (["20240131", "20231201"], "iso", "%Y%m%d", False, ["2024-01-31", "2023-12-01"]),
])
def test_formats_detected_and_parsed(values, kind, strftime, has_offset, expected):
    fmt = detect_timestamp_format(pd.Series(values))
    assert (fmt.kind, fmt.strftime, fmt.has_offset) == (kind, strftime, has_offset)
    parsed = parse(values)
    assert parsed.values.dtype == "datetime64[us]"
    assert parsed.values.tolist() == [ts(e) for e in expected]
    assert not parsed.invalid.any()
    assert parsed.format == fmt


def test_labels_say_how_dates_are_read():
    assert detect_timestamp_format(pd.Series(["31/12/2024 18:05", "01/02/2024 09:00"])).label == \
        "day/month/year (EU), e.g. 31/12/2024 18:05"
    assert detect_timestamp_format(pd.Series(["1303862400"])).label == "Unix time in seconds, e.g. 1735668300"


def test_ambiguous_day_month_prefers_month_first_and_says_so():
    fmt = detect_timestamp_format(pd.Series(["01/02/2024", "03/04/2024"]))
    assert (fmt.kind, fmt.ambiguous) == ("us", True)
    assert "ambiguous: read as month/day" in fmt.label
    assert parse(["01/02/2024"], fmt).values.iloc[0] == ts("2024-01-02")


def test_ambiguous_day_month_follows_the_reading_that_keeps_rows_in_order():
    # Read day-first these are 1–5 February, consecutive days; month-first they jump a month each.
    values = ["01/02/2024", "02/02/2024", "03/02/2024", "04/02/2024", "05/02/2024"]
    fmt = detect_timestamp_format(pd.Series(values))
    assert (fmt.kind, fmt.ambiguous) == ("eu", True)
    assert parse(values, fmt).values.iloc[-1] == ts("2024-02-05")


def test_ambiguous_dotted_dates_are_day_first():
    fmt = detect_timestamp_format(pd.Series(["01.02.2024", "03.04.2024"]))
    assert (fmt.kind, fmt.ambiguous) == ("eu", True)


def test_one_value_over_12_decides_day_or_month_first():
    assert detect_timestamp_format(pd.Series(["01/02/2024", "25/02/2024"])).kind == "eu"
    assert detect_timestamp_format(pd.Series(["01/02/2024", "02/25/2024"])).kind == "us"


def test_bad_values_are_invalid_with_reasons_and_blanks_are_not():
    values = ["2024-01-01 10:00:00", "2024-13-01 10:00:00", "2024-02-30", "abc", "1965-03-01 00:00:00",
              "2031-01-01 00:00:00", "", "  ", None, "NaN", "2024-03-01", "2024-01-02T03:04:05Z"]
    parsed = parse(values + ["2024-01-01 10:00:00"] * 40)
    assert parsed.invalid.tolist()[:12] == [False, True, True, True, True, True, False, False, False, False,
                                            False, False]
    assert parsed.values.iloc[:12].isna().tolist() == [False] + [True] * 9 + [False, False]
    assert parsed.values.iloc[10] == ts("2024-03-01")
    assert parsed.values.iloc[11] == ts("2024-01-02 03:04:05")
    reasons = parsed.reasons.tolist()
    assert reasons[1].startswith("could not read '2024-13-01 10:00:00' as a date")
    assert reasons[4] == "date 1965-03-01 is before 1970"
    assert reasons[5] == "date 2031-01-01 is more than 1 year in the future"
    assert reasons[0] is None and reasons[6] is None


def test_eu_column_rejects_a_13th_month_instead_of_swapping_day_and_month():
    values = ["31/12/2024 18:05", "12/13/2024 10:00", "13/13/2024 10:00", "31/12/2024", "15.06.2024 10:00"]
    parsed = parse(values + ["31/12/2024 18:05"] * 40)
    assert parsed.format.kind == "eu"
    assert parsed.invalid.tolist()[:5] == [False, True, True, False, False]
    assert parsed.values.iloc[3] == ts("2024-12-31")
    assert parsed.values.iloc[4] == ts("2024-06-15 10:00")


def test_us_column_reads_leftover_shapes_month_first():
    values = ["12/31/2024 6:05 PM", "13/12/2024 6:05 PM", "12/31/2024", "1/2/24"]
    parsed = parse(values + ["12/31/2024 6:05 PM"] * 40)
    assert parsed.invalid.tolist()[:4] == [False, True, False, False]
    assert parsed.values.iloc[3] == ts("2024-01-02")


def test_epoch_bad_values():
    values = ["1303862400", "-5", "abc", "1303862400.5", "99999999999999999999", "2024-01-01"]
    parsed = parse(values + ["1303862400"] * 40)
    assert parsed.format.kind == "epoch_s"
    assert parsed.invalid.tolist()[:6] == [False, True, True, False, True, False]
    assert parsed.values.iloc[3] == ts("2011-04-27 00:00:00.5")
    assert parsed.reasons.iloc[1] == "date 1969-12-31 is before 1970"


def test_given_format_is_used_as_is():
    fmt = detect_timestamp_format(pd.Series(["31/12/2024"]))
    assert parse(["01/02/2024"], fmt).values.iloc[0] == ts("2024-02-01")


def test_numbers_and_datetimes_are_accepted():
    epochs = parse_timestamps(pd.Series([1303862400, None]), now=NOW)
    assert epochs.values.tolist()[0] == ts("2011-04-27")
    assert epochs.invalid.tolist() == [False, False]
    aware = pd.Series(pd.to_datetime(["2024-01-01 10:00+01:00", None], utc=True))
    assert parse_timestamps(aware, now=NOW).values.tolist()[0] == ts("2024-01-01 09:00")


def test_index_is_kept():
    parsed = parse_timestamps(pd.Series(["2024-01-01", "bad"], index=[10, 20]), now=NOW)
    assert parsed.values.index.tolist() == parsed.invalid.index.tolist() == parsed.reasons.index.tolist() == [10, 20]


def test_empty_column_parses_to_nat_without_errors():
    parsed = parse(["", None])
    assert parsed.values.isna().all() and not parsed.invalid.any()


@pytest.mark.parametrize("values", [[], ["", None], ["male", "female"], ["abc", "xyz 1", "q"]])
def test_detect_rejects_what_is_not_dates(values):
    with pytest.raises(ValueError, match="dates"):
        detect_timestamp_format(pd.Series(values, dtype=object))


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="Unknown timestamp kind"):
        TimestampFormat("lunar", None, False, "")


@pytest.mark.parametrize("kind", ["iso", "epoch"])
def test_million_rows_parse_correctly(kind):
    seconds = np.random.default_rng(0).integers(1_300_000_000, 1_700_000_000, 1_000_000)
    expected = pd.to_datetime(seconds, unit="s")
    if kind == "iso":
        values = pd.Series(expected.strftime("%Y-%m-%d %H:%M:%S"), dtype="str")
    else:
        values = pd.Series(seconds.astype(str), dtype="str")
    parsed = parse_timestamps(values, now=NOW)
    assert not parsed.invalid.any()
    assert np.array_equal(parsed.values.to_numpy(), expected.to_numpy().astype("datetime64[us]"))
