"""Parse money-like numbers written the way spreadsheets and exports write them."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.language import normalise_width

# Symbols and codes around the number, Chinese ones too: ¥ / ￥, 元, 块 (colloquial yuan), RMB, CNY.
_CURRENCY = re.compile(r"[\s$€£¥₹￥]|(?<=\d)(?:usd|eur|gbp|cny|rmb|元|块钱?|人民币)$|^(?:usd|eur|gbp|cny|rmb|人民币)",
                       re.IGNORECASE)
_DECIMAL_COMMA = re.compile(r"^-?\d{1,3}(?:\.\d{3})*,\d+$|^-?\d+,\d{1,2}$")


@dataclass(frozen=True)
class ParsedNumbers:
    """Numbers parsed from text: values (NaN when empty or invalid) and which non-empty ones failed."""

    values: pd.Series
    invalid: pd.Series


def parse_amounts(values: pd.Series) -> ParsedNumbers:
    """Parse amounts such as ``1,234.50``, ``€12,50``, ``-3`` or ``(4.00)``.

    Examples
    --------
    >>> parse_amounts(pd.Series(["1,234.50", "€12,50", "", "abc", "¥1,299.50", "88元", "RMB 20"])).values.tolist()
    [1234.5, 12.5, nan, nan, 1299.5, 88.0, 20.0]
    """
    cells = [None if _is_missing(v) else str(v).strip() for v in values.tolist()]
    cells = [c if c else None for c in cells]
    parsed = pd.to_numeric(pd.Series(cells, index=values.index, dtype=object), errors="coerce").astype("float64")
    for position in (parsed.isna() & pd.Series([c is not None for c in cells], index=values.index)).to_numpy().nonzero()[0]:
        parsed.iat[position] = _parse_one(cells[position])
    parsed = parsed.where(np.isfinite(parsed))  # "inf", "1e999" or a 4,301-digit number is no amount
    empty = pd.Series([c is None for c in cells], index=values.index)
    invalid = parsed.isna() & ~empty
    return ParsedNumbers(values=parsed, invalid=invalid.astype(bool))


def _parse_one(value: str) -> float:
    text = _CURRENCY.sub("", _CURRENCY.sub("", normalise_width(value).lower()))
    negative = text.startswith("(") and text.endswith(")")
    text = text.strip("()")
    if _DECIMAL_COMMA.match(text):
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    try:
        number = float(text)
    except ValueError:
        return float("nan")
    return -number if negative else number


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)
