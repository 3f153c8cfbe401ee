"""Tests for analytics.insights.compare: hand-checked tests and intervals, A/A error rate, power, the demo's facts."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest

from analytics.insights.compare import (
    compare_groups,
    compare_metrics,
    find_metric,
    group_columns,
    groups_by_date,
    groups_by_value,
    metric_values,
    one_vs_rest,
)

Z95 = stats.norm.ppf(0.975)


def _wilson(x, n, z=Z95):
    p = x / n
    centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


def test_welch_test_interval_and_cohens_d_match_a_hand_computation():
    a, b = [1, 2, 3, 4, 5], [2, 4, 6, 8, 10]
    c = compare_groups(a, b, kind="mean", labels=("low", "high"))
    # By hand: means 3 and 6, variances 2.5 and 10, se = sqrt(2.5/5 + 10/5), Welch df = se^4 / (…).
    se = math.sqrt(0.5 + 2.0)
    df = se ** 4 / (0.5 ** 2 / 4 + 2.0 ** 2 / 4)
    half = stats.t.ppf(0.975, df) * se
    assert c.difference == 3.0 and c.ci_low == pytest.approx(3 - half) and c.ci_high == pytest.approx(3 + half)
    assert c.ci_method.startswith("Welch")
    welch, mwu = c.tests
    assert (welch.name, mwu.name) == ("Welch t-test", "Mann–Whitney U") and c.test == "Welch t-test"
    assert welch.statistic == pytest.approx(3 / se)
    assert welch.p_value == pytest.approx(stats.ttest_ind(b, a, equal_var=False).pvalue)
    assert welch.p_value == pytest.approx(2 * stats.t.sf(3 / se, df))
    assert mwu.p_value == pytest.approx(stats.mannwhitneyu(b, a, alternative="two-sided").pvalue)
    assert c.effect_name == "Cohen's d" and c.effect_size == pytest.approx(1.2)  # 3 / sqrt((4·2.5 + 4·10) / 8)
    assert c.effect_label == "large" and c.a.n == 5 and c.b.value == 6.0
    t_group = stats.t.ppf(0.975, 4) * math.sqrt(2.5) / math.sqrt(5)
    assert (c.a.ci_low, c.a.ci_high) == pytest.approx((3 - t_group, 3 + t_group))
    # p ≈ 0.11: not significant, so the verdict says how many would be needed.
    assert not c.significant and not c.called and c.needed_n is not None and "per group are needed" in c.verdict


def test_proportion_test_newcombe_interval_and_odds_ratio_match_a_hand_computation():
    a = np.r_[np.ones(30), np.zeros(70)]
    b = np.r_[np.ones(45), np.zeros(55)]
    c = compare_groups(a, b, kind="share")
    pooled = 75 / 200
    z = 0.15 / math.sqrt(pooled * (1 - pooled) * (2 / 100))
    assert c.test == "two-proportion z-test" and len(c.tests) == 1
    assert c.tests[0].statistic == pytest.approx(z) and c.p_value == pytest.approx(2 * stats.norm.sf(z))
    assert c.p_value == pytest.approx(proportions_ztest([45, 30], [100, 100])[1])
    (lb, ub), (la, ua) = _wilson(45, 100), _wilson(30, 100)
    assert c.ci_low == pytest.approx(0.15 - math.sqrt((0.45 - lb) ** 2 + (ua - 0.30) ** 2))
    assert c.ci_high == pytest.approx(0.15 + math.sqrt((ub - 0.45) ** 2 + (0.30 - la) ** 2))
    assert "Newcombe" in c.ci_method and (c.a.ci_low, c.a.ci_high) == pytest.approx((la, ua))
    assert c.difference_pp == pytest.approx(15.0)
    assert c.odds_ratio == pytest.approx((45 / 55) / (30 / 70))
    assert c.significant and c.called and c.needed_n is None
    assert c.verdict.startswith("B is higher than A: 45.0 % vs 30.0 %")


def test_small_expected_counts_switch_to_fishers_exact_test():
    c = compare_groups([1, 0, 0, 0, 0], [1, 1, 1, 1, 0], kind="share")
    assert c.test == "Fisher's exact test" and [t.name for t in c.tests] == ["Fisher's exact test",
                                                                              "two-proportion z-test"]
    assert c.p_value == pytest.approx(stats.fisher_exact([[4, 1], [1, 4]])[1])
    assert any("Fisher" in note for note in c.notes)


def _aa_rate(kind, draw, seeds=400, n=200):
    hits = 0
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        hits += compare_groups(draw(rng, n), draw(rng, n), kind=kind).significant
    return hits / seeds


@pytest.mark.parametrize(("kind", "draw"), [
    ("mean", lambda rng, n: rng.choice([1, 2, 3, 4, 5], n, p=[0.03, 0.08, 0.19, 0.29, 0.41])),  # the demo's stars
    ("share", lambda rng, n: (rng.random(n) < 0.3).astype(float)),
])
def test_a_over_a_is_called_different_at_about_the_nominal_rate(kind, draw):
    # 400 seeds: the rate's standard error is about 1.1 points, so 2–8.5 % is ±3 standard errors around 5 %.
    assert 0.02 <= _aa_rate(kind, draw) <= 0.085


def test_a_planted_difference_is_found_and_called():
    rng = np.random.default_rng(3)
    means = compare_groups(rng.normal(0, 1, 150), rng.normal(0.5, 1, 150), kind="mean", labels=("old", "new"))
    assert means.called and means.difference > 0 and means.ci_low > 0 and means.verdict.startswith("new is higher")
    shares = compare_groups(rng.random(400) < 0.35, rng.random(400) < 0.20, kind="share", labels=("old", "new"))
    assert shares.called and shares.difference < 0 and shares.ci_high < 0 and shares.verdict.startswith("old is higher")


def test_the_needed_n_gives_about_the_promised_power():
    rng = np.random.default_rng(4)
    c = compare_groups(rng.normal(0, 1, 60), rng.normal(0.25, 1, 60), kind="mean")
    assert not c.significant and 60 < c.needed_n < 1000
    # Simulate at the needed n with the observed effect as the truth (Welch's test, as the module decides).
    sim = np.random.default_rng(0)
    x, y = sim.normal(0, 1, (400, c.needed_n)), sim.normal(c.effect_size, 1, (400, c.needed_n))
    power = (stats.ttest_ind(y, x, axis=1, equal_var=False).pvalue < 0.05).mean()
    assert abs(power - 0.8) <= 0.06  # 400 runs: standard error 2 points

    rng = np.random.default_rng(5)
    s = compare_groups(rng.random(80) < 0.30, rng.random(80) < 0.38, kind="share")
    assert not s.significant and 80 < s.needed_n < 2000
    n = s.needed_n
    xa, xb = sim.binomial(n, s.a.value, 400), sim.binomial(n, s.b.value, 400)
    pooled = (xa + xb) / (2 * n)
    z = (xb - xa) / n / np.sqrt(pooled * (1 - pooled) * 2 / n)
    assert abs((2 * stats.norm.sf(np.abs(z)) < 0.05).mean() - 0.8) <= 0.06


@pytest.mark.filterwarnings("error")
def test_degenerate_groups_get_clear_verdicts_and_no_warnings():
    single = compare_groups([4.0], [3, 4, 5], kind="mean", labels=("solo", "crowd"))
    assert single.p_value is None and single.test is None and not single.significant
    assert single.verdict.startswith("Too little data: solo has a single value")
    assert single.a.ci_low is None and single.ci_low is None

    same = compare_groups([1, 2, 3, 4], [4, 3, 2, 1], kind="mean")
    assert same.difference == 0 and same.p_value == pytest.approx(1.0) and same.needed_n is None
    assert same.verdict.startswith("No difference") and not same.significant

    flat = compare_groups([4, 4, 4], [4, 4, 4], kind="mean")
    assert flat.verdict == "No difference: every value in both groups is 4." and flat.tests == ()
    apart = compare_groups([4, 4, 4], [5, 5, 5], kind="mean")
    assert apart.verdict.startswith("No spread") and apart.difference == 1 and apart.p_value is None
    none = compare_groups([0, 0, 0], [0, 0], kind="share")
    assert none.verdict == "No difference: every value in both groups is 0.0 %."

    with pytest.raises(ValueError, match=r"Group 'B' has no values to compare \(n = 0\)"):
        compare_groups([1, 2], [np.nan], kind="mean")
    with pytest.raises(ValueError, match="needs values 0 or 1"):
        compare_groups([0, 1], [0, 2], kind="share")
    with pytest.raises(ValueError, match="kind='median'"):
        compare_groups([0, 1], [0, 1], kind="median")


def test_a_small_significant_difference_is_reported_but_not_called():
    c = compare_groups([1, 1, 1, 2, 1, 1], [5, 4, 5, 5, 4, 5], kind="mean")
    assert c.significant and not c.called and "too few interactions to call" in c.verdict


def _canonical(seed=1, n=600):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "record_id": [f"r{i}" for i in range(n)],
        "rating": rng.integers(0, 5, n) / 4,
        "expected": np.where(rng.random(n) < 0.5, rng.integers(0, 5, n) / 4, np.nan),
        "timestamp": pd.date_range("2024-01-01", periods=n, freq="D"),
        "channel": rng.choice(["phone", "review"], n),
        "customer_id": rng.integers(1, 50, n).astype(float),  # numeric ids are no metric
        "amount": rng.gamma(2, 30, n),
        "converted": rng.integers(0, 2, n),
    })


def test_metrics_say_what_the_frame_supports_and_what_enables_the_rest():
    frame = _canonical()
    metrics = {m.key: m for m in compare_metrics(frame)}
    assert [k for k, m in metrics.items() if m.available] == [
        "mean_rating", "mean_gap", "pct_negative", "column:amount", "column:converted"]
    assert metrics["column:converted"].kind == "share" and metrics["column:amount"].kind == "mean"
    assert "below 40%" in metrics["pct_negative"].label and metrics["mean_rating"].needs == ""
    assert "topic classifier" in metrics["topic"].needs and "column:customer_id" not in metrics
    bare = {m.key: m for m in compare_metrics(frame[["record_id", "channel"]])}
    assert "map a rating column" in bare["mean_rating"].needs.lower() and "expect" in bare["mean_gap"].needs
    sentiment = pd.DataFrame({"record_id": ["r0", "r1"], "label": ["negative", "positive"]})
    tags = {"topic": pd.DataFrame({"record_id": ["r0", "r1", "r2"], "label": ["delivery", "price", "delivery"]})}
    rich = {m.key: m for m in compare_metrics(frame, sentiment=sentiment, tags=tags)}
    assert rich["pct_negative"].label == "% negative (text sentiment)"
    assert list(rich)[3:5] == ["topic:delivery", "topic:price"] and rich["topic:delivery"].kind == "share"
    negative = metric_values(frame, "pct_negative", sentiment=sentiment)
    assert negative.iloc[:2].tolist() == [1.0, 0.0] and negative.iloc[2:].isna().all()
    delivery = metric_values(frame, "topic:delivery", tags=tags)
    assert delivery.iloc[:3].tolist() == [1.0, 0.0, 1.0] and delivery.iloc[3:].isna().all()


def test_an_unsupported_metric_is_refused_with_what_enables_it():
    frame = _canonical().drop(columns=["expected"])
    with pytest.raises(ValueError, match="map an expectation column"):
        find_metric(frame, "mean_gap")
    with pytest.raises(ValueError, match="not available on this dataset: fine-tune a topic classifier"):
        groups_by_value(frame, "topic:delivery", column="channel", a="phone", b="review")
    with pytest.raises(ValueError, match="metric='nps' is not a metric of this dataset"):
        metric_values(frame, "nps")
    with pytest.raises(ValueError, match="two different values of channel"):
        groups_by_value(frame, "mean_rating", column="channel", a="phone", b="phone")
    with pytest.raises(ValueError, match="column='store' is not in the data"):
        groups_by_value(frame, "mean_rating", column="store", a="x", b="y")
    with pytest.raises(ValueError, match="no timestamps"):
        groups_by_date(frame.drop(columns=["timestamp"]), "mean_rating", split=pd.Timestamp("2024-02-01"))


def test_groups_by_value_and_by_date_split_the_rows_on_the_datasets_scale():
    frame = _canonical()
    phone, review = groups_by_value(frame, "mean_rating", column="channel", a="phone", b="review", scale=(1, 5))
    assert phone.n + review.n == len(frame) and phone.label == "phone" and phone.missing == 0
    assert phone.values.mean() == pytest.approx(1 + 4 * frame.loc[frame["channel"] == "phone", "rating"].mean())
    gap_a, gap_b = groups_by_value(frame, "mean_gap", column="channel", a="phone", b="review")
    assert gap_a.n + gap_b.n == frame["expected"].notna().sum()
    assert gap_a.missing == int(((frame["channel"] == "phone") & frame["expected"].isna()).sum())
    before, after = groups_by_date(frame, "column:amount", split=pd.Timestamp("2024-03-01").date())
    assert (before.label, after.label) == ("before 2024-03-01", "from 2024-03-01")
    assert (before.n, after.n) == (60, 540)
    numbers = pd.DataFrame({"variant": [1, 2, 1, 2, np.nan], "rating": [0.1, 0.9, 0.2, 0.8, 0.5]})
    one, two = groups_by_value(numbers, "mean_rating", column="variant", a="1.0", b=2.0)
    assert (one.n, two.n) == (2, 2)
    assert "channel" in group_columns(frame) and "amount" not in group_columns(frame)


def _planted(seed=3, per=300, shift=0.8):
    """Twelve stores, s3 planted 0.4 SD higher, and a store too small to test.

    Each other store's rest holds s3, so it looks slightly lower; twelve stores keep that leak small."""
    rng = np.random.default_rng(seed)
    stores = np.repeat([f"s{i}" for i in range(12)], per)
    spend = rng.normal(10, 2, len(stores)) + np.where(stores == "s3", shift, 0.0)
    tiny = pd.DataFrame({"store": ["tiny"] * 5, "spend": rng.normal(10, 2, 5)})
    return pd.concat([pd.DataFrame({"store": stores, "spend": spend}), tiny], ignore_index=True)


