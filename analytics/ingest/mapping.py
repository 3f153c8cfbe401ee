"""Suggest which source column feeds each canonical field, by column names first and contents second."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache

import numpy as np
import pandas as pd

from analytics.ingest.ratings import normalise_ratings
from analytics.ingest.timestamps import detect_timestamp_format, parse_timestamps
from analytics.schema import CANONICAL_FIELDS, CANONICAL_NAMES

# Values looked at per column when checking contents.
SAMPLE_SIZE = 500
# Content rules: free text needs a median length above this many characters.
TEXT_MIN_MEDIAN_CHARS = 25
# A name match for a typed field (timestamp, rating, expected, amount) is kept only when at least
# this share of the column's values read as that type.
NAME_MATCH_MIN_SHARE = 0.5
# A column whose sampled values are less distinct than this groups rows (one id per product or order)
# and is never suggested as record_id; a few repeats in a real id column are left to the import,
# which rejects them with their reason (and the Data page warns beforehand when they are many).
ID_MIN_DISTINCT_SHARE = 0.9
CONTENT_MIN_SHARE = 0.9
# Content rules look at no more than this many unmatched columns per field (leftmost first), so a
# suggestion for a very wide export stays fast; names are matched on every column.
CONTENT_MAX_COLUMNS = 200

_SCORE_EXACT = 1.0
_SCORE_HINT = 0.8  # exact match with one of the extra names below
_SCORE_CONTENT = 0.5

# Names real exports use that the schema's synonyms lack (tweets call the author's handle "name").
# They are looser than synonyms, so they match only the whole name and score below a synonym.
_EXTRA_NAMES: dict[str, tuple[str, ...]] = {
    "customer_id": ("user", "screen_name", "author", "profile_name", "reviewer_id", "reviewerid", "member_id",
                    "contact_id", "client"),
    "timestamp": ("ts", "time_stamp", "date_time", "posted_at", "created_on", "published_at", "sent_at"),
    "record_id": ("uid", "uuid", "row_id", "comment_id", "feedback_id", "survey_id"),
    "category": ("brand", "manufacturer"),  # a brand groups products, but a real category column beats it
}
# Names that only hint: a bare "name" is the author in tweet exports but the product in review
# exports, so any column that names a customer outright ("reviews.username") wins over it.
_WEAK_NAMES: dict[str, tuple[str, ...]] = {"customer_id": ("name",)}
_SCORE_WEAK = 0.6
# Survey item columns (ECSI, ACSI, SERVQUAL exports): "sat1", "CUSA2" are satisfaction items and
# "expe1", "CUEX3" expectation items; the first such column feeds the field.
_SURVEY_ITEMS: dict[str, re.Pattern] = {
    "rating": re.compile(r"^(?:sat|satis|satisfaction|cusa|csat)_?\d+$"),
    "expected": re.compile(r"^(?:expe|expect|expectation|cuex)_?\d+$"),
}
# Synonyms too generic to count when they are only a part of a longer name ("product_id" is not a
# record id; "total_items" is not an amount).
_EXACT_ONLY = frozenset({"id", "value", "total", "source", "order", "medium", "time", "id号"})
_ID_TOKENS = frozenset({"id", "ids", "no", "num", "number", "nr", "count", "qty", "quantity", "code", "key",
                        "index", "idx", "zip", "phone", "year", "age"})
# Type names as given by the readers' type inference (analytics.dialect.infer_column_types).
_DATE_TYPES = frozenset({"datetime", "date", "epoch"})
_NUMBER_TYPES = frozenset({"integer", "int", "number", "float", "numeric", "epoch"})
_CHANNEL_WORDS = frozenset({
    "email", "e-mail", "mail", "chat", "livechat", "phone", "call", "calls", "telephone", "voice", "sms",
    "text", "web", "website", "webform", "form", "online", "app", "mobile", "ios", "android", "social",
    "twitter", "x", "facebook", "instagram", "tiktok", "linkedin", "youtube", "whatsapp", "messenger",
    "wechat", "weibo", "review", "reviews", "store", "in-store", "instore", "retail", "shop", "branch",
    "survey", "forum", "community", "trustpilot", "yelp", "google", "play", "appstore", "ticket",
    "helpdesk", "support", "callcenter", "contact", "center", "centre", "media", "live", "in", "message",
    "微信", "微博", "电话", "邮件", "网站", "门店", "客服", "app端", "小程序",
})
_CHANNEL_CORE = frozenset(w for w in _CHANNEL_WORDS if w not in {"in", "live", "media", "center", "centre",
                                                                "contact", "play", "form", "text", "x"})
# Names of a sentiment class column (review corpora ship 1 = positive / 0 = negative as "label"): such a column
# holding only 0 and 1 is a two-point rating, which the app reads as negative / positive.
_SENTIMENT_LABEL_NAMES = frozenset({"label", "labels", "sentiment", "polarity", "target", "class", "y", "标签",
                                    "情感", "极性", "情感标签", "情感倾向"})
_STAR_TEXT = re.compile(r"★|☆|\bstars?\b|/\s*(?:5|10)\b|out of|thumb|👍|👎")


@dataclass(frozen=True)
class MappingSuggestion:
    """A suggested mapping from canonical fields to source columns.

    Attributes
    ----------
    mapping : dict[str, str or None]
        Every field in ``CANONICAL_NAMES`` → the source column, or None.
    scores : dict[str, float]
        Confidence per field in 0–1: 1 for an exact name, less for a partial name or a content
        match, 0 when unmapped.
    reasons : dict[str, str]
        Why each field got its column (or none), for the UI.
    """

    mapping: dict[str, str | None]
    scores: dict[str, float]
    reasons: dict[str, str]


def normalise_column_name(name: object) -> str:
    """Normalise a column name for matching: camelCase split, lowercase, separators to ``_``.

    Parameters
    ----------
    name : object
        A column name; non-strings are turned into strings.

    Returns
    -------
    str

    Examples
    --------
    >>> normalise_column_name("CustomerID"), normalise_column_name("Review Text")
    ('customer_id', 'review_text')
    """
    return _normalised(str(name))


@lru_cache(maxsize=1 << 16)  # bounded: a long-running server sees many files' names
def _normalised(name: str) -> str:
    text = name.strip()
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", text)
    text = re.sub(r"[^\w]+|_+", "_", text.lower())
    return text.strip("_")


def suggest_mapping(frame: pd.DataFrame, *, column_types: dict[str, str] | None = None) -> MappingSuggestion:
    """Suggest a source column for every canonical field.

    Names decide first: an exact synonym from the schema (``review_text`` → text, ``createdAt``
    → timestamp, ``UserId`` → customer_id, ``内容`` → text), then a synonym contained in a longer
    name (``Review Score`` → rating). Names of typed fields are checked against the values
    (a ``Time`` column must hold dates or epochs). Fields still unmapped are then found by
    content: the longest free text (median over 25 characters) → text; dates or epochs →
    timestamp; small whole numbers in 1–5 or 1–10, or star text → rating; a few channel-like
    values (email, chat, phone …) → channel. Each column feeds at most one field; conflicts go to
    the higher score.

    Parameters
    ----------
    frame : pd.DataFrame
        The raw data (or its first rows), values as ``str`` or None.
    column_types : dict[str, str], optional
        Types already inferred per column ("string", "integer", "float", "boolean", "datetime");
        "datetime" columns count as dates, "boolean" and numeric ones are never free text.

    Returns
    -------
    MappingSuggestion

    Raises
    ------
    ValueError
        When ``column_types`` names a column the frame does not have, or the frame has duplicate
        column names.

    Examples
    --------
    >>> frame = pd.DataFrame({"Score": ["5", "1"], "Text": ["Great coffee, fast delivery", "Stale"]})
    >>> suggest_mapping(frame).mapping["rating"]
    'Score'
    """
    columns = [str(c) for c in frame.columns]
    if len(set(columns)) != len(columns):
        duplicates = sorted({c for c in columns if columns.count(c) > 1})
        raise ValueError(f"The file has duplicate column names ({', '.join(duplicates)}); rename them first.")
    types = {str(k): str(v).lower() for k, v in (column_types or {}).items()}
    unknown = sorted(set(types) - set(columns))
    if unknown:
        raise ValueError(f"column_types names columns that are not in the data: {', '.join(unknown)}.")
    profiles = {name: _ColumnProfile(name, frame.iloc[:, i], types.get(name)) for i, name in enumerate(columns)}

    mapping: dict[str, str | None] = {field: None for field in CANONICAL_NAMES}
    scores: dict[str, float] = {field: 0.0 for field in CANONICAL_NAMES}
    reasons: dict[str, str] = {}
    rejected: dict[str, str] = {}

    candidates = []
    for field_index, field in enumerate(CANONICAL_FIELDS):
        for column_index, column in enumerate(columns):
            match = _name_match(field.name, column)
            if match is None:
                continue
            score, reason = match
            problem = profiles[column].contradicts(field.name)
            if problem:
                rejected.setdefault(field.name, f"name '{column}' matches {field.name}, but {problem}")
                continue
            candidates.append((-score, field_index, column_index, field.name, column, reason))
    taken: set[str] = set()
    for negative_score, _, _, field, column, reason in sorted(candidates):
        if mapping[field] is None and column not in taken:
            mapping[field], scores[field], reasons[field] = column, -negative_score, reason
            taken.add(column)

    for field, finder in (("timestamp", _find_timestamp), ("text", _find_text), ("rating", _find_rating),
                          ("channel", _find_channel)):
        if mapping[field] is not None:
            continue
        found = finder([profiles[c] for c in columns if c not in taken][:CONTENT_MAX_COLUMNS])
        if found is not None:
            column, reason = found
            mapping[field], scores[field], reasons[field] = column, _SCORE_CONTENT, reason
            taken.add(column)

    for field in CANONICAL_NAMES:
        if field not in reasons:
            reasons[field] = rejected.get(field, f"no column name or content matched {field}")
    return MappingSuggestion(mapping=mapping, scores=scores, reasons=reasons)


def validate_mapping(mapping: dict[str, str | None], columns: Sequence[str]) -> list[str]:
    """List the problems with a mapping, in words a user can act on.

    Parameters
    ----------
    mapping : dict[str, str or None]
        Canonical field → source column (None for unmapped).
    columns : sequence of str
        The columns of the source file.

    Returns
    -------
    list of str
        Empty when the mapping can be used.

    Examples
    --------
    >>> validate_mapping({"text": "body", "rating": "body"}, ["body"])
    ["Column 'body' is mapped to both text and rating; map it to one field only."]
    """
    problems: list[str] = []
    known = [str(c) for c in columns]
    for field, column in mapping.items():
        if field not in CANONICAL_NAMES:
            problems.append(f"'{field}' is not a Gapsight field; use one of {', '.join(CANONICAL_NAMES)}.")
        elif column is not None and column not in known:
            shown = ", ".join(known[:20]) + (" …" if len(known) > 20 else "")
            problems.append(f"Column '{column}' (mapped to {field}) is not in the file; its columns are {shown}.")
    by_column: dict[str, list[str]] = {}
    for field, column in mapping.items():
        if column is not None and field in CANONICAL_NAMES:
            by_column.setdefault(column, []).append(field)
    for column, fields in by_column.items():
        if len(fields) > 1:
            problems.append(f"Column '{column}' is mapped to both {' and '.join(fields)}; map it to one field only.")
    order_lines = mapping.get("order_id") is not None and (
        mapping.get("item") is not None or mapping.get("product") is not None)
    if mapping.get("text") is None and mapping.get("rating") is None and not order_lines:
        problems.append("Map at least a text or a rating column (or order_id with item or product for order "
                        "lines): Gapsight needs what customers wrote, how they rated or what they bought.")
    return problems


def _name_match(field: str, column: str) -> tuple[float, str] | None:
    """Score how well a column name names a field (None when it does not)."""
    name = normalise_column_name(column)
    if not name:  # a name of symbols only ("%", "#") names nothing
        return None
    joined = name.replace("_", "")
    tokens = name.split("_")
    best: tuple[float, str] | None = None
    for synonym, target in _synonym_targets(field):
        if name == target or joined == target.replace("_", ""):
            return _SCORE_EXACT, f"name '{column}' matches {field}"
        if target in _EXACT_ONLY:
            continue
        if synonym.isascii():
            parts = target.split("_")
            contained = all(p in tokens for p in parts)
            share = len(parts) / len(tokens)
        else:
            contained = target in name
            share = len(target) / len(name)
        if contained:
            score = round(0.5 + 0.4 * share, 3)
            if best is None or score > best[0]:
                best = (score, f"name '{column}' contains '{synonym}' ({field})")
    for extra in _EXTRA_NAMES.get(field, ()):
        if name == extra or joined == extra.replace("_", ""):
            if best is None or _SCORE_HINT > best[0]:
                best = (_SCORE_HINT, f"name '{column}' usually means {field}")
    survey = _SURVEY_ITEMS.get(field)
    if survey is not None and survey.match(name) and (best is None or _SCORE_HINT > best[0]):
        best = (_SCORE_HINT, f"name '{column}' is a survey item of {field}")
    if best is None and name in _WEAK_NAMES.get(field, ()):
        best = (_SCORE_WEAK, f"name '{column}' may mean {field}")
    return best


@cache
def _synonym_targets(field: str) -> tuple[tuple[str, str], ...]:
    """A field's name and synonyms, each with its normalised form (computed once per field)."""
    synonyms = (field, *next(f.synonyms for f in CANONICAL_FIELDS if f.name == field))
    return tuple((synonym, normalise_column_name(synonym)) for synonym in synonyms)


