"""Is group A really different from group B? Metrics per row, two groups, the test that fits, a verdict that
will not call a winner on too little data, and each value of a column against all the others."""
from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportion_effectsize,
    proportions_ztest,
)

from analytics.insights.columns import numeric, timestamps
from analytics.insights.kpis import MIN_N
from analytics.schema import CANONICAL_FIELDS, NEGATIVE_BELOW

Kind = Literal["mean", "share"]
MIN_TEST_N = 2  # below this many values in a group no test is run (a mean of one value has no spread)
SMALL_EXPECTED = 5  # an expected 2×2 cell count below this: Fisher's exact test decides, not the z-test
MAX_GROUP_VALUES = 50  # a column with more distinct values than this is not offered for grouping
CORRECTIONS = {"holm": "Holm", "fdr_bh": "Benjamini–Hochberg (FDR)"}
TAG_TASKS = ("topic", "intent")
# Canonical fields other than amount are metrics of their own or ids (a numeric customer id has no mean).
_NOT_COLUMN_METRICS = {"_row", "rating_raw", "expected_raw"} | {f.name for f in CANONICAL_FIELDS if f.name != "amount"}
_NOT_GROUPS = {"_row", "record_id", "text", "timestamp", "rating", "rating_raw", "expected", "expected_raw"}


@dataclass(frozen=True)
class Metric:
    """A per-row quantity groups can be compared on; ``needs`` says what would enable an unavailable one."""

    key: str  # "mean_rating", "mean_gap", "pct_negative", "topic:<label>", "intent:<label>", "column:<name>"
    label: str
    kind: Kind  # "mean": continuous values; "share": 0/1 values
    available: bool = True
    needs: str = ""


def _tag_frame(tags: Mapping[str, pd.DataFrame] | None, task: str) -> pd.DataFrame | None:
    found = (tags or {}).get(task)
    return found if found is not None and len(found) else None


def compare_metrics(frame: pd.DataFrame, *, sentiment: pd.DataFrame | None = None,
                    tags: Mapping[str, pd.DataFrame] | None = None) -> tuple[Metric, ...]:
    """Every metric of the Compare page, available or not (then ``needs`` says what enables it).

    ``sentiment`` holds ``record_id, label`` (negative / neutral / positive); ``tags`` maps ``"topic"`` and
    ``"intent"`` to ``record_id, label`` frames, as the page's stored tags come.

    >>> [m.key for m in compare_metrics(pd.DataFrame({"rating": [0.5], "amount": [3.0]})) if m.available]
    ['mean_rating', 'pct_negative', 'column:amount']
    """
    def unless(available: bool, needs: str) -> dict:
        return {"available": available, "needs": "" if available else needs}

    rating = numeric(frame, "rating").notna()
    gap = bool((rating & numeric(frame, "expected").notna()).any())
    by_text = sentiment is not None and len(sentiment) > 0
    metrics = [
        Metric("mean_rating", "Mean rating", "mean",
               **unless(bool(rating.any()), "Map a rating column on the Data page.")),
        Metric("mean_gap", "Mean expectation gap (rating − expected)", "mean", **unless(
            gap, "Needs rows with both a rating and an expected score: map an expectation column on the Data page.")),
        Metric("pct_negative", "% negative (text sentiment)" if by_text else
               f"% negative (rated below {NEGATIVE_BELOW:.0%} of the scale)", "share", **unless(
                   by_text or bool(rating.any()),
                   "Score the texts on the Sentiment page, or map a rating column on the Data page.")),
    ]
    for task in TAG_TASKS:
        tagged = _tag_frame(tags, task)
        if tagged is None:
            article = "an" if task[0] in "aeiou" else "a"
            metrics.append(Metric(task, f"Share of {article} {task}", "share", False,
                                  f"fine-tune {article} {task} classifier on the Models page so the texts carry {task}s"))
            continue
        for label in tagged["label"].dropna().astype(str).value_counts().index:
            metrics.append(Metric(f"{task}:{label}", f"Share with {task} {label}", "share"))
    for column in frame.columns:
        if column in _NOT_COLUMN_METRICS or not pd.api.types.is_numeric_dtype(frame[column]):
            continue
        values = numeric(frame, column).dropna()
        if values.empty:
            continue
        binary = bool(values.isin((0.0, 1.0)).all())
        metrics.append(Metric(f"column:{column}", f"Share of {column} = 1" if binary else f"Mean {column}",
                              "share" if binary else "mean"))
    return tuple(metrics)


