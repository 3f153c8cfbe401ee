"""Tests for analytics.demo: determinism, the raw-export schema, and every planted fact of data/DEMO.md."""
from __future__ import annotations

import re
from itertools import combinations
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest

from analytics.demo import phrases
from analytics.demo.generator import (
    COLUMNS,
    CUE_PATTERN,
    DEMO_FILENAME,
    EXCEED_CATEGORY,
    MISS_CATEGORY,
    PLANTED_PAIRS,
    SURGE_MONTH,
    UNDERPERFORMING_PRODUCTS,
    WEEKDAY_MULTIPLIERS,
    DemoData,
    ensure_demo_csv,
    generate_demo,
)

# Keyword proxies a plain-pandas analyst would use (documented in data/DEMO.md).
DELIVERY_WORDS = r"deliver|courier|parcel|shipping|arriv|package|tracking"
PRICE_WORDS = r"price|expensive|cheap|money|discount|bargain|cost|charged|fees"
SUPPORT_RETURN_WORDS = r"support|refund|return|agent|on hold|ticket|customer service|staff"


class Keywords(NamedTuple):
    """The keyword proxies of one language (test_chinese_demo.py runs the same tests with Chinese ones)."""

    delivery: str
    price: str
    support_return: str


@pytest.fixture(scope="module")
def keywords() -> Keywords:
    return Keywords(DELIVERY_WORDS, PRICE_WORDS, SUPPORT_RETURN_WORDS)


@pytest.fixture(scope="module")
def tables() -> ModuleType:
    return phrases


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo()


@pytest.fixture(scope="module")
def df(demo) -> pd.DataFrame:
    return demo.interactions


@pytest.fixture(scope="module")
def months(df) -> pd.Series:
    return df["created_at"].str.slice(0, 7)


@pytest.fixture(scope="module")
def orders(df) -> pd.DataFrame:
    return df.drop_duplicates("order_id")


# ---------------------------------------------------------------------------------------------- determinism


def test_same_seed_gives_the_identical_frame_and_truth():
    first, again = generate_demo(seed=5, n_interactions=3_000), generate_demo(seed=5, n_interactions=3_000)
    pd.testing.assert_frame_equal(again.interactions, first.interactions)
    pd.testing.assert_frame_equal(again.truth.labels, first.truth.labels)
    pd.testing.assert_series_equal(again.truth.customer_groups, first.truth.customer_groups)
    pd.testing.assert_frame_equal(again.truth.products, first.truth.products)


def test_different_seed_gives_a_different_frame():
    a = generate_demo(seed=1, n_interactions=1_000).interactions
    b = generate_demo(seed=2, n_interactions=1_000).interactions
    assert a.shape == b.shape
    assert (a["text"] != b["text"]).mean() > 0.9
    assert (a["created_at"] != b["created_at"]).mean() > 0.9


def test_too_few_interactions_is_refused():
    with pytest.raises(ValueError, match="n_interactions=10 should be >= 200"):
        generate_demo(n_interactions=10)


# ---------------------------------------------------------------------------------------------- schema


def test_columns_and_dtypes(df):
    assert tuple(df.columns) == COLUMNS
    for column in ("interaction_id", "created_at", "customer_id", "channel", "product", "category",
                   "order_id", "items", "text"):
        assert pd.api.types.is_string_dtype(df[column]), column
        assert df[column].notna().all(), column
    assert df["rating"].dtype == np.int64
    for column in ("expected", "advertised_rating", "amount"):
        assert df[column].dtype == np.float64, column


def test_ids_and_dates_are_well_formed(df):
    assert len(df) == 20_000
    assert df["interaction_id"].is_unique
    assert df["interaction_id"].str.fullmatch(r"INT-\d{6}").all()
    assert df["customer_id"].str.fullmatch(r"C\d{5}").all()
    assert df["order_id"].str.fullmatch(r"O\d{7}").all()
    assert df["created_at"].str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}").all()
    stamps = pd.to_datetime(df["created_at"], format="%Y-%m-%d %H:%M:%S")
    assert stamps.min().date().isoformat() == "2024-01-01"
    assert stamps.max().date().isoformat() == "2025-12-31"
    assert stamps.dt.to_period("M").nunique() == 24
    assert stamps.is_monotonic_increasing  # ids follow time