class _ColumnProfile:
    """A sample of one column and what it reads as, computed lazily."""

    def __init__(self, name: str, values: pd.Series, declared_type: str | None) -> None:
        self.name = name
        self.declared = declared_type
        self.tokens = set(normalise_column_name(name).split("_"))
        dtype = values.dtype
        self.is_bool = pd.api.types.is_bool_dtype(dtype) or declared_type in ("boolean", "bool")
        self.is_datetime = pd.api.types.is_datetime64_any_dtype(dtype) or declared_type in _DATE_TYPES
        self.is_numeric_type = ((pd.api.types.is_numeric_dtype(dtype) and not self.is_bool)
                                or declared_type in _NUMBER_TYPES)
        present = values.dropna()
        if len(present) > SAMPLE_SIZE:
            present = present.iloc[np.linspace(0, len(present) - 1, SAMPLE_SIZE).astype(int)]
        self.raw = present
        self._dates: tuple[float, str, float] | None = None

    @cached_property
    def text(self) -> pd.Series:
        """The sampled values as stripped, non-empty strings (built on first use: wide files skip most)."""
        text = self.raw.astype("str").str.strip()
        return text[text != ""]

    @property
    def id_like(self) -> bool:
        return bool(self.tokens & _ID_TOKENS)

    def date_share(self) -> tuple[float, str, float]:
        """Share of values that read as valid dates, the format label, and their median year."""
        if self._dates is None:
            if self.text.empty:
                self._dates = (0.0, "", float("nan"))
            elif pd.api.types.is_datetime64_any_dtype(self.raw.dtype):
                self._dates = (1.0, "dates", float(self.raw.dt.year.median()))
            elif self.text.str.fullmatch(r"[+-]?\d{1,7}(?:[.,]\d+)?").all():
                # Small numbers (counts, scores) are neither dates nor plausible epochs.
                self._dates = (0.0, "", float("nan"))
            else:
                try:
                    fmt = detect_timestamp_format(self.text)
                    parsed = parse_timestamps(self.text, fmt)
                except ValueError:
                    self._dates = (0.0, "", float("nan"))
                else:
                    valid = parsed.values.notna()
                    year = float(parsed.values[valid].dt.year.median()) if valid.any() else float("nan")
                    self._dates = (float(valid.mean()), fmt.label, year)
        return self._dates

    def rating_readings(self) -> tuple[float, str, np.ndarray] | None:
        """Share of values that read on the detected scale, its label and the raw numbers."""
        if self.text.empty or self.is_bool:
            return None
        try:
            parsed = normalise_ratings(self.text)
        except ValueError:
            return None
        raw = parsed.raw.to_numpy()
        return float((~parsed.invalid).mean()), parsed.scale.label, raw[~np.isnan(raw)]

    def number_share(self) -> float:
        if self.text.empty:
            return 0.0
        cleaned = self.text.str.replace(r"[\s$€£¥,]|^[A-Z]{3}|[A-Z]{3}$", "", regex=True)
        return float(pd.to_numeric(cleaned, errors="coerce").notna().mean())

    def contradicts(self, field: str) -> str | None:
        """Why the values cannot be this field, or None when they can (or the field is untyped)."""
        if self.text.empty:
            return None
        if field == "record_id":
            distinct = self.text.nunique()
            if distinct < ID_MIN_DISTINCT_SHARE * len(self.text):
                return (f"its values repeat ({distinct:,} distinct in {len(self.text):,} sampled rows): it groups "
                        "rows (a product's or an order's id) rather than naming each one; ids will be generated")
        elif field == "timestamp":
            share, _, year = self.date_share()
            if share < NAME_MATCH_MIN_SHARE or not year >= 1971:
                return f"only {share:.0%} of its values read as dates"
        elif field in ("rating", "expected"):
            readings = self.rating_readings()
            share = readings[0] if readings else 0.0
            if share < NAME_MATCH_MIN_SHARE:
                return f"only {share:.0%} of its values read as ratings"
        elif field == "amount":
            share = self.number_share()
            if share < NAME_MATCH_MIN_SHARE:
                return f"only {share:.0%} of its values are numbers"
        return None