@pytest.mark.parametrize(("correction", "name"), [("holm", "Holm"), ("fdr_bh", "Benjamini–Hochberg (FDR)")])
def test_one_vs_rest_finds_only_the_planted_value_after_correction(correction, name):
    table = one_vs_rest(_planted(), "store", "column:spend", correction=correction, min_n=30)
    assert table.attrs["correction"] == name and table.attrs["skipped"] == 1 and table.attrs["kind"] == "mean"
    assert table.loc[table["significant"], "group"].tolist() == ["s3"]
    assert table["group"].iloc[0] == "s3" and len(table) == 12  # largest difference first; "tiny" skipped
    assert (table["p_adjusted"] >= table["p"]).all() and table["n"].eq(300).all()
    # Seed 3 has two chance findings at the raw 5 % level: the correction is what removes them.
    assert sorted(table.loc[(table["p"] < 0.05) & (table["group"] != "s3"), "group"]) == ["s11", "s8"]
    row = table.iloc[0]
    assert row["n_rest"] == 11 * 300 + 5 and row["ci_low"] > 0 and row["test"] == "Welch t-test"


def test_one_vs_rest_refuses_bad_input():
    with pytest.raises(ValueError, match="correction='bonferroni'"):
        one_vs_rest(_planted(), "store", "column:spend", correction="bonferroni")
    with pytest.raises(ValueError, match="one-vs-rest needs 2"):
        one_vs_rest(pd.DataFrame({"store": ["a"] * 40, "spend": np.arange(40.0)}), "store", "column:spend")
    empty = one_vs_rest(_planted(per=10), "store", "column:spend", min_n=30)
    assert empty.empty and empty.attrs["skipped"] == 13


