"""Expectation gaps: where each interaction's expectation comes from, and experienced − expected per group."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from analytics.insights.columns import labels, numeric, timestamps
from analytics.insights.kpis import MIN_N, NO_GROUP
from analytics.insights.market_signal import PriorMean, prior_mean_expectation, prior_mean_needs
from analytics.insights.resampling import bootstrap_means
from analytics.insights.sentiment import star_text_mismatches

SOURCE_KEYS = ("survey", "explicit", "advertised", "prior_mean")  # best first
TREND_FREQS = {"D": "D", "W": "W-SUN", "M": "M", "Q": "Q"}  # pandas periods; weeks start on Monday
_TABLE = ["group", "n", "expected", "experienced", "gap", "ci_low", "ci_high", "experienced_low",
          "experienced_high", "enough"]
_EVIDENCE = ["record_id", "timestamp", "product", "category", "channel", "rating", "expected", "experienced",
             "gap", "text"]
_TEXT = {  # key: (label, method printed under every chart)
    "survey": ("Survey constructs", "Survey constructs: gap = mean of the experience items − mean of the "
               "expectation items, each item brought to 0–1 from its own range."),
    "explicit": ("Stated expectation", "Stated expectation: gap = rating − the customer's own expected score, "
                 "both on the rating's 0–1 scale."),
    "advertised": ("Advertised rating", "Market signal: gap = rating − the product's advertised rating shown "
                   "before purchase, on the rating's 0–1 scale."),
    "prior_mean": ("Prior average rating", "Market signal: gap = rating − the product's mean rating strictly "
                   "before the interaction, shrunk towards the category's earlier mean (empirical Bayes, "
                   "prior strength k = {k} ratings)."),
}


@dataclass(frozen=True)
class ExpectationSource:
    """One way to know each interaction's expectation; ``needs`` says what would enable an unavailable one."""

    key: str  # one of SOURCE_KEYS
    label: str
    method: str  # one sentence naming the method, printed under every chart
    available: bool
    needs: str
    n: int  # rows with both an expectation and an experience


@dataclass(frozen=True)
class PairedScores:
    """Per-row expectation and experience on the 0–1 scale: ``record_id, expected, experienced, gap``."""

    frame: pd.DataFrame  # only rows having both; gap = experienced − expected
    source: ExpectationSource
    prior_strength: float | None  # prior_mean only
    notes: tuple[str, ...]


def _survey_pairs(rows: pd.DataFrame, survey: pd.DataFrame) -> pd.DataFrame:
    """Survey scores keyed by record_id (a ``_row`` key is translated through the rows)."""
    if "record_id" not in survey.columns:
        if "_row" not in survey.columns or "_row" not in rows.columns:
            raise ValueError("The survey scores need a record_id (or _row) column to join them to the rows.")
        ids = pd.Series(rows["record_id"].astype(str).to_numpy(), index=rows["_row"].to_numpy())
        survey = survey.assign(record_id=survey["_row"].map(ids))
    wanted = set(rows["record_id"].astype(str))
    survey = survey[survey["record_id"].astype(str).isin(wanted)]
    return pd.DataFrame({"record_id": survey["record_id"].astype(str).to_numpy(),
                         "expected": numeric(survey, "expected").to_numpy(),
                         "experienced": numeric(survey, "experienced").to_numpy()})


def _needs(rows: pd.DataFrame, key: str, survey: pd.DataFrame | None) -> str:
    if key == "survey":
        return "" if survey is not None and len(survey) else (
            "Map several columns to an expectation construct and several to an experience construct on the "
            "Data page (e.g. expe1–expe5 and sat1–sat4).")
    if key == "prior_mean":
        return prior_mean_needs(rows)
    if numeric(rows, "rating").notna().sum() == 0:
        return f"Map a rating column on the Data page: the {_TEXT[key][0].lower()} is compared with the rating."
    if key == "explicit" and numeric(rows, "expected").notna().sum() == 0:
        return "Map an 'expected' column on the Data page (the customer's stated or promised score)."
    if key == "advertised" and numeric(rows, "advertised").notna().sum() == 0:
        return "Map an 'advertised' column on the Data page (the rating the customer was shown before buying)."
    return ""