def find_metric(frame: pd.DataFrame, key: str, *, sentiment: pd.DataFrame | None = None,
                tags: Mapping[str, pd.DataFrame] | None = None) -> Metric:
    """The metric ``key`` of :func:`compare_metrics`; ValueError saying what enables it when the frame lacks it."""
    metrics = compare_metrics(frame, sentiment=sentiment, tags=tags)
    for metric in metrics:
        if metric.key == key:
            if not metric.available:
                raise ValueError(f"{metric.label} is not available on this dataset: {metric.needs.rstrip('.')}.")
            return metric
    task = key.partition(":")[0]
    for metric in metrics:
        if metric.key == task and not metric.available:
            raise ValueError(f"{metric.label} is not available on this dataset: {metric.needs.rstrip('.')}.")
    have = [m.key for m in metrics if m.available]
    raise ValueError(f"metric={key!r} is not a metric of this dataset; it has {have}.")


def _key(metric: str | Metric) -> str:
    return metric.key if isinstance(metric, Metric) else metric


def _check_scale(scale: tuple[float, float] | None) -> float:
    """The span of the scale (1 for the normalised 0–1 values)."""
    if scale is None:
        return 1.0
    low, high = (float(v) for v in scale)
    if not low < high:
        raise ValueError(f"scale={scale!r} should be (low, high) with low < high, e.g. (1, 5).")
    return high - low


def metric_values(frame: pd.DataFrame, metric: str | Metric, *, sentiment: pd.DataFrame | None = None,
                  tags: Mapping[str, pd.DataFrame] | None = None,
                  scale: tuple[float, float] | None = None) -> pd.Series:
    """One value per row (NaN where the row has none), on the dataset's own ``scale`` when it is given.

    >>> metric_values(pd.DataFrame({"rating": [0.0, 1.0], "expected": [0.5, None]}), "mean_gap", scale=(1, 5)).tolist()
    [-2.0, nan]
    """
    key = find_metric(frame, _key(metric), sentiment=sentiment, tags=tags).key
    span = _check_scale(scale)
    rating = numeric(frame, "rating")
    ids = frame["record_id"].astype(str) if "record_id" in frame.columns else pd.Series("", index=frame.index)
    if key == "mean_rating":
        out = rating * span + (0.0 if scale is None else float(scale[0]))
    elif key == "mean_gap":
        out = (rating - numeric(frame, "expected")) * span
    elif key == "pct_negative" and sentiment is not None and len(sentiment):
        labels = sentiment.set_index(sentiment["record_id"].astype(str))["label"]
        labels = labels[~labels.index.duplicated(keep="last")]  # map needs one label per record
        out = ids.map(labels).map(lambda v: float(v == "negative"), na_action="ignore")
    elif key == "pct_negative":
        out = (rating < NEGATIVE_BELOW).astype(float).where(rating.notna())
    elif key.startswith(TAG_TASKS):
        task, _, label = key.partition(":")
        tagged = _tag_frame(tags, task)
        hit = set(tagged.loc[tagged["label"].astype(str) == label, "record_id"].astype(str))
        out = ids.isin(hit).astype(float).where(ids.isin(set(tagged["record_id"].astype(str))))
    else:
        out = numeric(frame, key.removeprefix("column:"))
    return out.astype(float).rename(key)


@dataclass(frozen=True)
class Sample:
    """One group's values for a metric, NaN dropped, ready for :func:`compare_groups`."""

    label: str
    values: np.ndarray
    missing: int  # rows of the group without a value for the metric

    @property
    def n(self) -> int:
        return len(self.values)


def _sample(label: str, values: pd.Series, mask: pd.Series) -> Sample:
    part = values[mask.to_numpy(dtype=bool)]
    return Sample(label, part.dropna().to_numpy(dtype=float), int(part.isna().sum()))


def group_columns(frame: pd.DataFrame, *, max_values: int = MAX_GROUP_VALUES) -> tuple[str, ...]:
    """Columns whose values can name groups: between 2 and ``max_values`` distinct values."""
    return tuple(c for c in frame.columns if c not in _NOT_GROUPS and 2 <= frame[c].nunique() <= max_values)


