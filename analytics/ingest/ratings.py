"""Detect the scale of a rating column (stars, 0–10, thumbs …) and normalise it to 0–1."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics.ingest.shown import shorten
from analytics.language import normalise_width

RATING_KINDS: tuple[str, ...] = ("stars_1_5", "scale_1_10", "scale_0_10", "scale_0_100", "scale_0_5", "thumbs",
                                 "binary_0_1", "custom")

# Below this share of readable values a column is not treated as ratings at all.
RATINGS_MIN_SHARE = 0.5
# With at least OUTLIER_MIN_VALUES values, up to 1% may fall outside a standard scale and be rejected
# one by one instead of stretching the scale (a stray "44" must not turn 1–5 stars into 0–100).
OUTLIER_MIN_VALUES = 100
OUTLIER_SHARE = 0.01

_EMPTY_TOKENS = ("", "nan", "none", "null", "n/a", "na", "-", "--")
_THUMBS = {
    "thumbs up": 1.0, "thumbs-up": 1.0, "thumbs_up": 1.0, "thumbsup": 1.0, "thumb up": 1.0, "up": 1.0,
    "yes": 1.0, "like": 1.0, "liked": 1.0, "👍": 1.0,
    "thumbs down": 0.0, "thumbs-down": 0.0, "thumbs_down": 0.0, "thumbsdown": 0.0, "thumb down": 0.0,
    "down": 0.0, "no": 0.0, "dislike": 0.0, "disliked": 0.0, "👎": 0.0,
}
# A number, optionally "%", "/ 5", "out of 10", "stars" or "points": "4", "4,5", "4/5", "8 out of 10", "5 stars".
# Chinese too: "5星", "4.5颗星", "4分", "8分/10" (numerals as in "五星" are read as digits first).
_NUMBER_TEXT = (r"^(?P<num>[+-]?\d+(?:[.,]\d+)?)\s*(?P<pct>%)?\s*(?:分)?\s*"
                r"(?:(?:/|out\s+of|of|满分)\s*(?P<den>\d+(?:[.,]\d+)?)\s*(?:分)?)?\s*"
                r"(?:stars?|points?|pts?|颗星|个星|星级|星|分)?$")
# Chinese shops' review classes, read on 1–5 stars (Taobao and JD: 好评 4–5 stars, 中评 2–3, 差评 1).
_REVIEW_CLASSES = {"好评": 5.0, "中评": 3.0, "差评": 1.0}
_FULL_MARKS = ("满分", "满星")  # "full marks": the top of whatever scale the column is on
_CHINESE_NUMERALS = {"一": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8",
                     "九": "9", "十": "10"}
_STARS = r"^[★☆]+$|^\*+$"


@dataclass(frozen=True)
class RatingScale:
    """The scale a rating column is written on.

    Attributes
    ----------
    kind : str
        One of ``RATING_KINDS``.
    low, high : float
        The worst and best possible values (thumbs: down 0, up 1).
    label : str
        For the UI, e.g. ``"1–5 stars"``.
    """

    kind: str
    low: float
    high: float
    label: str

    def __post_init__(self) -> None:
        if self.kind not in RATING_KINDS:
            raise ValueError(f"Unknown rating scale {self.kind!r}; use one of {', '.join(RATING_KINDS)}.")
        if not self.high > self.low:
            raise ValueError(f"A rating scale needs high > low, got low={self.low:g}, high={self.high:g}.")

    @property
    def range_text(self) -> str:
        """The range as written in messages, e.g. ``"1–5"``."""
        return f"{self.low:g}–{self.high:g}"


STANDARD_SCALES: dict[str, RatingScale] = {
    "stars_1_5": RatingScale("stars_1_5", 1.0, 5.0, "1–5 stars"),
    "scale_0_5": RatingScale("scale_0_5", 0.0, 5.0, "0–5 scale"),
    "scale_1_10": RatingScale("scale_1_10", 1.0, 10.0, "1–10 scale"),
    "scale_0_10": RatingScale("scale_0_10", 0.0, 10.0, "0–10 scale"),
    "scale_0_100": RatingScale("scale_0_100", 0.0, 100.0, "0–100 scale"),
    "thumbs": RatingScale("thumbs", 0.0, 1.0, "thumbs up/down"),
    "binary_0_1": RatingScale("binary_0_1", 0.0, 1.0, "0/1"),
}
# The standard scales in the order a scale picker lists them.
RATING_SCALES: tuple[RatingScale, ...] = tuple(STANDARD_SCALES.values())


@dataclass(frozen=True)
class ParsedRatings:
    """The result of :func:`normalise_ratings`.

    Attributes
    ----------
    raw : pd.Series
        Float value on the original scale (thumbs up 1, down 0); NaN where empty or invalid.
    normalised : pd.Series
        ``(raw - low) / (high - low)`` in 0–1; NaN where empty or invalid.
    invalid : pd.Series
        Boolean: a non-empty value that could not be read or falls outside the scale.
    reasons : pd.Series
        Why each invalid value was rejected; None elsewhere.
    scale : RatingScale
        The scale used.
    """

    raw: pd.Series
    normalised: pd.Series
    invalid: pd.Series
    reasons: pd.Series
    scale: RatingScale


def detect_rating_scale(values: pd.Series) -> RatingScale:
    """Detect the scale a column of raw ratings is written on.

    Parameters
    ----------
    values : pd.Series
        Raw values (``str`` or None; numbers are accepted too): ``"4"``, ``"4.5"``, ``"4,5"``,
        ``"5 stars"``, ``"4/5"``, ``"★★★★"``, ``"8 out of 10"``, ``"80%"``, ``"thumbs up"``,
        ``"👍"``, ``"yes"``/``"no"``, ``"like"``/``"dislike"``. Blanks are ignored.

    Returns
    -------
    RatingScale
        ``binary_0_1`` when only 0 and 1 appear; ``stars_1_5`` when every value lies in 1–5
        (even if no 1 appears); ``scale_0_5`` for 0–5 with a 0; ``scale_1_10`` / ``scale_0_10``
        when the maximum is at most 10 (0–10 when a 0 appears); ``scale_0_100`` up to 100;
        ``custom`` (minimum to maximum) otherwise. ``"x/5"`` or ``"out of 10"`` decide the scale
        by their denominator. From 100 values on, up to 1% outliers are left outside the scale
        (and rejected by :func:`normalise_ratings`) rather than stretching it.

    Raises
    ------
    ValueError
        When the column is empty, fewer than half of its values read as ratings, or every value is
        the same number outside the standard scales.

    Examples
    --------
    >>> detect_rating_scale(pd.Series(["2", "4", "5"])).label
    '1–5 stars'
    """
    return _detect_scale(_read_values(values))


def normalise_ratings(values: pd.Series, scale: RatingScale | None = None, *, name: str = "rating") -> ParsedRatings:
    """Read raw ratings and map them to 0–1 on their scale.

    Parameters
    ----------
    values : pd.Series
        Raw values, as for :func:`detect_rating_scale`.
    scale : RatingScale, optional
        The scale to use, e.g. the rating column's scale for the ``expected`` column; detected from
        the values when None.
    name : str
        What the values are, for messages ("rating", "expectation").

    Returns
    -------
    ParsedRatings
        Empty values are NaN and not invalid. Values that do not read, fall outside the scale, or
        say a different scale (``"8/10"`` on 1–5 stars) are invalid with a reason.

    Raises
    ------
    ValueError
        When no scale is given and none can be detected (see :func:`detect_rating_scale`).

    Examples
    --------
    >>> normalise_ratings(pd.Series(["1", "3", "5"])).normalised.tolist()
    [0.0, 0.5, 1.0]
    """
    if not isinstance(values, pd.Series):
        raise ValueError(f"normalise_ratings needs a pandas Series, got {type(values).__name__}.")
    readings = _read_values(values)
    present = readings.present
    if scale is None:
        scale = _detect_scale(readings) if present.any() else STANDARD_SCALES["stars_1_5"]
    raw = readings.number.copy()
    form, denominator = readings.form, readings.denominator
    raw[form == _FULL_FORM] = scale.high  # "满分" is the top of the column's scale

    unread = present & np.isnan(raw)
    wrong_form = np.zeros(len(raw), dtype=bool)
    if scale.kind not in ("thumbs", "binary_0_1"):
        wrong_form |= form == _THUMBS_FORM
    if scale.kind != "scale_0_100":
        wrong_form |= form == _PERCENT
    wrong_form |= ~np.isnan(denominator) & (denominator != scale.high)
    wrong_form &= present
    outside = present & ~unread & ~wrong_form & ((raw < scale.low) | (raw > scale.high))
    invalid = unread | wrong_form | outside
    raw[invalid | ~present] = np.nan

    reasons = np.full(len(raw), None, dtype=object)
    for mask, template in (
            (unread, "{name} '{text}' is not a number, stars or thumbs up/down"),
            (wrong_form, "{name} '{text}' is not on the {label} scale used for this column"),
            (outside, "{name} {number:g} is outside the {range} scale")):
        positions = np.flatnonzero(mask)
        if not len(positions):
            continue
        # One message per distinct value: a wrong scale can make every row invalid.
        codes, uniques = pd.factorize(readings.text.iloc[positions])
        first = positions[np.unique(codes, return_index=True)[1]]
        messages = np.array([
            template.format(name=name, text=shorten(text), number=float(number), label=scale.label,
                            range=scale.range_text)
            for text, number in zip(uniques.tolist(), readings.number[first].tolist())], dtype=object)
        reasons[positions] = messages[codes]

    index = values.index
    normalised = (raw - scale.low) / (scale.high - scale.low)
    return ParsedRatings(
        raw=pd.Series(raw, index=index, dtype=float),
        normalised=pd.Series(normalised, index=index, dtype=float),
        invalid=pd.Series(invalid, index=index, dtype=bool),
        reasons=pd.Series(reasons, index=index, dtype=object),
        scale=scale,
    )




@dataclass(frozen=True)
class _Readings:
    """Each value read: the cleaned text, whether it is non-empty, its number, form and '/ n' denominator."""

    text: pd.Series
    present: np.ndarray
    number: np.ndarray
    form: np.ndarray  # one of _NUMBER, _STARS_FORM, _PERCENT, _THUMBS_FORM
    denominator: np.ndarray


_NUMBER, _STARS_FORM, _PERCENT, _THUMBS_FORM, _FULL_FORM = 0, 1, 2, 3, 4


def _read_values(values: pd.Series) -> _Readings:
    text = values.astype("str").str.strip()
    array = pa.array(text, type=pa.large_string(), from_pandas=True)
    lowered = pc.utf8_lower(array)
    blank = pc.is_in(lowered, value_set=pa.array(_EMPTY_TOKENS))
    present = pc.and_(pc.is_valid(lowered), pc.invert(blank)).to_numpy(zero_copy_only=False)
    n = len(text)
    denominator = np.full(n, np.nan)
    form = np.zeros(n, dtype=np.int8)

    # Plain numbers in one vectorised pass; the text forms are matched only for what is left.
    plain = pc.fill_null(pc.match_substring_regex(lowered, r"^[+-]?\d+(?:[.,]\d+)?$"), False)
    numeric = pc.cast(pc.if_else(plain, pc.replace_substring(lowered, ",", "."),
                                 pa.scalar(None, pa.large_string())), pa.float64())
    number = numeric.to_numpy(zero_copy_only=False).astype(float, copy=True)
    rest = present & ~plain.to_numpy(zero_copy_only=False)
    if rest.any():
        words = pd.Series(lowered.filter(pa.array(rest)).to_pylist(), dtype="str")
        words = words.str.replace(r"[\U0001F3FB-\U0001F3FF\uFE0F]", "", regex=True)
        words = words.str.replace(r"\s+", " ", regex=True).map(normalise_width)
        words = words.str.replace(r"^([一二两三四五六七八九十])(?=\s*(?:颗星|个星|星|分))",
                                  lambda m: _CHINESE_NUMERALS[m.group(1)], regex=True)
        classes = words.map(_REVIEW_CLASSES).to_numpy(dtype=float, na_value=np.nan)
        full = words.isin(_FULL_MARKS).to_numpy(dtype=bool)
        thumbs = words.map(_THUMBS).to_numpy(dtype=float, na_value=np.nan)
        is_thumbs = ~np.isnan(thumbs)
        stars = words.str.fullmatch(_STARS).fillna(False).to_numpy(dtype=bool)
        star_count = (words.str.count("★") + words.str.count(r"\*")).to_numpy(dtype=float)
        found = words.str.extract(_NUMBER_TEXT)
        num = found["num"].str.replace(",", ".", regex=False).astype(float).to_numpy()
        den = found["den"].str.replace(",", ".", regex=False).astype(float).to_numpy()
        pct = found["pct"].notna().to_numpy()

        number[rest] = np.where(is_thumbs, thumbs, np.where(stars, star_count, np.where(np.isnan(classes), num,
                                                                                       classes)))
        denominator[rest] = np.where(is_thumbs | stars, np.nan, den)
        form[rest] = np.where(is_thumbs, _THUMBS_FORM, np.where(stars, _STARS_FORM, np.where(
            full, _FULL_FORM, np.where(pct, _PERCENT, _NUMBER))))
    number[~np.isfinite(number)] = np.nan  # "1e999" or 400 digits: no rating is infinite
    denominator[~np.isfinite(denominator)] = np.nan
    return _Readings(text=text, present=present, number=number, form=form, denominator=denominator)


def _detect_scale(readings: _Readings) -> RatingScale:
    present = readings.present
    readable = present & ~np.isnan(readings.number)
    n_present = int(present.sum())
    if n_present == 0:
        raise ValueError("No ratings to read: the column is empty.")
    share = readable.sum() / n_present
    if share < RATINGS_MIN_SHARE:
        unread = readings.text[present & ~readable].drop_duplicates().head(3).tolist()
        raise ValueError(
            f"These values do not look like ratings: only {share:.0%} are numbers, stars or thumbs up/down "
            f"(e.g. {', '.join(repr(v) for v in unread)}). Map another column to the rating, or none.")

    form = readings.form[readable]
    numbers = readings.number[readable]
    if (form == _THUMBS_FORM).sum() * 2 >= len(form):
        return STANDARD_SCALES["thumbs"]
    denominators = readings.denominator[readable]
    denominators = denominators[~np.isnan(denominators)]
    if len(denominators) * 2 >= len(form):
        return _scale_out_of(float(pd.Series(denominators).mode().iloc[0]), has_zero=bool((numbers == 0).any()))
    if (form == _PERCENT).sum() * 2 >= len(form):
        return STANDARD_SCALES["scale_0_100"]
    return _scale_from_numbers(numbers[form != _THUMBS_FORM])


def _scale_out_of(denominator: float, *, has_zero: bool) -> RatingScale:
    if denominator == 5:
        return STANDARD_SCALES["scale_0_5" if has_zero else "stars_1_5"]
    if denominator == 10:
        return STANDARD_SCALES["scale_0_10" if has_zero else "scale_1_10"]
    if denominator == 100:
        return STANDARD_SCALES["scale_0_100"]
    if denominator <= 0:
        raise ValueError(f"Cannot tell the rating scale: most ratings are out of {denominator:g} (like '3/0'). "
                         "Choose the scale by hand.")
    return RatingScale("custom", 0.0, denominator, f"custom scale 0 to {denominator:g}")


def _scale_from_numbers(numbers: np.ndarray) -> RatingScale:
    distinct = set(np.unique(numbers).tolist())
    if distinct == {0.0, 1.0}:
        return STANDARD_SCALES["binary_0_1"]
    tolerance = OUTLIER_SHARE if len(numbers) >= OUTLIER_MIN_VALUES else 0.0
    has_zero = bool((numbers == 0).any())
    for kind in ("stars_1_5", "scale_0_5", "scale_1_10", "scale_0_10", "scale_0_100"):
        scale = STANDARD_SCALES[kind]
        if kind in ("scale_0_5", "scale_0_10") and not has_zero:
            continue
        outside = ((numbers < scale.low) | (numbers > scale.high)).mean()
        if outside <= tolerance:
            return scale
    low, high = float(numbers.min()), float(numbers.max())
    if low == high:
        raise ValueError(f"Cannot tell the rating scale: every value is {low:g}. Choose the scale by hand.")
    return RatingScale("custom", low, high, f"custom scale {low:g} to {high:g}")