def _find_timestamp(profiles: list[_ColumnProfile]) -> tuple[str, str] | None:
    best = None
    for profile in profiles:
        if profile.is_bool or profile.text.empty or (profile.id_like and not profile.is_datetime):
            continue
        share, label, year = profile.date_share()
        # Small numbers read as 1970 epochs; real event dates are later.
        if share >= CONTENT_MIN_SHARE and year >= 1990 and (best is None or share > best[0]):
            best = (share, profile.name, f"values read as dates ({label}; {share:.0%} of sample)")
    return None if best is None else (best[1], best[2])


def _find_text(profiles: list[_ColumnProfile]) -> tuple[str, str] | None:
    best = None
    for profile in profiles:
        if profile.is_bool or profile.is_numeric_type or profile.is_datetime or profile.text.empty:
            continue
        lengths = profile.text.str.len()
        median = float(lengths.median())
        words = float(profile.text.str.count(r"\s+").median()) + 1
        distinct = profile.text.nunique() / len(profile.text)
        if median <= TEXT_MIN_MEDIAN_CHARS or words < 3 or distinct < 0.5:
            continue
        if profile.date_share()[0] >= CONTENT_MIN_SHARE:
            continue
        if best is None or median > best[0]:
            best = (median, profile.name, f"long free text (median {median:.0f} chars)")
    return None if best is None else (best[1], best[2])