def groups_by_value(frame: pd.DataFrame, metric: str | Metric, *, column: str, a: object, b: object,
                    sentiment: pd.DataFrame | None = None, tags: Mapping[str, pd.DataFrame] | None = None,
                    scale: tuple[float, float] | None = None) -> tuple[Sample, Sample]:
    """Rows with ``column == a`` and rows with ``column == b`` (compared as text, so 1 and "1" match)."""
    if column not in frame.columns:
        raise ValueError(f"column={column!r} is not in the data; it has {list(frame.columns)}.")
    if str(a) == str(b):
        raise ValueError(f"Pick two different values of {column}; both are {str(a)!r}.")
    values = metric_values(frame, metric, sentiment=sentiment, tags=tags, scale=scale)
    text = frame[column].astype(str).where(frame[column].notna())
    return _sample(str(a), values, text.eq(str(a))), _sample(str(b), values, text.eq(str(b)))


def groups_by_date(frame: pd.DataFrame, metric: str | Metric, *, split: date, sentiment: pd.DataFrame | None = None,
                   tags: Mapping[str, pd.DataFrame] | None = None,
                   scale: tuple[float, float] | None = None) -> tuple[Sample, Sample]:
    """Rows before ``split`` (A) and from ``split`` on (B); rows without a timestamp are in neither."""
    ts = timestamps(frame)
    if ts.isna().all():
        raise ValueError("The data has no timestamps, so there is no before and after; map a date column.")
    day = pd.Timestamp(split).normalize()
    values = metric_values(frame, metric, sentiment=sentiment, tags=tags, scale=scale)
    label = day.date().isoformat()
    return _sample(f"before {label}", values, ts < day), _sample(f"from {label}", values, ts >= day)


@dataclass(frozen=True)
class SignificanceTest:
    """One test of the two groups; the statistic is oriented as B against A."""

    name: str
    statistic: float  # t, U, z, or for Fisher's exact test the sample odds ratio
    p_value: float


@dataclass(frozen=True)
class Group:
    """One group's size, mean or share, and that value's confidence interval (None for a single value)."""

    label: str
    n: int
    value: float
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class Comparison:
    """Group B against group A (the baseline): difference = B − A, with the test that decided and a verdict."""

    kind: Kind
    a: Group
    b: Group
    difference: float
    ci_low: float | None  # of the difference, at level 1 − alpha
    ci_high: float | None
    ci_method: str
    tests: tuple[SignificanceTest, ...]  # every test run; the first one decided
    effect_name: str  # "Cohen's d" (means) or "Cohen's h" (shares, the effect the sample size is solved for)
    effect_size: float | None
    effect_label: str  # "negligible", "small", "medium", "large" (Cohen's thresholds) or ""
    odds_ratio: float | None  # shares only: odds of B over odds of A
    alpha: float
    power: float
    significant: bool  # p < alpha
    called: bool  # significant and every group has at least MIN_N values: the verdict names the higher group
    needed_n: int | None  # per group, to detect the observed difference with ``power``; only when not significant
    verdict: str
    notes: tuple[str, ...] = ()  # caveats: tests that disagree, cells corrected, captured warnings

    @property
    def test(self) -> str | None:
        """Name of the test whose p-value decided, None when no test could run."""
        return self.tests[0].name if self.tests else None

    @property
    def p_value(self) -> float | None:
        return self.tests[0].p_value if self.tests else None

    @property
    def difference_pp(self) -> float | None:
        """Shares only: the difference in percentage points."""
        return 100 * self.difference if self.kind == "share" else None


def _fmt(kind: Kind, value: float, *, signed: bool = False) -> str:
    if kind == "share":
        return f"{100 * value:+.1f} pp" if signed else f"{100 * value:.1f} %"
    text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    return f"+{text}" if signed and value > 0 else text


def format_p(p: float) -> str:
    """A p-value as the page and charts print it.

    >>> format_p(0.0004), format_p(0.04567)
    ('p < 0.001', 'p = 0.046')
    """
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _cohen_label(effect: float) -> str:
    size = abs(effect)
    return "negligible" if size < 0.2 else "small" if size < 0.5 else "medium" if size < 0.8 else "large"


def _needed_n(effect: float, kind: Kind, alpha: float, power: float) -> int:
    """Values per group for a two-sided test to detect ``effect`` (d or h) with ``power``.

    The solvers give up on tiny effects (millions per group); the normal approximation is exact enough there."""
    solver = TTestIndPower() if kind == "mean" else NormalIndPower()
    n = solver.solve_power(effect_size=abs(effect), alpha=alpha, power=power, ratio=1.0)
    if not np.isfinite(n):
        n = 2 * ((stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)) / effect) ** 2
    return math.ceil(n)