def test_sizes_of_the_catalogue_and_customer_base(df):
    assert df["customer_id"].nunique() == 3_000
    assert df["product"].nunique() == 40
    assert df["category"].nunique() == 6
    assert (df.groupby("product")["category"].nunique() == 1).all()
    assert set(df["channel"]) == {"review", "email", "chat", "phone", "survey"}


def test_value_ranges(df):
    assert df["rating"].between(1, 5).all()
    assert set(df["rating"]) == {1, 2, 3, 4, 5}
    survey = df["channel"] == "survey"
    assert df.loc[~survey, "expected"].isna().all()
    stated = df.loc[survey, "expected"]
    assert stated.notna().all() and stated.between(1, 5).all() and (stated == stated.round()).all()
    assert df["advertised_rating"].notna().all()
    assert df["advertised_rating"].between(1, 5).all()
    assert np.allclose(df["advertised_rating"], df["advertised_rating"].round(1))
    assert (df.groupby("product")["advertised_rating"].nunique() == 1).all()
    assert (df["amount"] > 0).all() and np.allclose(df["amount"], df["amount"].round(2))


def test_orders_are_consistent(df, demo):
    per_order = df.groupby("order_id").agg(customers=("customer_id", "nunique"), items=("items", "nunique"),
                                           amounts=("amount", "nunique"))
    assert (per_order == 1).all().all()
    baskets = df["items"].str.split(";")
    assert baskets.str.len().between(1, 4).all()
    assert all(p in b for p, b in zip(df["product"], baskets))
    assert all(len(set(b)) == len(b) for b in baskets)
    price = demo.truth.products.set_index("product")["price"].to_dict()
    totals = [round(sum(price[p] for p in basket), 2) for basket in baskets]
    assert np.allclose(totals, df["amount"])


# ---------------------------------------------------------------------------------------------- fact 1 and 2


def test_fact1_weekly_seasonality(df):
    weekday = pd.to_datetime(df["created_at"]).dt.day_of_week
    relative = weekday.value_counts().sort_index() / (len(df) / 7)
    planted = np.array(WEEKDAY_MULTIPLIERS) / np.mean(WEEKDAY_MULTIPLIERS)
    assert relative.idxmax() == 0 and relative.idxmin() == 6  # Monday highest, Sunday lowest
    assert relative[0] / relative[6] >= 2.0
    assert np.allclose(relative.to_numpy(), planted, rtol=0.10)


def test_fact2_yearly_seasonality(months):
    counts = months.value_counts().sort_index()
    for year in ("2024", "2025"):
        year_counts = counts[counts.index.str.startswith(year)]
        assert sorted(year_counts.nlargest(2).index) == [f"{year}-11", f"{year}-12"]
        assert year_counts.iloc[10:].mean() / year_counts.iloc[:10].mean() >= 1.4


# ---------------------------------------------------------------------------------------------- fact 3


def test_fact3_delivery_complaint_surge(df, months, keywords):
    complaint = df["text"].str.contains(keywords.delivery, case=False) & (df["rating"] <= 2)
    by_month = pd.DataFrame({"month": months, "complaint": complaint, "rating": df["rating"]}).groupby("month").agg(
        share=("complaint", "mean"), count=("complaint", "sum"), rating=("rating", "mean"))
    others = by_month.drop(SURGE_MONTH)
    assert by_month["share"].idxmax() == SURGE_MONTH
    assert by_month.loc[SURGE_MONTH, "share"] >= 3 * others["share"].median()
    assert by_month.loc[SURGE_MONTH, "count"] >= 3 * others["count"].median()
    assert by_month.loc[SURGE_MONTH, "rating"] <= others["rating"].mean() - 0.25
    # No other month looks like a surge.
    assert others["share"].max() <= 1.8 * others["share"].median()


def test_fact3_truth_labels_sit_in_the_surge_month(demo, months):
    surge = demo.truth.labels["is_surge_complaint"].to_numpy()
    assert surge.sum() > 100
    assert (months[surge] == SURGE_MONTH).all()
    assert (demo.truth.labels.loc[surge, "topic"] == "delivery").all()


# ---------------------------------------------------------------------------------------------- fact 4