def _find_rating(profiles: list[_ColumnProfile]) -> tuple[str, str] | None:
    best = None
    for profile in profiles:
        if profile.id_like or profile.is_datetime or profile.text.empty:
            continue
        readings = profile.rating_readings()
        if readings is None:
            continue
        share, label, raw = readings
        starry = profile.text.str.lower().str.contains(_STAR_TEXT).mean() >= CONTENT_MIN_SHARE
        small_whole = (len(raw) > 0 and bool(np.all(raw == np.round(raw))) and raw.min() >= 1 and raw.max() <= 10
                       and len(np.unique(raw)) >= 2)
        # Sorted corpora put every positive first, so the sample may hold only 1s; the import sees both values.
        binary_label = (profile.name.strip().lower() in _SENTIMENT_LABEL_NAMES and len(raw) > 0
                        and set(np.unique(raw).tolist()) <= {0.0, 1.0})
        if (share >= CONTENT_MIN_SHARE and (starry or small_whole or binary_label)
                and (best is None or share > best[0])):
            if binary_label and not starry:
                reason = f"name '{profile.name}' holds a 0/1 sentiment label, read as 0 = negative, 1 = positive"
            else:
                kind = "star or thumbs text" if starry else "small whole numbers"
                reason = f"{kind}, read as {label} ({share:.0%} of sample)"
            best = (share, profile.name, reason)
    return None if best is None else (best[1], best[2])


