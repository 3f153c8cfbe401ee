"""Expectation gaps: where each interaction's expectation comes from, and experienced − expected per group."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.insights.columns import numeric, timestamps
from analytics.insights.kpis import MIN_N, NO_GROUP
from analytics.insights.sentiment import star_text_mismatches

SOURCE_KEYS = ("survey", "explicit", "advertised", "prior_mean")  # best first
PRIOR_STRENGTH_RANGE = (1.0, 200.0)  # clip of the estimated empirical-Bayes prior strength, in ratings
TREND_FREQS = {"D": "D", "W": "W-SUN", "M": "M", "Q": "Q"}  # pandas periods; weeks start on Monday
_BOOT_CHUNK = 500_000  # draws per bootstrap chunk: bounds memory (a few MB) for any table size
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


def bootstrap_means(values: np.ndarray, groups: np.ndarray, *, n_boot: int = 400, level: float = 0.95,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval of each group's mean, all groups resampled in one array operation.

    Parameters
    ----------
    values : array-like of float, shape (N,) or (N, k)
        Per-row values; a row with a NaN is left out. With k columns every column is resampled with the
        same draws (one interval per group and column).
    groups : array-like, shape (N,)
        Group label of each row (missing labels are left out).
    n_boot, level, seed : int, float, int
        Resamples, interval level, random seed (same seed, same intervals).

    Returns
    -------
    (low, high) : ndarray, shape (G,) or (G, k)
        One entry per group, groups in sorted order of their labels (``np.unique``); NaN for groups with
        fewer than two values.

    Examples
    --------
    >>> low, high = bootstrap_means(np.r_[1.0, 2, 3, 10], np.r_[0, 0, 0, 1])
    >>> bool(1 <= low[0] <= high[0] <= 3), bool(np.isnan(low[1]))
    (True, True)
    """
    if n_boot < 1 or not 0 < level < 1:
        raise ValueError(f"n_boot={n_boot!r} should be at least 1 and level={level!r} between 0 and 1.")
    v = np.asarray(values, dtype=float)
    table = v[:, None] if v.ndim == 1 else v
    codes, uniques = pd.factorize(np.asarray(groups), sort=True)
    low, high = np.full((2, len(uniques), table.shape[1]), np.nan)
    keep = (codes >= 0) & np.isfinite(table).all(axis=1)
    order = np.argsort(codes[keep], kind="stable")
    code, x = codes[keep][order], table[keep][order]
    counts = np.bincount(code, minlength=len(uniques))
    present = np.flatnonzero(counts)
    if len(x):
        starts = np.cumsum(counts) - counts
        n_row, off_row = counts[code], starts[code]
        rng = np.random.default_rng(seed)
        means = np.empty((n_boot, len(present), table.shape[1]))
        step = max(1, _BOOT_CHUNK // len(x))
        for b in range(0, n_boot, step):
            m = min(step, n_boot - b)
            draw = rng.random((m, len(x)))
            draw *= n_row
            idx = draw.astype(np.intp)
            idx += off_row
            means[b:b + m] = np.add.reduceat(x[idx], starts[present], axis=1) / counts[present][:, None]
        tail = (1 - level) / 2
        low[present], high[present] = np.quantile(means, [tail, 1 - tail], axis=0)
        low[counts < 2] = high[counts < 2] = np.nan
    return (low[:, 0], high[:, 0]) if v.ndim == 1 else (low, high)


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
class PriorMean:
    """The market-signal expectation from earlier ratings, aligned with the rows."""

    expected: pd.Series  # NaN where the row lacks rating, product or timestamp, or nothing came before it
    prior_strength: float  # k, in ratings: how many earlier ratings of a product weigh as much as the prior
    n_fallback: int  # rows with no earlier rating of their product (category mean, or NaN when none)
    note: str


@dataclass(frozen=True)
class PairedScores:
    """Per-row expectation and experience on the 0–1 scale: ``record_id, expected, experienced, gap``."""

    frame: pd.DataFrame  # only rows having both; gap = experienced − expected
    source: ExpectationSource
    prior_strength: float | None  # prior_mean only
    notes: tuple[str, ...]


def _labels(rows: pd.DataFrame, column: str) -> pd.Series:
    if column not in rows.columns:
        return pd.Series(np.nan, index=rows.index, dtype=object)
    return rows[column].astype(str).where(rows[column].notna())


def _earlier(key: np.ndarray, ts: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Count and sum of ``value`` over rows of the same key (−1: none, zero) strictly earlier, in O(N log N)."""
    count, sums = np.zeros(len(key)), np.zeros(len(key))
    has = np.flatnonzero(key >= 0)
    order = has[np.lexsort((ts[has], key[has]))]
    k, t = key[order], ts[order]
    new_key = np.r_[True, k[1:] != k[:-1]]
    new_run = new_key | np.r_[True, t[1:] != t[:-1]]  # a run: one key at one timestamp (ties see none of it)
    run_start = np.flatnonzero(new_run)[np.cumsum(new_run) - 1]
    key_start = np.flatnonzero(new_key)[np.cumsum(new_key) - 1]
    total = np.r_[0.0, np.cumsum(value[order])]
    count[order], sums[order] = run_start - key_start, total[run_start] - total[key_start]
    return count, sums


def _moment_strength(product: np.ndarray, rating: np.ndarray) -> float:
    """Within-product variance / between-product variance of true means (Bühlmann), clipped."""
    counts = np.bincount(product).astype(float)
    sums, squares = np.bincount(product, rating), np.bincount(product, rating ** 2)
    if len(counts) < 2 or counts.sum() <= len(counts):
        return PRIOR_STRENGTH_RANGE[1]
    within = (squares - sums ** 2 / counts).sum() / (counts.sum() - len(counts))
    between = np.var(sums / counts, ddof=1) - within * np.mean(1 / counts)  # less the noise of each mean
    if between <= 0:
        return PRIOR_STRENGTH_RANGE[1]  # products indistinguishable: the category benchmark dominates
    return float(np.clip(within / between, *PRIOR_STRENGTH_RANGE))


def _prior_needs(rows: pd.DataFrame) -> str:
    if numeric(rows, "rating").notna().sum() == 0:
        return "Map a rating column on the Data page: the prior average is the product's earlier mean rating."
    if _labels(rows, "product").notna().sum() == 0:
        return "Map a product column on the Data page: the prior average rating is taken per product."
    if timestamps(rows).notna().sum() == 0:
        return ("This source needs timestamps: without them the market signal comes only from an advertised "
                "column. Map a date column, or an 'advertised' column, on the Data page.")
    return ""


def prior_mean_expectation(rows: pd.DataFrame, *, prior_strength: float | None = None) -> PriorMean:
    """Each interaction's market-signal expectation: its product's mean rating strictly before it.

    Only the same product's ratings with a strictly earlier timestamp count (never the row itself, rows at its
    timestamp or later ones), shrunk towards the category's earlier mean (the overall earlier mean without a
    category or when it has nothing earlier): ``(k·prior + n_before·mean_before) / (k + n_before)``. With no
    earlier rating of its product a row gets its category's earlier mean, or NaN. Vectorised, O(N log N).

    Parameters
    ----------
    prior_strength : float, optional
        k, in ratings. None: the method of moments, within-product variance over the variance of the true
        product means (that of the product means less their sampling noise), clipped to [1, 200]; estimated
        from all rows, so fix it to make an expectation independent of later ratings altogether.

    Examples
    --------
    >>> rows = pd.DataFrame({"rating": [0.0, 1.0, 0.5], "product": "a", "category": "c",
    ...                      "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"])})
    >>> prior_mean_expectation(rows, prior_strength=1.0).expected.tolist()
    [nan, 0.0, 0.5]
    """
    needs = _prior_needs(rows)
    if needs:
        raise ValueError(needs)
    if prior_strength is not None and not prior_strength > 0:
        raise ValueError(f"prior_strength={prior_strength!r} should be a positive number of ratings, or None.")
    rating, ts = numeric(rows, "rating"), timestamps(rows)
    product, category = _labels(rows, "product"), _labels(rows, "category")
    base = (rating.notna() & ts.notna()).to_numpy()
    r = rating.to_numpy(dtype=float)[base]
    t = ts.to_numpy(dtype="datetime64[ns]")[base].view(np.int64)
    codes = pd.factorize(product[base])[0]
    n_all, s_all = _earlier(np.zeros(len(r), dtype=np.intp), t, r)
    n_c, s_c = _earlier(pd.factorize(category[base])[0], t, r)
    n_p, s_p = _earlier(codes, t, r)
    has_product = codes >= 0
    k = _moment_strength(codes[has_product], r[has_product]) if prior_strength is None else float(prior_strength)
    with np.errstate(invalid="ignore", divide="ignore"):
        category_mean = np.where(n_c > 0, s_c / n_c, np.nan)
        prior = np.where(n_c > 0, category_mean, s_all / n_all)
        shrunk = np.where(n_p > 0, (k * prior + s_p) / (k + n_p), category_mean)
    expected = pd.Series(np.nan, index=rows.index)
    expected[base] = np.where(has_product, shrunk, np.nan)
    first = has_product & (n_p == 0)
    none = int((first & (n_c == 0)).sum())
    how = "given" if prior_strength is not None else "estimated by the method of moments"
    note = (f"Prior strength k = {k:.1f} ratings ({how}): a product's earlier mean counts half once it has k "
            f"earlier ratings. {int(first.sum()):,} interactions had no earlier rating of their product: "
            f"{int(first.sum()) - none:,} use their category's earlier mean, {none:,} have no expectation.")
    return PriorMean(expected, k, int(first.sum()), note)


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
        return _prior_needs(rows)
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
        tags = pd.DataFrame({"record_id": mentions["record_id"].astype(str), name: _labels(mentions, "dimension")})
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
    lookup = pd.Series(_labels(rows, by).to_numpy(dtype=object), index=ids)
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
        "group": "All" if by is None else _labels(frame, by).fillna(NO_GROUP),
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
