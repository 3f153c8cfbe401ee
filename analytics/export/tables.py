"""CSV and XLSX exports with spreadsheet formulas neutralised (OWASP CSV injection guidance)."""
from __future__ import annotations

import io
import math
import numbers
import re
from datetime import date, datetime

import numpy as np
import pandas as pd
import xlsxwriter

# A cell starting with one of these is run as a formula by Excel / LibreOffice / Sheets.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_EXCEL_MAX_ROWS = 1_048_576
_EXCEL_MAX_COLS = 16_384
_EXCEL_MAX_CHARS = 32_767
_SHEET_FORBIDDEN = set("[]:*?/\\")


_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise_text(value: str) -> str:
    """Prefix an apostrophe so the spreadsheet shows the value as text, not a formula; "-3.5" stays a number."""
    if value.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _neutralise_object(value: object) -> object:
    return neutralise_text(value) if isinstance(value, str) else value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Make every text cell that a spreadsheet would run as a formula read as text.

    Parameters
    ----------
    frame : DataFrame
        Any frame; not mutated.

    Returns
    -------
    DataFrame
        A copy in which strings (cells and column names) starting with ``=``, ``+``, ``-``,
        ``@``, tab or carriage return get a leading apostrophe. Numbers, dates and missing values
        are untouched, so a float ``-3.5`` stays a number.

    Examples
    --------
    >>> neutralise_formulas(pd.DataFrame({"a": ["=1+1", "ok"], "b": [-3.5, 2.0]}))["a"].tolist()
    ["'=1+1", 'ok']
    """
    out = frame.copy()
    for j in range(out.shape[1]):
        column = out.iloc[:, j]
        dtype = column.dtype
        if dtype == object or isinstance(dtype, pd.CategoricalDtype):
            out.isetitem(j, column.astype(object).map(_neutralise_object))
        elif pd.api.types.is_string_dtype(dtype):
            risky = (column.str.startswith(FORMULA_PREFIXES, na=False)
                     & ~column.str.fullmatch(_PLAIN_NUMBER.pattern, na=False)).astype(bool)
            if risky.any():
                out.isetitem(j, column.where(~risky, "'" + column))
    if not isinstance(out.columns, pd.MultiIndex):
        out.columns = [_neutralise_object(name) for name in out.columns]
    return out


def to_parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Serialise a frame to Parquet (typed columns, for notebooks and BI tools; the index is not written).

    Formulas are neutralised here too, so a file converted to a spreadsheet later stays safe.
    """
    out = neutralise_formulas(frame)
    for j in range(out.shape[1]):
        column = out.iloc[:, j]
        if column.dtype == object and len({type(v) for v in column.dropna()}) > 1:
            # Parquet columns have one type: a column mixing numbers and text is written as text.
            out.isetitem(j, column.map(str, na_action="ignore"))
    buffer = io.BytesIO()
    out.to_parquet(buffer, index=False)
    return buffer.getvalue()


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Serialise a frame to CSV that Excel opens safely and with accents intact.

    Parameters
    ----------
    frame : DataFrame
        Rows to export; the index is not written.

    Returns
    -------
    bytes
        UTF-8 with a byte-order mark, comma-separated, CRLF line ends, formulas neutralised
        (see :func:`neutralise_formulas`), datetimes as ISO ``YYYY-MM-DD HH:MM:SS``.
    """
    text = neutralise_formulas(frame).to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def _check_sheet_name(sheet_name: str) -> None:
    if (
        not isinstance(sheet_name, str)
        or not 1 <= len(sheet_name) <= 31
        or _SHEET_FORBIDDEN & set(sheet_name)
        or sheet_name.startswith("'")
        or sheet_name.endswith("'")
    ):
        raise ValueError(
            f"sheet_name={sheet_name!r} is not a valid Excel sheet name: use 1–31 characters, none of "
            "[ ] : * ? / \\ and no apostrophe at either end."
        )


def _naive_utc(value: pd.Timestamp | datetime) -> datetime:
    """Excel has no time zones: aware datetimes are written as naive UTC."""
    if value.tzinfo is not None:
        value = pd.Timestamp(value).tz_convert("UTC").tz_localize(None)
    return value.to_pydatetime() if isinstance(value, pd.Timestamp) else value


class _SheetWriter:
    """Write cells by Python type: never as formulas, URLs or numbers parsed from text."""

    def __init__(self, workbook: xlsxwriter.Workbook, worksheet) -> None:
        self.ws = worksheet
        self.datetime_fmt = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})

    def text(self, row: int, col: int, value: str) -> None:
        self.ws.write_string(row, col, neutralise_text(value)[:_EXCEL_MAX_CHARS])

    def number(self, row: int, col: int, value: float) -> None:
        if math.isnan(value):
            return
        if math.isinf(value):  # Excel cannot store infinity; keep it visible as text
            self.ws.write_string(row, col, "inf" if value > 0 else "'-inf")
            return
        self.ws.write_number(row, col, value)

    def moment(self, row: int, col: int, value: datetime | date) -> None:
        if isinstance(value, datetime):
            value = _naive_utc(value)
            plain_date = value.hour == value.minute == value.second == value.microsecond == 0
            self.ws.write_datetime(row, col, value, self.date_fmt if plain_date else self.datetime_fmt)
        else:
            self.ws.write_datetime(row, col, datetime(value.year, value.month, value.day), self.date_fmt)

    def any(self, row: int, col: int, value: object) -> None:
        if value is None or value is pd.NaT or value is pd.NA:
            return
        if isinstance(value, str):
            self.text(row, col, value)
        elif isinstance(value, (bool, np.bool_)):
            self.ws.write_boolean(row, col, bool(value))
        elif isinstance(value, numbers.Real):
            self.number(row, col, float(value))
        elif isinstance(value, (datetime, date)):
            self.moment(row, col, value)
        elif isinstance(value, np.datetime64):
            if not np.isnat(value):
                self.moment(row, col, pd.Timestamp(value).to_pydatetime())
        else:
            self.text(row, col, str(value))


def _write_column(writer: _SheetWriter, col: int, column: pd.Series) -> None:
    dtype = column.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        if getattr(dtype, "tz", None) is not None:
            column = column.dt.tz_convert("UTC").dt.tz_localize(None)
        plain_dates = bool((column.dropna() == column.dropna().dt.normalize()).all())
        fmt = writer.date_fmt if plain_dates else writer.datetime_fmt
        for row, value in enumerate(column.tolist(), start=1):
            if not pd.isna(value):
                writer.ws.write_datetime(row, col, value.to_pydatetime(), fmt)
    elif pd.api.types.is_bool_dtype(dtype) and not column.isna().any():
        for row, value in enumerate(column.tolist(), start=1):
            writer.ws.write_boolean(row, col, bool(value))
    elif pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        for row, value in enumerate(column.to_numpy(dtype=float, na_value=np.nan).tolist(), start=1):
            writer.number(row, col, value)
    else:
        for row, value in enumerate(column.tolist(), start=1):
            if isinstance(value, float) and math.isnan(value):
                continue
            writer.any(row, col, value)


def _column_width(name: str, column: pd.Series) -> float:
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return 20.0
    sample = column.head(200).dropna().astype(str).str.len()
    longest = max([len(name), *sample.tolist()]) if len(sample) else len(name)
    return float(min(max(longest + 2, 8), 60))


def to_xlsx_bytes(frame: pd.DataFrame, *, sheet_name: str = "Gapsight") -> bytes:
    """Serialise a frame to an Excel workbook with one sheet.

    Parameters
    ----------
    frame : DataFrame
        Rows to export; the index is not written.
    sheet_name : str, default "Gapsight"
        Name of the sheet (Excel rules: 1–31 characters, none of ``[]:*?/\\``).

    Returns
    -------
    bytes
        An ``.xlsx`` file: a bold header row (frozen, with filters), strings written as strings
        (never formulas or URLs, and neutralised as in :func:`neutralise_formulas`), numbers as
        numbers, datetimes as real Excel dates (time-zone aware ones converted to UTC), missing
        values as empty cells. Strings longer than Excel's 32,767 characters are cut.

    Raises
    ------
    ValueError
        If the sheet name is invalid or the frame exceeds Excel's 1,048,576 rows or 16,384
        columns.
    """
    _check_sheet_name(sheet_name)
    n_rows, n_cols = frame.shape
    if n_rows + 1 > _EXCEL_MAX_ROWS or n_cols > _EXCEL_MAX_COLS:
        raise ValueError(
            f"{n_rows:,} rows × {n_cols:,} columns do not fit an Excel sheet "
            f"(max {_EXCEL_MAX_ROWS - 1:,} rows × {_EXCEL_MAX_COLS:,} columns); export CSV instead or filter."
        )
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
         "strings_to_numbers": False},
    )
    worksheet = workbook.add_worksheet(sheet_name)
    writer = _SheetWriter(workbook, worksheet)
    header_fmt = workbook.add_format({"bold": True, "bottom": 1})
    for col in range(n_cols):
        name = frame.columns[col]
        name = " / ".join(map(str, name)) if isinstance(name, tuple) else str(name)
        worksheet.write_string(0, col, neutralise_text(name)[:_EXCEL_MAX_CHARS], header_fmt)
        column = frame.iloc[:, col]
        _write_column(writer, col, column)
        worksheet.set_column(col, col, _column_width(name, column))
    if n_cols:
        worksheet.freeze_panes(1, 0)
        worksheet.autofilter(0, 0, max(n_rows, 1), n_cols - 1)
    workbook.close()
    return buffer.getvalue()