def _find_channel(profiles: list[_ColumnProfile]) -> tuple[str, str] | None:
    best = None
    for profile in profiles:
        if profile.is_numeric_type or profile.is_bool or profile.is_datetime or profile.text.empty:
            continue
        lowered = profile.text.str.lower()
        distinct = lowered.unique().tolist()
        if len(distinct) > 20:
            continue
        matching = [v for v in distinct if _is_channel(v)]
        share = float(lowered.isin(matching).mean())
        if share >= 0.8 and (best is None or share > best[0]):
            shown = ", ".join(sorted(matching)[:3])
            best = (share, profile.name, f"channel-like values ({shown})")
    return None if best is None else (best[1], best[2])


def _is_channel(value: str) -> bool:
    words = [w for w in re.split(r"[\s_/&,+()\-]+", value) if w]
    if not words or not all(w in _CHANNEL_WORDS for w in words):
        return any(w in value for w in _CHANNEL_CORE if not w.isascii())
    return any(w in _CHANNEL_CORE for w in words)


# Above this share of likely rejects, the Data page asks before importing.
REJECT_WARN_SHARE = 0.05


@dataclass(frozen=True)
class RejectEstimate:
    """How many rows a mapping would likely reject, estimated on the preview before anything is imported."""

    rows_sampled: int
    rows_total: int
    share: float
    by_reason: dict[str, int]  # reason -> rows of the sample

    @property
    def worrying(self) -> bool:
        """More than :data:`REJECT_WARN_SHARE` of the rows would be rejected."""
        return self.share > REJECT_WARN_SHARE

    @property
    def message(self) -> str:
        """What would be rejected and what to do about it, in words for the Data page."""
        expected = round(self.share * self.rows_total)
        parts = [f"{reason} ({n:,} of the {self.rows_sampled:,} previewed rows)" for reason, n in self.by_reason.items()]
        advice = []
        if "duplicate record_id" in self.by_reason:
            advice.append("set record_id to '— none —' to generate ids")
        if any(r.startswith("unreadable") for r in self.by_reason):
            advice.append("map another column or choose the scale by hand")
        return (f"About {expected:,} of ~{self.rows_total:,} rows ({self.share:.0%}) would be rejected: "
                + "; ".join(parts) + "." + (f" To keep them, {' or '.join(advice)}." if advice else ""))


