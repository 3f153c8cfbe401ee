"""Normalise raw cell values (None, NaN, pd.NA, numbers) into text."""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["clean_text"]


def clean_text(value: object) -> str:
    """``value`` as stripped text; ``None``, NaN and ``pd.NA`` become ``""``.

    Examples
    --------
    >>> clean_text("  hi "), clean_text(None), clean_text(float("nan")), clean_text(3)
    ('hi', '', '', '3')
    """
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value).strip()