def _paired(rows: pd.DataFrame, key: str, survey: pd.DataFrame | None,
            prior_strength: float | None) -> tuple[pd.DataFrame, ExpectationSource, PriorMean | None]:
    """The rows having both sides of source ``key``, the source described, and the prior mean behind it."""
    label, method = _TEXT[key]
    needs, prior, frame = _needs(rows, key, survey), None, pd.DataFrame(columns=["expected", "experienced"])
    if needs == "" and key == "survey":
        frame = _survey_pairs(rows, survey)
    elif needs == "":
        if key == "prior_mean":
            prior = prior_mean_expectation(rows, prior_strength=prior_strength)
        column = "expected" if key == "explicit" else "advertised"
        expected = prior.expected if prior is not None else numeric(rows, column)
        frame = pd.DataFrame({"record_id": rows["record_id"].astype(str).to_numpy(),
                              "expected": expected.to_numpy(dtype=float),
                              "experienced": numeric(rows, "rating").to_numpy()})
    frame = frame.dropna(subset=["expected", "experienced"]).reset_index(drop=True)
    if needs == "" and frame.empty:
        needs = "No interaction has both an expectation and an experience from this source."
    method = method.format(k="estimated from the data" if prior is None else f"{prior.prior_strength:.1f}")
    source = ExpectationSource(key, label, method, needs == "", needs, len(frame))
    return frame.assign(gap=frame["experienced"] - frame["expected"]), source, prior


def expectation_sources(rows: pd.DataFrame, *, survey: pd.DataFrame | None = None) -> list[ExpectationSource]:
    """All four expectation sources of SOURCE_KEYS, in that (best-first) order, available or not.

    ``survey`` holds construct scores (``record_id`` or ``_row``, ``expected``, ``experienced``, as from
    :func:`analytics.insights.constructs.construct_scores`). ``n`` counts rows with both sides.
    """
    return [_paired(rows, key, survey, None)[1] for key in SOURCE_KEYS]


def best_source(sources: Sequence[ExpectationSource]) -> ExpectationSource | None:
    """The first available source in SOURCE_KEYS order with at least MIN_N pairs, else the first available."""
    available = sorted((s for s in sources if s.available), key=lambda s: SOURCE_KEYS.index(s.key))
    return next((s for s in available if s.n >= MIN_N), available[0] if available else None)


def paired_scores(rows: pd.DataFrame, source_key: str, *, survey: pd.DataFrame | None = None,
                  prior_strength: float | None = None) -> PairedScores:
    """Per-row expected, experienced (the rating, or the survey's experience construct) and their gap.

    ValueError when the source is unknown or the data cannot feed it (the message says which column would).
    """
    if source_key not in SOURCE_KEYS:
        raise ValueError(f"source_key={source_key!r} should be one of {list(SOURCE_KEYS)}.")
    frame, source, prior = _paired(rows, source_key, survey, prior_strength)
    if not source.available:
        raise ValueError(f"{source.label} is not available on this data: {source.needs}")
    return PairedScores(frame, source, None if prior is None else prior.prior_strength,
                        () if prior is None else (prior.note,))


def _labelled(rows: pd.DataFrame, frame: pd.DataFrame, by: str, mentions: pd.DataFrame | None, name: str,
              freq: str = "M") -> pd.DataFrame:
    """The part of ``frame`` whose record is in ``rows`` (pages filter rows, not the scores), with a column
    ``name``: the row's value of ``by``, its dimensions, or its period."""
    ids = rows["record_id"].astype(str).to_numpy(dtype=object)
    frame = frame[pd.Index(ids).get_indexer(frame["record_id"].to_numpy(dtype=object)) >= 0]  # isin: 20× slower
    if by == "dimension":
        if mentions is None or not len(mentions):
            raise ValueError("A gap by dimension needs the texts tagged with service dimensions or topics: "
                             "tag them on the Topics page.")
        tags = pd.DataFrame({"record_id": mentions["record_id"].astype(str), name: labels(mentions, "dimension")})
        return frame.merge(tags.dropna().drop_duplicates(), on="record_id", how="inner")
    if by == "period":
        if freq not in TREND_FREQS:
            raise ValueError(f"freq={freq!r} should be one of {list(TREND_FREQS)}.")
        ts = timestamps(rows)
        if ts.notna().sum() == 0:
            raise ValueError("The gap over time needs timestamps: map a date column on the Data page.")
        period = pd.Series(ts.dt.to_period(TREND_FREQS[freq]).dt.start_time.to_numpy(), index=ids)
        out = frame.assign(**{name: frame["record_id"].map(period).to_numpy()})
        return out[out[name].notna()]
    if by not in rows.columns:
        raise ValueError(f"by={by!r} is not a column of the data; group by 'dimension', 'period' or one of "
                         f"{list(rows.columns)}.")
    lookup = pd.Series(labels(rows, by).to_numpy(dtype=object), index=ids)
    return frame.assign(**{name: frame["record_id"].map(lookup).fillna(NO_GROUP).to_numpy(dtype=object)})