def _verdict(c: Comparison) -> str:
    a, b, kind = c.a, c.b, c.kind
    level = f"{1 - c.alpha:.0%} CI"
    higher, lower = (b, a) if c.difference > 0 else (a, b)
    text = (f"{b.label} − {a.label} = {_fmt(kind, c.difference, signed=True)}, {level} {_fmt(kind, c.ci_low, signed=True)} to "
            f"{_fmt(kind, c.ci_high, signed=True)}; {c.test} {format_p(c.p_value)}")
    if c.called:
        odds = f", odds ratio {c.odds_ratio:.2f}" if c.odds_ratio is not None else ""
        return (f"{higher.label} is higher than {lower.label}: {_fmt(kind, higher.value)} vs {_fmt(kind, lower.value)} "
                f"({text}); a {c.effect_label} effect ({c.effect_name} = {c.effect_size:.2f}{odds}).")
    if c.significant:
        return (f"{higher.label} looks higher than {lower.label} ({text}), but on too few interactions to call "
                f"(n = {a.n:,} and {b.n:,}); collect at least {MIN_N} per group before naming a winner.")
    if c.difference == 0:
        return f"No difference: {a.label} and {b.label} have the same value ({_fmt(kind, a.value)}; {text})."
    more = f"{max(c.needed_n - a.n, 0):,} more for {a.label}, {max(c.needed_n - b.n, 0):,} more for {b.label}"
    return (f"No clear difference between {a.label} and {b.label} ({text}): the gap could be chance. To detect a "
            f"difference this size with {c.power:.0%} power, about {c.needed_n:,} interactions per group are needed "
            f"({more}).")


def _clean(values: object) -> np.ndarray:
    array = np.asarray(values, dtype=float).ravel()
    return array[~np.isnan(array)]


def _means(x: np.ndarray, y: np.ndarray, alpha: float) -> dict:
    """Welch's t-test and interval, Mann–Whitney U and Cohen's d; B = y against A = x."""
    na, nb = len(x), len(y)
    va, vb = x.var(ddof=1), y.var(ddof=1)
    diff = y.mean() - x.mean()
    welch = stats.ttest_ind(y, x, equal_var=False)
    mwu = stats.mannwhitneyu(y, x, alternative="two-sided")
    se = math.sqrt(va / na + vb / nb)
    df = se ** 4 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1))
    half = stats.t.ppf(1 - alpha / 2, df) * se
    d = diff / math.sqrt(((na - 1) * va + (nb - 1) * vb) / (na + nb - 2))
    tests = (SignificanceTest("Welch t-test", float(welch.statistic), float(welch.pvalue)),
             SignificanceTest("Mann–Whitney U", float(mwu.statistic), float(mwu.pvalue)))
    notes = ()
    if (tests[0].p_value < alpha) != (tests[1].p_value < alpha):
        notes = (f"Welch's t-test and Mann–Whitney U disagree ({format_p(tests[0].p_value)} vs "
                 f"{format_p(tests[1].p_value)}): a few extreme values may drive the mean difference.",)
    return dict(ci_low=diff - half, ci_high=diff + half, ci_method="Welch (Satterthwaite df)", tests=tests,
                effect_name="Cohen's d", effect_size=d, odds_ratio=None, notes=notes)


def _shares(x: np.ndarray, y: np.ndarray, alpha: float) -> dict:
    """Two-proportion z-test (Fisher's exact test first when a cell is small), Newcombe interval, odds ratio."""
    na, nb, xa, xb = len(x), len(y), int(x.sum()), int(y.sum())
    low, high = confint_proportions_2indep(xb, nb, xa, na, method="newcomb", compare="diff", alpha=alpha)
    z, p_z = proportions_ztest([xb, xa], [nb, na])
    tests = [SignificanceTest("two-proportion z-test", float(z), float(p_z))]
    pooled = (xa + xb) / (na + nb)
    cells = [[xb, nb - xb], [xa, na - xa]]
    notes = []
    if min(pooled, 1 - pooled) * min(na, nb) < SMALL_EXPECTED:
        odds, p_f = stats.fisher_exact(cells)
        tests.insert(0, SignificanceTest("Fisher's exact test", float(odds), float(p_f)))
        notes.append(f"An expected cell count is below {SMALL_EXPECTED}, so Fisher's exact test decides.")
    if min(min(row) for row in cells) == 0:
        cells = [[v + 0.5 for v in row] for row in cells]
        notes.append("A cell is zero, so 0.5 was added to every cell for the odds ratio (Haldane–Anscombe).")
    odds_ratio = (cells[0][0] / cells[0][1]) / (cells[1][0] / cells[1][1])
    h = float(proportion_effectsize(y.mean(), x.mean()))
    return dict(ci_low=float(low), ci_high=float(high), ci_method="Newcombe hybrid score (Wilson)",
                tests=tuple(tests), effect_name="Cohen's h", effect_size=h, odds_ratio=float(odds_ratio),
                notes=tuple(notes))