@pytest.fixture(scope="module")
def demo_frame():
    from analytics.demo.generator import generate_demo

    raw = generate_demo(seed=7).interactions
    return pd.DataFrame({
        "record_id": raw["interaction_id"], "timestamp": pd.to_datetime(raw["created_at"]),
        "rating": (raw["rating"] - 1) / 4, "expected": (raw["expected"] - 1) / 4, "channel": raw["channel"],
        "category": raw["category"], "product": raw["product"], "customer_id": raw["customer_id"],
        "amount": raw["amount"], "text": raw["text"],
    })


def test_demo_electronics_misses_expectations_more_than_garden(demo_frame):
    electronics, garden = groups_by_value(demo_frame, "mean_gap", column="category", a="Electronics", b="Garden",
                                          scale=(1, 5))
    c = compare_groups(electronics.values, garden.values, kind="mean", labels=(electronics.label, garden.label))
    assert c.called and c.a.value < 0 < c.b.value and c.ci_low > 1.0  # seed 7: −0.70 vs +0.79
    assert c.verdict.startswith("Garden is higher than Electronics")


def test_demo_phone_is_rated_lower_than_review(demo_frame):
    review, phone = groups_by_value(demo_frame, "mean_rating", column="channel", a="review", b="phone", scale=(1, 5))
    c = compare_groups(review.values, phone.values, kind="mean", labels=("review", "phone"))
    assert c.called and c.difference < 0 and c.ci_high < 0 and c.tests[1].p_value < 0.001
    table = one_vs_rest(demo_frame, "category", "mean_gap", scale=(1, 5))
    assert set(table.loc[table["significant"], "group"]) >= {"Electronics", "Garden"}
    assert table["group"].iloc[0] == "Garden" and table["group"].iloc[-1] == "Electronics"