def estimate_rejects(preview: pd.DataFrame, mapping: dict[str, str | None], *,
                     total_rows: int | None = None) -> RejectEstimate:
    """Estimate from the preview rows which share of the file a mapping would reject, and why.

    The import rejects rows with a duplicate ``record_id``, an unreadable date or rating, or
    neither text nor rating; the same checks run here on the preview, and the share found is
    scaled to ``total_rows`` (default: the preview's length).

    Examples
    --------
    >>> preview = pd.DataFrame({"id": ["1", "1", "2"], "text": ["a b c", "d e f", "g h i"]})
    >>> estimate = estimate_rejects(preview, {"record_id": "id", "text": "text"}, total_rows=300)
    >>> estimate.by_reason, round(estimate.share, 2)
    ({'duplicate record_id': 1}, 0.33)
    """
    n = len(preview)
    if n == 0:
        return RejectEstimate(0, total_rows or 0, 0.0, {})
    rejected = np.zeros(n, dtype=bool)
    by_reason: dict[str, int] = {}

    def count(reason: str, mask: np.ndarray) -> None:
        fresh = mask & ~rejected
        if fresh.any():
            by_reason[reason] = int(fresh.sum())
            rejected[:] |= mask

    def column(field: str) -> pd.Series | None:
        name = mapping.get(field)
        return preview[name].reset_index(drop=True) if name in preview.columns else None

    text, rating = column("text"), column("rating")
    present = _non_empty
    if (ids := column("record_id")) is not None:
        count("duplicate record_id", (ids.duplicated(keep="first") & ids.notna()).to_numpy())
    if (dates := column("timestamp")) is not None:
        try:
            count("unreadable dates", parse_timestamps(dates).invalid.to_numpy())
        except ValueError:
            count("unreadable dates", present(dates))
    if rating is not None:
        try:
            count("unreadable ratings", normalise_ratings(rating).invalid.to_numpy())
        except ValueError:
            count("unreadable ratings", present(rating))
    has_content = np.zeros(n, dtype=bool)
    for values in (text, rating):
        if values is not None:
            has_content |= present(values)
    if text is not None or rating is not None:
        count("no text and no rating", ~has_content)
    return RejectEstimate(n, max(total_rows or n, n), float(rejected.mean()), by_reason)


def _non_empty(values: pd.Series) -> np.ndarray:
    """True where a raw value holds more than white space."""
    return values.astype("string").str.strip().fillna("").ne("").to_numpy()