def _group(label: str, v: np.ndarray, kind: Kind, alpha: float) -> Group:
    n, value = len(v), float(v.mean())
    if kind == "share":
        low, high = proportion_confint(int(v.sum()), n, alpha=alpha, method="wilson")
        return Group(label, n, value, float(low), float(high))
    if n < MIN_TEST_N:
        return Group(label, n, value, None, None)
    half = float(stats.t.ppf(1 - alpha / 2, n - 1) * v.std(ddof=1) / math.sqrt(n))
    return Group(label, n, value, value - half, value + half)


def compare_groups(a: object, b: object, *, kind: Kind, labels: tuple[str, str] = ("A", "B"), alpha: float = 0.05,
                   power: float = 0.8) -> Comparison:
    """Compare group B with group A (the baseline) on a mean or a share.

    Parameters
    ----------
    a, b : array-like of float
        The two groups' values (NaN dropped); for ``kind="share"`` each value is 0 or 1.
    kind : {"mean", "share"}
        Means: Welch t-test (decides) and Mann–Whitney U, Welch interval, Cohen's d. Shares: two-proportion
        z-test, or Fisher's exact test when an expected cell count is below 5; Newcombe interval; odds ratio.
    labels : (str, str)
        Names of A and B, used in the verdict.
    alpha, power : float
        Significance level (the intervals are at 1 − alpha) and the power the needed sample size is solved for.

    Returns
    -------
    Comparison
        ``difference`` = B − A. ``called`` only when significant with at least MIN_N (30) values per group;
        when not significant, ``needed_n`` and the verdict say how many values per group would detect the
        observed difference.

    Raises
    ------
    ValueError
        A group is empty, share values are not 0/1, or alpha / power lie outside (0, 1).

    Examples
    --------
    >>> compare_groups([0, 0, 1, 0], [1, 1, 0, 1], kind="share").test
    "Fisher's exact test"
    """
    if kind not in ("mean", "share"):
        raise ValueError(f"kind={kind!r} should be 'mean' or 'share'.")
    if not (0 < alpha < 1 and 0 < power < 1):
        raise ValueError(f"alpha={alpha!r} and power={power!r} should both lie between 0 and 1.")
    x, y = _clean(a), _clean(b)
    for label, v in zip(labels, (x, y), strict=True):
        if len(v) == 0:
            raise ValueError(f"Group {label!r} has no values to compare (n = 0); pick another group or widen the "
                             "filters.")
        if kind == "share" and not np.isin(v, (0.0, 1.0)).all():
            odd = sorted(set(v) - {0.0, 1.0})[:3]
            raise ValueError(f"kind='share' needs values 0 or 1; group {label!r} has {odd}.")
    ga, gb = _group(labels[0], x, kind, alpha), _group(labels[1], y, kind, alpha)
    # Equal means summed in another order differ in the last bit; that is no difference to chase.
    same = math.isclose(ga.value, gb.value, rel_tol=1e-12, abs_tol=1e-12)
    base = dict(kind=kind, a=ga, b=gb, difference=0.0 if same else gb.value - ga.value, ci_low=None, ci_high=None,
                ci_method="", tests=(), effect_name="", effect_size=None, effect_label="", odds_ratio=None,
                alpha=alpha, power=power, significant=False, called=False, needed_n=None, verdict="")
    if min(len(x), len(y)) < MIN_TEST_N:
        small = ga if len(x) < MIN_TEST_N else gb
        return Comparison(**base | {"verdict": f"Too little data: {small.label} has a single value; a test needs at "
                                               f"least {MIN_TEST_N} per group (and {MIN_N} before a winner is named)."})
    if np.ptp(np.concatenate([x, y])) == 0 or (kind == "mean" and np.ptp(x) == 0 and np.ptp(y) == 0):
        verdict = (f"No difference: every value in both groups is {_fmt(kind, ga.value)}." if same else
                   f"No spread: every value in {ga.label} is {_fmt(kind, ga.value)} and every value in {gb.label} "
                   f"is {_fmt(kind, gb.value)}, so the difference is {_fmt(kind, base['difference'], signed=True)} on "
                   "every interaction and no test applies.")
        return Comparison(**base | {"verdict": verdict})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = _means(x, y, alpha) if kind == "mean" else _shares(x, y, alpha)
        significant = found["tests"][0].p_value < alpha
        effect = 0.0 if same else found["effect_size"]
        needed = None if significant or effect == 0 else _needed_n(effect, kind, alpha, power)
    found["notes"] += tuple(str(w.message).strip() for w in caught)
    result = Comparison(**base | found | dict(
        effect_size=effect, effect_label=_cohen_label(effect), significant=significant, needed_n=needed,
        called=significant and min(len(x), len(y)) >= MIN_N))
    return replace(result, verdict=_verdict(result))