def _summarise(frame: pd.DataFrame, keys: list[str], *, min_n: int, n_boot: int, level: float, seed: int,
               experience: bool = False) -> pd.DataFrame:
    """Means and n per group of ``keys``; intervals of the gap (and of experience alone when asked)."""
    grouped = frame.groupby(keys, sort=True)
    table = grouped.agg(n=("gap", "size"), expected=("expected", "mean"), experienced=("experienced", "mean"),
                        gap=("gap", "mean")).reset_index()
    values = frame[["gap", "experienced"] if experience else ["gap"]].to_numpy(dtype=float)
    low, high = bootstrap_means(values, grouped.ngroup().to_numpy(), n_boot=n_boot, level=level, seed=seed)
    table["ci_low"], table["ci_high"] = low[:, 0], high[:, 0]
    if experience:
        table["experienced_low"], table["experienced_high"] = low[:, 1], high[:, 1]
    return table.assign(n=table["n"].astype(int), enough=table["n"] >= min_n)


def gap_table(rows: pd.DataFrame, scores: PairedScores, *, by: str, min_n: int = MIN_N, n_boot: int = 400,
              level: float = 0.95, seed: int = 0, mentions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Mean expected, experienced and gap per group of ``by``, with bootstrap intervals.

    Parameters
    ----------
    by : str
        A column of ``rows`` (rows without a value form ``"(none)"``), ``"dimension"`` (per dimension of
        ``mentions``: a row counts in every dimension it mentions) or ``"period"`` (months).
    min_n : int
        Groups with fewer rows keep their numbers but get ``enough`` False (the page greys them).

    Returns
    -------
    DataFrame
        ``group, n, expected, experienced, gap, ci_low, ci_high, experienced_low, experienced_high, enough``:
        the gap's interval and the interval of experience alone (SERVPERF); groups with enough rows first,
        most negative gap first. ``attrs``: by, min_n, level, n_boot, method.
    """
    frame = _labelled(rows, scores.frame, by, mentions, "group")
    table = _summarise(frame, ["group"], min_n=min_n, n_boot=n_boot, level=level, seed=seed, experience=True)
    table = table.sort_values(["enough", "gap"], ascending=[False, True], kind="stable", ignore_index=True)
    table = table.reindex(columns=_TABLE)
    table.attrs.update(by=by, min_n=min_n, level=level, n_boot=n_boot, method=scores.source.method)
    return table


def gap_heatmap(rows: pd.DataFrame, scores: PairedScores, *, rows_by: str, columns_by: str,
                mentions: pd.DataFrame | None = None, min_n: int = MIN_N, n_boot: int = 200,
                seed: int = 0) -> pd.DataFrame:
    """The gap per cell of ``rows_by`` × ``columns_by`` (either may be "dimension"), long: ``row, column, n,
    gap, ci_low, ci_high, enough``; ``attrs`` as :func:`gap_table`'s."""
    if rows_by == columns_by:
        raise ValueError(f"Pick two different breakdowns for the heatmap; both are {rows_by!r}.")
    frame = _labelled(rows, _labelled(rows, scores.frame, rows_by, mentions, "row"), columns_by, mentions, "column")
    table = _summarise(frame, ["row", "column"], min_n=min_n, n_boot=n_boot, level=0.95, seed=seed)
    table = table[["row", "column", "n", "gap", "ci_low", "ci_high", "enough"]]
    table.attrs.update(rows_by=rows_by, columns_by=columns_by, min_n=min_n, level=0.95, n_boot=n_boot,
                       method=scores.source.method)
    return table


def gap_trend(rows: pd.DataFrame, scores: PairedScores, *, freq: str = "M", min_n: int = MIN_N,
              n_boot: int = 200, seed: int = 0) -> pd.DataFrame:
    """The gap per day / week / month / quarter (``freq`` D, W, M, Q): ``period`` (its start), n, expected,
    experienced, gap, ci_low, ci_high, enough; ValueError without timestamps."""
    frame = _labelled(rows, scores.frame, "period", None, "period", freq)
    table = _summarise(frame, ["period"], min_n=min_n, n_boot=n_boot, level=0.95, seed=seed)
    table = table[["period", "n", "expected", "experienced", "gap", "ci_low", "ci_high", "enough"]]
    table.attrs.update(freq=freq, min_n=min_n, level=0.95, n_boot=n_boot, method=scores.source.method)
    return table


def gap_evidence(rows: pd.DataFrame, scores: PairedScores, *, by: str | Sequence[str], group: object,
                 mentions: pd.DataFrame | None = None, limit: int = 20, freq: str = "M") -> pd.DataFrame:
    """The interactions behind one bar, cell or point, most negative gap first.

    ``by`` and ``group`` as in :func:`gap_table` (``"(none)"`` selects rows without a value); for a heatmap
    cell pass both axes, e.g. ``by=("dimension", "category"), group=("delivery", "Garden")``; a trend point is
    ``by="period", group=<period start>`` with the trend's ``freq``. Returns ``record_id, timestamp, product,
    category, channel, rating, expected, experienced, gap, text`` (expected / experienced from the source).
    """
    axes, wanted = ((by,), (group,)) if isinstance(by, str) else (tuple(by), tuple(group))
    frame = scores.frame
    for axis, value in zip(axes, wanted, strict=True):
        frame = _labelled(rows, frame, axis, mentions, "_label", freq)
        value = pd.Timestamp(value) if axis == "period" else str(value)
        frame = frame[frame["_label"] == value].drop(columns="_label")
    info = [c for c in ("timestamp", "product", "category", "channel", "rating", "text") if c in rows.columns]
    details = rows[info].assign(record_id=rows["record_id"].astype(str).to_numpy())
    out = frame.drop_duplicates("record_id").merge(details, on="record_id", how="left")
    return out.sort_values("gap", kind="stable").head(limit).reindex(columns=_EVIDENCE).reset_index(drop=True)


def star_text_mismatch(rows: pd.DataFrame, *, min_confidence: float = 0.6, by: str | None = None) -> pd.DataFrame:
    """Share of rated, confidently scored rows whose stars and text disagree, overall or per group of ``by``.

    Returns ``group, n, high_stars_negative_text, low_stars_positive_text, share`` (n: rows with a rating and
    a stored sentiment of at least ``min_confidence``; no confidence column counts every label as confident),
    highest share first.
    """
    if "sentiment" not in rows.columns or rows["sentiment"].notna().sum() == 0:
        raise ValueError("Star–text mismatch needs the texts' sentiment: score them on the Sentiment page.")
    if by is not None and by not in rows.columns:
        raise ValueError(f"by={by!r} is not a column of the data.")
    confidence = numeric(rows, "confidence") if "confidence" in rows.columns else 1.0
    frame = rows.assign(rating=numeric(rows, "rating"), confidence=confidence)
    frame = frame[frame["rating"].notna() & frame["sentiment"].notna() & (frame["confidence"] >= min_confidence)]
    if frame.empty:
        raise ValueError("No row has both a rating and a confident text sentiment; map a rating column or lower "
                         f"min_confidence={min_confidence!r}.")
    frame = frame.reset_index(drop=True)
    kind = star_text_mismatches(frame, min_confidence=min_confidence)["mismatch"].reindex(frame.index)
    counts = pd.DataFrame({
        "group": "All" if by is None else labels(frame, by).fillna(NO_GROUP),
        "n": 1,
        "high_stars_negative_text": kind.eq("high rating, negative text").astype(int),
        "low_stars_positive_text": kind.eq("low rating, positive text").astype(int),
    }).groupby("group", sort=True).sum().reset_index()
    counts["share"] = (counts["high_stars_negative_text"] + counts["low_stars_positive_text"]) / counts["n"]
    return counts.sort_values("share", ascending=False, kind="stable", ignore_index=True)


def largest_gaps(rows: pd.DataFrame, scores: PairedScores, *, by: Sequence[str], mentions: pd.DataFrame | None = None,
                 top: int = 3, min_n: int = MIN_N, n_boot: int = 400, seed: int = 0) -> pd.DataFrame:
    """The ``top`` most negative gaps over several breakdowns (the Overview's "Largest gaps").

    Only groups with at least ``min_n`` rows whose whole interval lies below zero count: a gap that could
    be noise is not a finding. Returns ``by, group, n, expected, experienced, gap, ci_low, ci_high``, most
    negative first; ``attrs["method"]`` names the source.
    """
    tables = []
    for breakdown in by:
        if breakdown == "dimension" and (mentions is None or not len(mentions)):
            continue
        table = gap_table(rows, scores, by=breakdown, min_n=min_n, n_boot=n_boot, seed=seed, mentions=mentions)
        if breakdown != "dimension":
            table = table[table["group"] != NO_GROUP]
        tables.append(table[table["enough"] & (table["ci_high"] < 0)].assign(by=breakdown))
    columns = ["by", "group", "n", "expected", "experienced", "gap", "ci_low", "ci_high"]
    found = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)
    out = found.sort_values("gap", kind="stable").head(top).reindex(columns=columns).reset_index(drop=True)
    out.attrs["method"] = scores.source.method
    return out