@pytest.fixture(scope="module")
def group_profile(df, orders, demo, keywords) -> pd.DataFrame:
    group = df["customer_id"].map(demo.truth.customer_groups)
    per_customer = df.groupby("customer_id").agg(interactions=("order_id", "size"), orders=("order_id", "nunique"))
    per_customer["group"] = demo.truth.customer_groups
    return pd.DataFrame({
        "rating": df["rating"].groupby(group).mean(),
        "order_amount": orders["amount"].groupby(orders["customer_id"].map(demo.truth.customer_groups)).mean(),
        "price_share": df["text"].str.contains(keywords.price, case=False).groupby(group).mean(),
        "support_share": df["text"].str.contains(keywords.support_return, case=False).groupby(group).mean(),
        "phone_email": df["channel"].isin(["phone", "email"]).groupby(group).mean(),
    }).join(per_customer.groupby("group")[["interactions", "orders"]].mean())


def test_fact4_group_sizes(demo):
    sizes = demo.truth.customer_groups.value_counts().to_dict()
    assert sizes == {"occasional": 1350, "bargain": 750, "loyal": 450, "at_risk": 450}


def test_fact4_groups_behave_distinctly(group_profile, df, orders):
    p = group_profile
    assert p["orders"].idxmax() == "loyal" and p.loc["loyal", "orders"] >= 10
    assert p["order_amount"].idxmax() == "loyal" and p.loc["loyal", "order_amount"] >= 1.4 * orders["amount"].mean()
    assert p["rating"].idxmax() == "loyal"
    assert p["order_amount"].idxmin() == "bargain" and p.loc["bargain", "order_amount"] <= 0.6 * orders["amount"].mean()
    assert p["price_share"].idxmax() == "bargain" and p.loc["bargain", "price_share"] >= 1.5 * p["price_share"].median()
    assert p["rating"].idxmin() == "at_risk" and p.loc["at_risk", "rating"] <= df["rating"].mean() - 0.8
    assert p["phone_email"].idxmax() == "at_risk" and p.loc["at_risk", "phone_email"] >= 0.6
    assert p["support_share"].idxmax() == "at_risk"
    assert p["interactions"].idxmin() == "occasional" and p.loc["occasional", "interactions"] <= 3


def test_fact4_kmeans_recovers_the_groups(df, orders, demo, keywords):
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score
    from sklearn.preprocessing import StandardScaler

    rows = df.assign(price=df["text"].str.contains(keywords.price, case=False),
                     support=df["text"].str.contains(keywords.support_return, case=False),
                     phone_email=df["channel"].isin(["phone", "email"])).groupby("customer_id")
    features = pd.DataFrame({
        "orders": np.log1p(rows["order_id"].nunique()), "interactions": np.log1p(rows.size()),
        "rating": rows["rating"].mean(), "price": rows["price"].mean(), "support": rows["support"].mean(),
        "phone_email": rows["phone_email"].mean(), "amount": orders.groupby("customer_id")["amount"].mean(),
    })
    labels = KMeans(4, n_init=10, random_state=0).fit_predict(StandardScaler().fit_transform(features))
    assert adjusted_rand_score(demo.truth.customer_groups.reindex(features.index), labels) >= 0.35


# ---------------------------------------------------------------------------------------------- fact 5


def test_fact5_underperforming_products(df):
    stats = df.groupby("product").agg(mean=("rating", "mean"), advertised=("advertised_rating", "first"))
    under = stats.loc[list(UNDERPERFORMING_PRODUCTS)]
    assert (under["advertised"] >= 4.5).all()
    assert (under["mean"] <= under["advertised"] - 1.2).all()
    others = stats.drop(list(UNDERPERFORMING_PRODUCTS))
    assert ((others["mean"] - others["advertised"]).abs() <= 0.4).all()
    # The advertised rating alone does not give the answer away.
    assert (others["advertised"] >= 4.5).sum() >= 1


# ---------------------------------------------------------------------------------------------- fact 6


def _pair_lifts(orders: pd.DataFrame) -> pd.DataFrame:
    baskets = orders["items"].str.split(";")
    products = sorted({p for b in baskets for p in b})
    index = {p: i for i, p in enumerate(products)}
    onehot = np.zeros((len(baskets), len(products)), dtype=np.int64)
    for row, basket in enumerate(baskets):
        onehot[row, [index[p] for p in basket]] = 1
    together = onehot.T @ onehot
    alone = np.diag(together)
    rows = [(a, b, together[i, j], together[i, j] * len(baskets) / (alone[i] * alone[j]))
            for (i, a), (j, b) in combinations(enumerate(products), 2)]
    return pd.DataFrame(rows, columns=["a", "b", "orders", "lift"]).set_index(["a", "b"])