def one_vs_rest(frame: pd.DataFrame, column: str, metric: str | Metric, *, correction: str = "holm", min_n: int = MIN_N,
                alpha: float = 0.05, sentiment: pd.DataFrame | None = None,
                tags: Mapping[str, pd.DataFrame] | None = None,
                scale: tuple[float, float] | None = None) -> pd.DataFrame:
    """Every value of ``column`` against all other rows, p-values adjusted for the number of values tested.

    Returns
    -------
    DataFrame
        One row per tested value, largest difference first: ``group, n, value, n_rest, rest, difference,
        ci_low, ci_high, test, p, p_adjusted, significant`` (difference = value − rest; intervals not
        adjusted; ``p`` NaN where no test applies, e.g. no spread at all). ``attrs`` holds ``correction``
        (its name for the page), ``alpha``, ``min_n``, ``kind``, ``metric`` (label) and ``skipped`` (values
        with fewer than ``min_n`` values, or whose rest has fewer, left out). Rows without a value of
        ``column`` are in no group.
    """
    if correction not in CORRECTIONS:
        raise ValueError(f"correction={correction!r} should be one of {sorted(CORRECTIONS)}.")
    if column not in frame.columns:
        raise ValueError(f"column={column!r} is not in the data; it has {list(frame.columns)}.")
    found = find_metric(frame, _key(metric), sentiment=sentiment, tags=tags)
    values = metric_values(frame, found, sentiment=sentiment, tags=tags, scale=scale)
    groups = frame[column].astype(str).where(frame[column].notna())
    keep = values.notna() & groups.notna()
    counts = groups[keep].value_counts()
    if len(counts) < 2:
        raise ValueError(f"{column} has {len(counts)} value(s) with a {found.label.lower()}; one-vs-rest needs 2.")
    rows, skipped = [], 0
    for value, n in counts.items():
        inside = keep & groups.eq(value)
        if n < min_n or int(keep.sum()) - n < min_n:
            skipped += 1
            continue
        c = compare_groups(values[keep & ~inside], values[inside], kind=found.kind, labels=("rest", value),
                           alpha=alpha)
        rows.append({"group": value, "n": c.b.n, "value": c.b.value, "n_rest": c.a.n, "rest": c.a.value,
                     "difference": c.difference, "ci_low": c.ci_low, "ci_high": c.ci_high, "test": c.test or "",
                     "p": np.nan if c.p_value is None else c.p_value})
    table = pd.DataFrame(rows, columns=["group", "n", "value", "n_rest", "rest", "difference", "ci_low", "ci_high",
                                        "test", "p"]).astype({"ci_low": float, "ci_high": float, "p": float})
    tested = table["p"].notna()
    table["p_adjusted"] = np.nan
    if tested.any():
        table.loc[tested, "p_adjusted"] = multipletests(table.loc[tested, "p"], alpha=alpha, method=correction)[1]
    table["significant"] = table["p_adjusted"].lt(alpha)
    table = table.sort_values("difference", ascending=False, ignore_index=True)
    table.attrs.update(correction=CORRECTIONS[correction], alpha=alpha, min_n=min_n, kind=found.kind,
                       metric=found.label, skipped=skipped)
    return table
