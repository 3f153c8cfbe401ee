"""Delimiter, header and column-type sniffing for delimited text files."""
from __future__ import annotations

import csv
import re
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pandas as pd

from analytics.schema import CANONICAL_FIELDS

DELIMITER_LABELS: dict[str, str] = {
    ",": "comma (,)", ";": "semicolon (;)", "\t": "tab", "|": "pipe (|)", ":": "colon (:)",
}
_CANDIDATES = (",", ";", "\t", "|")
_SNIFF_RECORDS = 1000
_HEADER_ROWS = 200
_TYPE_SAMPLE = 2000

_MISSING_TOKENS = {"na", "n/a", "nan", "null", "none", "nil", "-", "--", "?", "#n/a"}
_BOOLEAN_TOKENS = {"true", "false", "yes", "no", "y", "n", "t", "f"}
_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(
    r"^[+-]?(?:"
    r"\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?"           # 12, 12.5, 12,5, 1e-3
    r"|[.,]\d+"                                    # .5
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?"               # 1,234,567.89
    r"|\d{1,3}(?:\.\d{3})+(?:,\d+)?"               # 1.234.567,89
    r"|\d{1,3}(?:[ \u00a0\u202f'’]\d{3})+(?:[.,]\d+)?"  # 1 234 567,89 and 1'234.50
    r")$"
)
_CURRENCY_OR_PERCENT = re.compile(r"^[$€£¥₹]\s*|\s*(?:[$€£¥₹%]|usd|eur|gbp)$", re.IGNORECASE)
_DATE_SHAPE = re.compile(
    r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|\d\s+(?:jan|feb|mar|apr|may|jun|"
    r"jul|aug|sep|oct|nov|dec)"
    r"|^\d{4}-\d{2}-\d{2}T\d",
    re.IGNORECASE,
)
_EPOCH_SECONDS = (631_152_000, 2_208_988_800)  # 1990-01-01 to 2040-01-01
_SENTENCE = re.compile(r"[.!?]\s|[.!?]$|\s{2,}")
_NAME_LIKE = re.compile(r"^[^\W\d]?[\w .\-/#%()&+'’\[\]]{0,40}$")
_KNOWN_NAMES = {s.casefold() for f in CANONICAL_FIELDS for s in (f.name, *f.synonyms)} | {
    "name", "title", "summary", "subject", "status", "type", "label", "sentiment", "country", "city",
    "region", "email", "phone", "gender", "age", "language", "index", "url", "notes", "count", "quantity",
}


@dataclass(frozen=True)
class Dialect:
    """How a delimited text file is laid out."""

    delimiter: str
    quotechar: str
    has_header: bool
    label: str
    line_terminator: str = "\n"


def split_lines(text: str, newline: str, *, limit: int | None = None) -> list[str]:
    """Split text into lines on ``newline`` only, keeping the endings (like a file opened with ``newline=''``).

    With ``limit``, only the first ``limit`` complete lines are returned.
    """
    if limit is not None:
        parts = text.split(newline, limit)
        return [p + newline for p in parts[:limit]] if len(parts) > limit else split_lines(text, newline)
    parts = text.split(newline)
    last = parts.pop()
    lines = [p + newline for p in parts]
    if last:
        lines.append(last)
    return lines


def detect_line_terminator(text: str) -> str:
    """``"\\r"`` for old Mac files that end lines with bare carriage returns, else ``"\\n"``."""
    lf = text.count("\n")
    bare_cr = text.count("\r") - text.count("\r\n")
    return "\r" if lf == 0 and bare_cr > 0 else "\n"


def iter_records(lines: Iterable[str], delimiter: str, quotechar: str = '"') -> Iterator[list[str] | csv.Error]:
    """Parse lines with :mod:`csv`; a record the parser refuses is yielded as its ``csv.Error``.

    Blank lines are skipped. The parser resumes on the next line after an error, so one broken
    record never ends the file.
    """
    reader = csv.reader(lines, delimiter=delimiter, quotechar=quotechar, doublequote=True, strict=False)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield exc
            continue
        if not record or (len(record) == 1 and not record[0].strip()):
            continue
        yield record


def _delimiter_score(lines: Sequence[str], delimiter: str) -> tuple[float, int, bool]:
    """(share of records with the most common field count, that count, whether the first record has it)."""
    counts = []
    for record in iter_records(lines, delimiter):
        counts.append(-1 if isinstance(record, csv.Error) else len(record))
        if len(counts) >= _SNIFF_RECORDS:
            break
    if not counts:
        return 0.0, 0, False
    tally = Counter(counts)
    mode, hits = max(tally.items(), key=lambda item: (item[1], item[0]))
    return hits / len(counts), mode, counts[0] == mode


def sniff_dialect(text_sample: str, *, filename: str = "") -> Dialect:
    """Find the delimiter and whether the first row is a header.

    Each candidate delimiter (``,`` ``;`` tab ``|``, and ``:`` as a last resort) parses the
    sample with :mod:`csv`, so delimiters and line breaks inside quoted fields are handled; the
    one giving the most consistent field count above one wins.

    Parameters
    ----------
    text_sample : str
        The decoded start of the file, ideally cut at a line end.
    filename : str
        Used only to prefer tab for ``.tsv`` files.

    Returns
    -------
    Dialect
        A file with a single column gets delimiter ``","``.

    Examples
    --------
    >>> sniff_dialect("id;review\\n1;good, fast\\n2;bad\\n").label
    'semicolon (;)'
    """
    newline = detect_line_terminator(text_sample)
    lines = split_lines(text_sample, newline, limit=_SNIFF_RECORDS * 4)
    scores = {d: _delimiter_score(lines, d) for d in _CANDIDATES}
    usable = {d: s for d, s in scores.items() if s[1] > 1}
    tab = scores["\t"]
    if filename.lower().endswith(".tsv") and tab[1] > 1 and tab[0] >= 0.8:
        delimiter = "\t"
    elif usable:
        # Consistency first, then a header row that agrees, then more columns, then the usual order.
        delimiter = max(usable, key=lambda d: (round(usable[d][0] + 0.05 * usable[d][2], 3), usable[d][1],
                                               -_CANDIDATES.index(d)))
        if usable[delimiter][0] < 0.5:
            colon = _delimiter_score(lines, ":")
            if colon[1] > 1 and colon[0] > usable[delimiter][0]:
                delimiter = ":"
    else:
        colon = _delimiter_score(lines, ":")
        delimiter = ":" if colon[1] > 1 and colon[0] >= 0.9 else ","
    rows = [r for r in iter_records(lines[: _HEADER_ROWS * 4], delimiter) if not isinstance(r, csv.Error)]
    return Dialect(delimiter=delimiter, quotechar='"', has_header=detect_header(rows[:_HEADER_ROWS]),
                   label=DELIMITER_LABELS[delimiter], line_terminator=newline)


def _value_kind(value: str) -> str:
    """"missing", "boolean", "integer", "number", "date" or "text" for one stripped cell."""
    if not value or value.casefold() in _MISSING_TOKENS:
        return "missing"
    if len(value) > 40:  # no number, date or flag is this long; skip the regexes on review texts
        return "text"
    if value.casefold() in _BOOLEAN_TOKENS:
        return "boolean"
    if _INTEGER.match(value):
        return "integer"
    if _NUMBER.match(_CURRENCY_OR_PERCENT.sub("", value)):
        return "number"
    if any(ch.isdigit() for ch in value) and _DATE_SHAPE.search(value):
        return "date"
    return "text"


def _header_vote(name: str, values: list[str]) -> float:
    """How strongly one column says "the first row is a header" (positive) or "data" (negative)."""
    if not name:
        return 0.0
    kind = _value_kind(name)
    kinds = [_value_kind(v) for v in values]
    kinds = [k for k in kinds if k != "missing"]
    if kind in ("integer", "number", "date"):
        return -1.0
    if kind == "boolean":  # "yes"/"no" on top of more of them is data; a column called "y" is not
        return -1.0 if "boolean" in kinds else -0.25
    vote = 0.0
    if kinds and sum(k in ("integer", "number", "date", "boolean") for k in kinds) >= 0.8 * len(kinds):
        vote += 1.0
    if name.casefold() in {v.casefold() for v in values}:
        vote -= 1.0
    if name.casefold().replace(" ", "_") in _KNOWN_NAMES or name.casefold() in _KNOWN_NAMES:
        vote += 1.0
    elif _SENTENCE.search(name) or len(name) > 60:
        vote -= 0.5
    elif len(name.split()) > 4:  # column names are rarely more than a few words
        vote -= 0.25
    elif _NAME_LIKE.match(name):
        lengths = [len(v) for v in values if v]
        typical = sorted(lengths)[len(lengths) // 2] if lengths else 0
        vote += 0.5 if typical > 2 * len(name) + 10 else 0.25
    return vote


def detect_header(rows: Sequence[Sequence[str | None]]) -> bool:
    """Whether the first of some parsed rows is a header.

    Each column votes: a text first cell over numbers or dates below is a header; a number or a
    date in the first row, or a first cell repeated further down, is data; a short name-like
    first cell (``customer_id``, ``Review Text``) leans towards a header, a sentence towards data.

    Parameters
    ----------
    rows : sequence of sequences of str or None
        The first rows of the file, as strings.

    Returns
    -------
    bool

    Examples
    --------
    >>> detect_header([["id", "score"], ["1", "5"], ["2", "3"]])
    True
    >>> detect_header([["1", "great"], ["2", "bad"]])
    False
    """
    if not rows:
        return False
    first = [(c or "").strip().lstrip("\ufeff") for c in rows[0]]
    rest = [[(c or "").strip() for c in r] for r in rows[1:]]
    if not any(first):
        return False
    if not rest:
        return all(_value_kind(c) == "text" and not _SENTENCE.search(c) for c in first if c)
    total = 0.0
    for j, name in enumerate(first):
        total += _header_vote(name, [r[j] for r in rest if j < len(r)])
    named = [c.casefold() for c in first if c]
    total -= 0.25 * (len(named) - len(set(named)))
    return total > 0


def _column_type(values: list[str]) -> str:
    kinds = [_value_kind(v) for v in values]
    present = [(v, k) for v, k in zip(values, kinds) if k != "missing"]
    if not present:
        return "empty"
    tally = Counter(k for _, k in present)
    n = len(present)

    def share(*names: str) -> float:
        return sum(tally[name] for name in names) / n

    if share("boolean") >= 0.95:
        return "boolean"
    if share("integer") >= 0.95:
        digits = [v.lstrip("+-") for v, k in present if k == "integer"]
        if all(len(d) in (9, 10) for d in digits) or all(len(d) in (12, 13) for d in digits):
            scale = 1 if len(digits[0]) <= 10 else 1000
            low, high = _EPOCH_SECONDS
            if all(low * scale <= int(d) <= high * scale for d in digits):
                return "epoch"
        return "integer"
    if share("integer", "number") >= 0.95:
        return "number"
    if share("date", "integer") >= 0.9 and tally["date"]:
        dates = [v for v, k in present if k == "date"][:300]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = pd.to_datetime(pd.Series(dates, dtype=object), format="mixed", errors="coerce", utc=True)
        if parsed.notna().mean() >= 0.9:
            return "datetime"
    distinct = len({v for v, _ in present})
    mean_length = sum(len(v) for v, _ in present) / n
    if n >= 4 and distinct <= min(20, 0.6 * n) and mean_length <= 40:
        return "category"
    return "text"


def infer_column_types(frame: pd.DataFrame) -> dict[str, str]:
    """Guess what each column of string values holds.

    Parameters
    ----------
    frame : pd.DataFrame
        Raw values (strings or None), e.g. a file preview; the first 2,000 rows are used.

    Returns
    -------
    dict of str to str
        Column name → one of ``"empty"``, ``"integer"``, ``"number"``, ``"boolean"``,
        ``"datetime"``, ``"epoch"`` (9–10 or 12–13 digit integers between 1990 and 2040),
        ``"category"`` (few distinct values) or ``"text"``. Thousands separators, decimal commas,
        currency signs and percent signs still count as numbers; 0/1 columns are integers.

    Examples
    --------
    >>> infer_column_types(pd.DataFrame({"n": ["1,5", "2"], "t": ["hi", None]}))
    {'n': 'number', 't': 'text'}
    """
    types: dict[str, str] = {}
    head = frame.head(_TYPE_SAMPLE)
    for column in head.columns:
        cells = head[column].tolist()
        values = ["" if c is None or (isinstance(c, float) and c != c) else str(c).strip() for c in cells]
        types[str(column)] = _column_type(values)
    return types