def test_fact6_planted_pairs_have_high_lift(orders):
    lifts = _pair_lifts(orders)
    planted = [tuple(sorted(pair)) for pair in PLANTED_PAIRS]
    for pair in planted:
        assert lifts.loc[pair, "lift"] >= 5, pair
        assert lifts.loc[pair, "orders"] >= 100, pair
    frequent_others = lifts.drop(planted)
    frequent_others = frequent_others[frequent_others["orders"] >= 30]
    assert frequent_others["lift"].max() < 4
    assert set(lifts[lifts["orders"] >= 30].nlargest(3, "lift").index) == set(planted)


# ---------------------------------------------------------------------------------------------- fact 7


def test_fact7_expectation_gaps_by_category(df):
    survey = df[df["channel"] == "survey"]
    gap = (survey["rating"] - survey["expected"]).groupby(survey["category"]).mean()
    assert gap.idxmin() == MISS_CATEGORY and gap[MISS_CATEGORY] <= -0.5
    assert gap.idxmax() == EXCEED_CATEGORY and gap[EXCEED_CATEGORY] >= 0.5
    assert gap.drop([MISS_CATEGORY, EXCEED_CATEGORY]).between(-0.3, 0.2).all()


# ---------------------------------------------------------------------------------------------- text


def _phrase_bank(phrases: ModuleType = phrases) -> tuple[str, ...]:
    """Every phrase the text composer can use from one language's tables, in a fixed order (slots left unfilled)."""
    out: list[str] = []
    for by_pol in phrases.CLAUSES.values():
        for seq in by_pol.values():
            out.extend(seq)
    for by_pol in phrases.PRODUCT_CLAUSES.values():
        for seq in by_pol.values():
            out.extend(seq)
    out.extend(phrases.PRODUCT_NEUTRAL)
    for seq in phrases.SARCASM.values():
        out.extend(seq)
    for by_kind in phrases.CUES.values():
        for seq in by_kind.values():
            out.extend(seq)
    out.extend(phrases.CLAIM_CUES)
    for mapping in (phrases.ONE_LINERS, phrases.REVIEW_CLOSERS, phrases.EMAIL_REQUESTS, phrases.CHAT_AGENT,
                    phrases.CHAT_CLOSERS, phrases.PHONE_CLOSERS, phrases.PHONE_NOTES):
        for seq in mapping.values():
            out.extend(seq)
    for by_pol in phrases.SURVEY_FRAGMENTS.values():
        for seq in by_pol.values():
            out.extend(seq)
    out.extend(phrases.REVIEW_OPENERS + phrases.EMAIL_GREETINGS + phrases.EMAIL_CONTEXT + phrases.EMAIL_BACKGROUND
               + phrases.EMAIL_SIGNOFFS + phrases.CHAT_OPENERS + phrases.PHONE_STARTS + phrases.PHONE_AGENT)
    return tuple(out)


def test_phrase_bank_has_no_accidental_duplicates(tables):
    bank = _phrase_bank(tables)
    assert len(bank) >= 400
    assert len(set(bank)) == len(bank)


def test_text_sentiment_follows_the_rating_except_planted_mismatches(demo):
    labels = demo.truth.labels
    rating = demo.interactions["rating"]
    mismatch = labels["is_mismatch"]
    assert 0.02 <= mismatch.mean() <= 0.04
    plain = ~mismatch & ~labels["is_surge_complaint"]
    assert (labels.loc[plain & (rating == 1), "text_polarity"] == "neg").all()
    assert (labels.loc[plain & (rating == 5), "text_polarity"] == "pos").all()
    assert labels.loc[rating == 3, "text_polarity"].isin(["mixed", "neu"]).all()
    five_star_angry = mismatch & (rating == 5) & (labels["text_polarity"] == "neg")
    assert five_star_angry.sum() >= 100


