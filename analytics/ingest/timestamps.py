"""Detect how a column writes its dates and parse it, vectorised, into naive UTC timestamps."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics.ingest.shown import quoted

TIMESTAMP_KINDS: tuple[str, ...] = ("iso", "us", "eu", "epoch_s", "epoch_ms", "twitter", "text")

# A strftime must read at least this share of the sample to be used for the whole column.
FORMAT_MIN_SHARE = 0.95
# Below this share of readable values the column is not treated as dates at all.
DATES_MIN_SHARE = 0.5
SAMPLE_SIZE = 1000

_EARLIEST = np.datetime64("1970-01-01T00:00:00", "us")
_EXAMPLE = datetime(2024, 12, 31, 18, 5, 0, tzinfo=timezone.utc)
_EMPTY_TOKENS = ("", "nan", "none", "null", "nat", "n/a", "na", "-", "--")

_EPOCH_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_ISO_RE = re.compile(r"^\d{4}([-/.])\d{1,2}\1\d{1,2}(?:$|[T ])")
_DMY_RE = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?:$|[T ,])")
_TWITTER_RE = re.compile(r"^[A-Za-z]{3} [A-Za-z]{3} \d{1,2} \d{1,2}:\d{2}:\d{2} [+-]\d{4} \d{4}$")
_OFFSET_RE = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm])?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT)$")

# Arrow regexes (RE2) used on whole columns.
_ARROW_ISO = r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
_ARROW_DMY = r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}(?:$|[T ,])"
_ARROW_NUMBER = r"^[+-]?\d+(?:\.\d+)?$"

_TIME_SUFFIXES = ("", " %H:%M", " %H:%M:%S", " %H:%M:%S.%f", " %I:%M %p", " %I:%M:%S %p",
                  "T%H:%M", "T%H:%M:%S", "T%H:%M:%S.%f")
_OFFSET_SUFFIXES = ("", "%z", " %z")
_TEXT_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y",
                 "%b %d, %Y %I:%M %p", "%B %d, %Y %I:%M %p", "%d %b %Y %H:%M", "%d %b %Y %H:%M:%S",
                 "%a, %d %b %Y %H:%M:%S %z", "%a, %d %b %Y %H:%M:%S GMT", "%Y-%m-%d %H:%M:%S UTC")
_TWITTER_FORMAT = "%a %b %d %H:%M:%S %z %Y"


@dataclass(frozen=True)
class TimestampFormat:
    """How a column writes its dates.

    Attributes
    ----------
    kind : str
        One of ``TIMESTAMP_KINDS``: ``"iso"`` (year first), ``"us"`` (month first), ``"eu"`` (day
        first), ``"epoch_s"``, ``"epoch_ms"``, ``"twitter"`` or ``"text"`` (anything else pandas
        or dateutil can read).
    strftime : str or None
        The exact format when one reads at least 95% of the sample; None when values vary.
    has_offset : bool
        Whether values carry a UTC offset or zone (they are converted to UTC).
    label : str
        A description for the UI, e.g. ``"day/month/year (EU), e.g. 31/12/2024 18:05"``.
    ambiguous : bool
        True when no value told day-first from month-first apart.
    """

    kind: str
    strftime: str | None
    has_offset: bool
    label: str
    ambiguous: bool = False

    def __post_init__(self) -> None:
        if self.kind not in TIMESTAMP_KINDS:
            raise ValueError(f"Unknown timestamp kind {self.kind!r}; use one of {', '.join(TIMESTAMP_KINDS)}.")


@dataclass(frozen=True)
class ParsedTimestamps:
    """The result of :func:`parse_timestamps`.

    Attributes
    ----------
    values : pd.Series
        ``datetime64[us]`` naive UTC, NaT where empty or invalid; same index as the input.
    invalid : pd.Series
        Boolean: a non-empty value that could not be read, or a date before 1970 or more than a
        year in the future.
    reasons : pd.Series
        Why each invalid value was rejected; None elsewhere.
    format : TimestampFormat
        The format used.
    """

    values: pd.Series
    invalid: pd.Series
    reasons: pd.Series
    format: TimestampFormat


def detect_timestamp_format(sample: pd.Series) -> TimestampFormat:
    """Detect how a column writes its dates from a sample of its raw values.

    Parameters
    ----------
    sample : pd.Series
        Raw values (``str`` or None); blanks are ignored. At most 1,000 evenly spaced values are
        looked at.

    Returns
    -------
    TimestampFormat

    Raises
    ------
    ValueError
        When the sample is empty or fewer than half its values read as dates.

    Notes
    -----
    Day-first and month-first dates are told apart by values above 12 in either position. When
    no value decides it, the reading that keeps the sample in chronological order is used if one
    clearly does, dotted dates (``31.12.2024``) are read day-first, and anything else month-first;
    the label then says "ambiguous".

    Examples
    --------
    >>> detect_timestamp_format(pd.Series(["31/12/2024 18:05", "01/02/2024 09:00"])).label
    'day/month/year (EU), e.g. 31/12/2024 18:05'
    """
    text = _clean_text(sample)
    return _detect(text[text.notna()])


def parse_timestamps(values: pd.Series, fmt: TimestampFormat | None = None, *,
                     now: datetime | pd.Timestamp | None = None) -> ParsedTimestamps:
    """Parse a column of raw date values into naive UTC timestamps.

    The detected (or given) format reads the whole column in one vectorised pass; only the values
    it cannot read are retried value by value (``format="mixed"``), with a check that day-first
    or month-first values were not silently swapped.

    Parameters
    ----------
    values : pd.Series
        Raw values (``str`` or None); numbers and datetimes are accepted too.
    fmt : TimestampFormat, optional
        The format to use; detected from the values when None.
    now : datetime, optional
        Reference time for the "more than a year in the future" check; the current UTC time by
        default.

    Returns
    -------
    ParsedTimestamps
        Values with offsets or zones are converted to UTC; values without are kept as written.
        Empty values are NaT and not invalid.

    Raises
    ------
    ValueError
        When no format is given and the values do not look like dates.

    Examples
    --------
    >>> parse_timestamps(pd.Series(["2015-02-24 11:35:52 -0800"])).values.iloc[0]
    Timestamp('2015-02-24 19:35:52')
    """
    if not isinstance(values, pd.Series):
        raise ValueError(f"parse_timestamps needs a pandas Series, got {type(values).__name__}.")
    index = values.index
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        parsed = pd.Series(values.to_numpy(), index=index) if values.dt.tz is None else values.dt.tz_convert(None)
        empty = values.isna()
        text = None
        fmt = fmt or _make_format("iso", None, values.dt.tz is not None)
    else:
        text = _clean_text(values)
        empty = text.isna()
        if fmt is None:
            if bool(empty.all()):
                fmt = TimestampFormat("iso", None, False, "no dates (the column is empty)")
            else:
                fmt = _detect(text[~empty])
        parsed = _parse_text(text, empty, fmt)
    result = parsed.astype("datetime64[us]")
    result.index = index

    unread = (~empty & result.isna()).to_numpy()
    now_ts = pd.Timestamp(now) if now is not None else pd.Timestamp.now(tz="UTC")
    if now_ts.tzinfo is not None:
        now_ts = now_ts.tz_convert("UTC").tz_localize(None)
    latest = np.datetime64(now_ts.as_unit("us").to_datetime64() + np.timedelta64(365, "D"))
    stamps = result.to_numpy(copy=True)
    too_early = ~np.isnat(stamps) & (stamps < _EARLIEST)
    too_late = ~np.isnat(stamps) & (stamps > latest)

    reasons = pd.Series([None] * len(index), index=index, dtype=object)
    if unread.any():
        shown = values[unread].astype("str").str.slice(0, 60)
        reasons[unread] = ("could not read '" + shown + "' as a date (column format: " + fmt.label + ")").tolist()
    for mask, tail in ((too_early, " is before 1970"), (too_late, " is more than 1 year in the future")):
        if mask.any():
            reasons[mask] = ("date " + result[mask].dt.strftime("%Y-%m-%d") + tail).tolist()
            stamps[mask] = np.datetime64("NaT")
    result = pd.Series(stamps, index=index, dtype="datetime64[us]")
    invalid = pd.Series(unread | too_early | too_late, index=index, dtype=bool)
    return ParsedTimestamps(values=result, invalid=invalid, reasons=reasons, format=fmt)


def _detect(text: pd.Series) -> TimestampFormat:
    """Detect the format from cleaned, non-empty values."""
    if text.empty:
        raise ValueError("No dates to read: the column is empty.")
    if len(text) > SAMPLE_SIZE:
        text = text.iloc[np.linspace(0, len(text) - 1, SAMPLE_SIZE).astype(int)]
    values: list[str] = text.tolist()
    if not any(ch.isdigit() for v in values[:200] for ch in v):
        raise ValueError(f"These values do not look like dates: none has a digit (e.g. {quoted(values[0])}). "
                         "Choose another column for the timestamp.")

    shapes = pd.Series([_shape_of(v) for v in values])
    shape = shapes.value_counts().index[0]
    if shape == "number":
        return _detect_numeric(values)
    if shape == "twitter":
        return _make_format("twitter", _TWITTER_FORMAT, True)
    # Offsets on a few values are still converted; the format says so when most values have one.
    has_offset = sum(bool(_OFFSET_RE.search(v)) for v in values) >= 0.5 * len(values)
    if shape == "iso":
        sep = _ISO_RE.match(values[int(np.argmax(shapes.to_numpy() == "iso"))]).group(1)
        strftime = _best_format(values, [f"%Y{sep}%m{sep}%d{t}{o}" for t in _TIME_SUFFIXES
                                         for o in _OFFSET_SUFFIXES])
        return _make_format("iso", strftime, has_offset)
    if shape == "dmy":
        return _detect_day_month(values, has_offset)
    strftime = _best_format(values, list(_TEXT_FORMATS))
    if strftime is None:
        parsed = pd.to_datetime(pd.Series(values, dtype="str"), format="mixed", errors="coerce", utc=True)
        share = float(parsed.notna().mean())
        if share < DATES_MIN_SHARE:
            unread = [v for v, ok in zip(values, parsed.notna()) if not ok][:3]
            raise ValueError(
                f"These values do not look like dates: only {share:.0%} of the sample could be read "
                f"(e.g. {', '.join(quoted(v) for v in unread)}). Choose another column for the timestamp.")
    return _make_format("text", strftime, has_offset or bool(strftime and "%z" in strftime))


def _clean_text(values: pd.Series) -> pd.Series:
    """Strip values and turn blanks and null markers ('NaN', 'null', 'N/A', '-') into NaN; Chinese dates are
    rewritten as ISO ones (:func:`_from_chinese`)."""
    text = values.astype("str").str.strip()
    text = text.mask(text.str.lower().isin(_EMPTY_TOKENS))
    if bool(text.str.contains("[年月]", regex=True).fillna(False).any()):
        text = _from_chinese(text)
    return text


_CHINESE_DATE = re.compile(r"^(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_CHINESE_TIME = re.compile(r"(\d{1,2})\s*[时點点:：]\s*(\d{1,2})\s*分?(?:\s*(\d{1,2})\s*秒)?")


def _from_chinese(text: pd.Series) -> pd.Series:
    """``2024年3月5日 14时05分`` as ``2024-03-05 14:05``. A date without its year (``3月5日``) takes the year
    most dates of the column are written with; with no year anywhere it stays as written, and is rejected."""
    dated = text.str.extract(_CHINESE_DATE)
    years = dated[0].dropna()
    usual_year = years.value_counts().index[0] if len(years) else None
    year = dated[0].fillna(usual_year) if usual_year is not None else dated[0]
    found = dated[1].notna() & year.notna()
    if not found.any():
        return text
    iso = year[found] + "-" + dated[1][found].str.zfill(2) + "-" + dated[2][found].str.zfill(2)
    rest = text[found].str.replace(_CHINESE_DATE, "", regex=True).str.replace(
        _CHINESE_TIME, lambda m: f"{int(m.group(1)):02d}:{int(m.group(2)):02d}"
        + (f":{int(m.group(3)):02d}" if m.group(3) else ""), regex=True).str.strip()
    out = text.copy()
    out[found] = (iso + " " + rest).str.strip()
    return out


def _shape_of(value: str) -> str:
    if _EPOCH_RE.match(value):
        return "number"
    if _ISO_RE.match(value):
        return "iso"
    if _DMY_RE.match(value):
        return "dmy"
    if _TWITTER_RE.match(value):
        return "twitter"
    return "other"


def _read_share(values: list[str], strftime: str) -> float:
    parsed = pd.to_datetime(pd.Series(values, dtype="str"), format=strftime, errors="coerce", utc=True)
    return float(parsed.notna().mean())


def _best_format(values: list[str], candidates: list[str]) -> str | None:
    best, best_share = None, 0.0
    for candidate in candidates:
        share = _read_share(values, candidate)
        if share > best_share:
            best, best_share = candidate, share
        if share == 1.0:
            break
    return best if best_share >= FORMAT_MIN_SHARE else None


def _detect_numeric(values: list[str]) -> TimestampFormat:
    numbers = pd.Series([v for v in values if _EPOCH_RE.match(v)], dtype="str")
    # 20241231 is a date written without separators, not 1970-08-23 in Unix seconds.
    if _read_share(numbers.tolist(), "%Y%m%d") >= FORMAT_MIN_SHARE and bool(numbers.str.len().eq(8).all()):
        return _make_format("iso", "%Y%m%d", False)
    magnitude = float(np.median(np.abs(pd.to_numeric(numbers).to_numpy(dtype=float))))
    return _make_format("epoch_s" if magnitude < 1e11 else "epoch_ms", None, False)


def _detect_day_month(values: list[str], has_offset: bool) -> TimestampFormat:
    matches = [m for m in (_DMY_RE.match(v) for v in values) if m]
    first = np.array([int(m.group(1)) for m in matches])
    second = np.array([int(m.group(3)) for m in matches])
    sep = pd.Series([m.group(2) for m in matches]).value_counts().index[0]
    year = "%Y" if pd.Series([len(m.group(4)) for m in matches]).value_counts().index[0] == 4 else "%y"
    day_first_votes, month_first_votes = int((first > 12).sum()), int((second > 12).sum())

    def candidates(kind: str) -> list[str]:
        date = f"%d{sep}%m{sep}{year}" if kind == "eu" else f"%m{sep}%d{sep}{year}"
        return [date + t + o for t in _TIME_SUFFIXES for o in _OFFSET_SUFFIXES]

    ambiguous, note = False, ""
    if day_first_votes or month_first_votes:
        kind = "eu" if day_first_votes > month_first_votes else "us"
    else:
        ambiguous = True
        years = np.array([int(m.group(4)) for m in matches])
        years = np.where(years < 100, 2000 + years, years)
        kind, note = _resolve_ambiguous(first, second, years, sep)
    strftime = _best_format(values, candidates(kind))
    return _make_format(kind, strftime, has_offset, ambiguous=ambiguous, note=note)


def _resolve_ambiguous(first: np.ndarray, second: np.ndarray, years: np.ndarray, sep: str) -> tuple[str, str]:
    """Pick day-first or month-first when every day and month is 12 or less."""
    spreads = {}
    for kind, month, day in (("us", first, second), ("eu", second, first)):
        dates = pd.to_datetime(pd.DataFrame({"year": years, "month": month, "day": day}), errors="coerce").dropna()
        # Rows exported in time order change little from one to the next under the right reading.
        spreads[kind] = float(dates.diff().abs().dt.total_seconds().sum()) if len(dates) > 2 else 0.0
    if spreads["us"] > 0 and spreads["eu"] > 0:
        if spreads["eu"] < 0.5 * spreads["us"]:
            return "eu", "ambiguous: read as day/month, which keeps the rows in date order"
        if spreads["us"] < 0.5 * spreads["eu"]:
            return "us", "ambiguous: read as month/day, which keeps the rows in date order"
    if sep == ".":
        return "eu", "ambiguous: read as day/month, as dotted dates usually are"
    return "us", "ambiguous: read as month/day"


def _make_format(kind: str, strftime: str | None, has_offset: bool, *, ambiguous: bool = False,
                 note: str = "") -> TimestampFormat:
    names = {
        "iso": "year-month-day (ISO)",
        "us": "month/day/year (US)",
        "eu": "day/month/year (EU)",
        "epoch_s": "Unix time in seconds",
        "epoch_ms": "Unix time in milliseconds",
        "twitter": "Twitter style",
        "text": "written-out dates",
    }
    name = names[kind]
    if note:
        name = f"{name[:-1]}; {note})" if name.endswith(")") else f"{name} ({note})"
    if kind == "epoch_s":
        example = str(int(_EXAMPLE.timestamp()))
    elif kind == "epoch_ms":
        example = str(int(_EXAMPLE.timestamp()) * 1000)
    elif strftime is not None:
        example = _EXAMPLE.strftime(strftime)
    elif kind == "text":
        return TimestampFormat(kind, None, has_offset, "mixed formats, read value by value", ambiguous)
    else:
        example = {"iso": "2024-12-31 18:05:00", "us": "12/31/2024 18:05", "eu": "31/12/2024 18:05"}[kind]
    if has_offset and kind not in ("twitter", "epoch_s", "epoch_ms"):
        name += " with UTC offset"
    return TimestampFormat(kind, strftime, has_offset, f"{name}, e.g. {example}", ambiguous)


def _parse_text(text: pd.Series, empty: pd.Series, fmt: TimestampFormat) -> pd.Series:
    """Parse cleaned text with the format in one pass, then retry the leftovers."""
    if fmt.kind in ("epoch_s", "epoch_ms"):
        parsed = _parse_epoch(text, fmt.kind)
    elif fmt.strftime is not None:
        parsed = _to_utc_naive(pd.to_datetime(text, format=fmt.strftime, errors="coerce", utc=True))
    elif fmt.kind == "iso":
        parsed = _to_utc_naive(pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True))
    else:
        parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    parsed = parsed.astype("datetime64[us]")
    left = (~empty & parsed.isna()).to_numpy()
    if left.any():
        parsed[left] = _parse_leftovers(text[left], fmt).to_numpy()
    return parsed


def _parse_epoch(text: pd.Series, kind: str) -> pd.Series:
    array = pa.array(text, type=pa.large_string(), from_pandas=True)
    is_number = pc.fill_null(pc.match_substring_regex(array, _ARROW_NUMBER), False)
    numbers = pc.cast(pc.if_else(is_number, array, pa.scalar(None, pa.large_string())), pa.float64())
    seconds = numbers.to_numpy(zero_copy_only=False)
    if kind == "epoch_ms":
        seconds = seconds / 1000.0
    # Keep within datetime64[us] (about ±292,000 years); anything beyond is unreadable anyway.
    seconds = np.where(np.abs(seconds) < 9e12, seconds, np.nan)
    micros = np.round(seconds * 1e6)
    stamps = np.where(np.isnan(micros), np.iinfo(np.int64).min, np.nan_to_num(micros)).astype(np.int64)
    return pd.Series(stamps.view("datetime64[us]"), index=text.index)


def _to_utc_naive(parsed: pd.Series) -> pd.Series:
    return parsed.dt.tz_localize(None) if parsed.dt.tz is not None else parsed


def _parse_leftovers(text: pd.Series, fmt: TimestampFormat) -> pd.Series:
    """Read the values the main format missed, one shape at a time, never swapping day and month."""
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    array = pa.array(text, type=pa.large_string(), from_pandas=True)
    iso = pc.fill_null(pc.match_substring_regex(array, _ARROW_ISO), False).to_numpy(zero_copy_only=False)
    dmy = pc.fill_null(pc.match_substring_regex(array, _ARROW_DMY), False).to_numpy(zero_copy_only=False)
    number = pc.fill_null(pc.match_substring_regex(array, _ARROW_NUMBER), False).to_numpy(zero_copy_only=False)
    if iso.any():
        out[iso] = _to_utc_naive(pd.to_datetime(text[iso], format="ISO8601", errors="coerce", utc=True)).to_numpy()
    if dmy.any():
        day_first = fmt.kind == "eu"
        part = text[dmy]
        parsed = _to_utc_naive(pd.to_datetime(part, format="mixed", dayfirst=day_first, errors="coerce", utc=True))
        numbers = part.str.extract(r"^(\d{1,2})\D(\d{1,2})\D")
        month = pd.to_numeric(numbers[1] if day_first else numbers[0]).to_numpy()
        day = pd.to_numeric(numbers[0] if day_first else numbers[1]).to_numpy()
        agrees = (parsed.dt.month.to_numpy() == month) & (parsed.dt.day.to_numpy() == day)
        out[dmy] = parsed.where(agrees).to_numpy()
    # Bare numbers in a column of written dates are not dates (dateutil would read '2024' as a year).
    rest = ~(iso | dmy | number)
    if rest.any():
        out[rest] = _to_utc_naive(pd.to_datetime(text[rest], format="mixed", dayfirst=fmt.kind == "eu",
                                                 errors="coerce", utc=True)).to_numpy()
    return out