def test_a_text_classifier_trained_on_ratings_learns_real_signal(df):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    polar = df[df["rating"] != 3]
    positive = (polar["rating"] >= 4).to_numpy()
    order = np.random.default_rng(0).permutation(len(polar))
    train, test = order[: len(order) * 4 // 5], order[len(order) * 4 // 5:]
    vectoriser = TfidfVectorizer(ngram_range=(1, 2), min_df=2)
    texts = polar["text"].to_numpy(dtype=object)
    model = LogisticRegression(max_iter=500).fit(vectoriser.fit_transform(texts[train]), positive[train])
    accuracy = (model.predict(vectoriser.transform(texts[test])) == positive[test]).mean()
    assert 0.88 <= accuracy <= 0.99  # learnable, yet not perfect: mismatches and sarcasm remain


def test_expectation_cues_are_exactly_on_cue_rows(demo):
    labels = demo.truth.labels
    has_cue = demo.interactions["text"].str.contains(CUE_PATTERN, case=False)
    cue_rows = labels["cue"] != ""
    assert 0.08 <= cue_rows.mean() <= 0.20
    assert has_cue[cue_rows & (labels["typo_count"] == 0)].all()
    assert not has_cue[~cue_rows].any()
    under = demo.interactions["product"].isin(UNDERPERFORMING_PRODUCTS)
    missed = labels["cue"] == "missed"
    assert missed[under].mean() >= 2 * missed[~under].mean()
    assert demo.interactions.loc[under, "text"].str.contains("advertised as", case=False).sum() >= 100


def test_sarcasm_is_planted_on_low_star_rows(demo):
    labels = demo.truth.labels
    sarcastic = labels["is_sarcastic"]
    assert 0.005 <= sarcastic.mean() <= 0.02
    assert (demo.interactions.loc[sarcastic & ~labels["is_mismatch"], "rating"] <= 2).all()


def test_typos_are_real_character_swaps(demo):
    labels = demo.truth.labels
    texts = demo.interactions["text"]
    typo = labels["typo_count"] > 0
    assert 0.04 <= typo.mean() <= 0.06
    tokenise = re.compile(r"[A-Za-z']+").findall
    vocabulary = {w for t in texts[~typo] for w in tokenise(t)}
    unknown = texts[typo].map(lambda t: any(w not in vocabulary for w in tokenise(t)))
    assert unknown.mean() >= 0.9


def test_channels_read_differently(df):
    words = df["text"].str.split().str.len()
    mean_words = words.groupby(df["channel"]).mean()
    assert mean_words.idxmax() == "email" and mean_words.idxmin() == "survey"
    assert mean_words["email"] >= 2 * mean_words["review"]
    assert df.loc[df["channel"] == "chat", "text"].str.startswith("Customer: ").all()
    assert df.loc[df["channel"] == "phone", "text"].str.startswith("Caller: ").all()
    emails = df[df["channel"] == "email"]
    assert all(o in t for o, t in zip(emails["order_id"], emails["text"]))
    assert words.min() <= 2 and words.max() >= 60
    assert df["text"].str.contains(r"\bnot bad at all\b").any()
    assert df["text"].str.contains(r"\b(?:but|although|though|however)\b").mean() >= 0.1  # mixed lines


# ---------------------------------------------------------------------------------------------- files


def test_csv_round_trip_equals_the_frame(tmp_path):
    path = ensure_demo_csv(tmp_path, seed=3, n_interactions=2_000)
    frame = generate_demo(seed=3, n_interactions=2_000).interactions
    pd.testing.assert_frame_equal(pd.read_csv(path), frame)
    raw = path.read_text(encoding="utf-8").splitlines()
    assert raw[0] == ",".join(COLUMNS)
    survey_line = next(line for line in raw[1:] if ",survey," in line)
    assert re.search(r",survey,[^\n]*?,[1-5],\d\.\d,O\d{7},", survey_line)  # "4", not "4.0"
    assert re.search(r",\d+\.\d\d,", raw[1])  # amounts keep two decimals


def test_ensure_demo_csv_writes_once(tmp_path):
    directory = tmp_path / "demo"
    path = ensure_demo_csv(directory, n_interactions=500)
    assert path == directory / DEMO_FILENAME and path.is_file()
    first = path.read_bytes()
    assert len(pd.read_csv(path)) == 500
    again = ensure_demo_csv(directory, seed=99, n_interactions=800)
    assert again == path and path.read_bytes() == first
    assert sorted(p.name for p in directory.iterdir()) == [DEMO_FILENAME]  # no temporary file left
    reference = tmp_path / "reference.txt"
    reference.write_text("x", encoding="utf-8")
    assert path.stat().st_mode == reference.stat().st_mode  # ordinary permissions, not a private temp file's


def test_ensure_demo_csv_keeps_an_existing_file(tmp_path):
    existing = tmp_path / DEMO_FILENAME
    existing.write_text("interaction_id\nmine\n", encoding="utf-8")
    assert ensure_demo_csv(Path(tmp_path)) == existing
    assert existing.read_text(encoding="utf-8") == "interaction_id\nmine\n"
