"""Tests for the Chinese demo: the English tests of the planted facts run on it again, plus what only Chinese has."""
from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd
import pytest

import analytics.demo.generator as generator
from analytics.demo import phrases_zh
from analytics.demo.generator import (
    COLUMNS,
    DEMO_FILENAMES,
    UNDERPERFORMING_PRODUCTS,
    DemoData,
    ensure_demo_csv,
    generate_demo,
)
from analytics.insights.cues import CUE_OUTCOMES, DEFAULT_CUES, cue_pattern, cue_summary, find_cues
from analytics.insights.sentences import split_sentences
from analytics.language import detect_languages, has_han
from tests.analytics.demo import test_generator as english

# Keyword proxies a plain-pandas analyst would use on the Chinese texts (the English ones are in test_generator).
DELIVERY_WORDS = "快递|物流|包裹|发货|配送|送货|送到|到货|签收|派送|驿站|次日达"
PRICE_WORDS = "价格|价钱|贵|便宜|钱|优惠|折扣|打折|划算|性价比|运费|扣款|费用|活动价|包邮|积分|涨价"
SUPPORT_RETURN_WORDS = "客服|售后|退款|退货|退换|换货|工单|投诉|主管|部门|回电|寄回|退回"
CHINESE_CUES = tuple(c for c in DEFAULT_CUES if has_han(c))
DECIDING = {phrase: outcome for phrase, outcome in CUE_OUTCOMES.items() if has_han(phrase)}
HAN = re.compile(r"[\u4e00-\u9fff]")
# sha256 of ensure_demo_csv(seed=3, n_interactions=2_000) as written before the Chinese option existed.
ENGLISH_CSV_SHA256 = "4cab302a2001487c458500f5e987c9ee29b853311253c5207dde0b2da455a436"


@pytest.fixture(scope="module")
def keywords() -> english.Keywords:
    return english.Keywords(DELIVERY_WORDS, PRICE_WORDS, SUPPORT_RETURN_WORDS)


@pytest.fixture(scope="module")
def tables():
    return phrases_zh


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo(language="zh")


@pytest.fixture(scope="module")
def raw(demo) -> pd.DataFrame:
    """The Chinese demo as its CSV holds it."""
    return demo.interactions


@pytest.fixture(scope="module")
def df(demo) -> pd.DataFrame:
    """The Chinese demo with its display names mapped back to the English keys the truth uses, texts untouched."""
    products = demo.truth.products
    product = dict(zip(products["display_product"], products["product"]))
    category = dict(zip(products["display_category"], products["category"]))
    channel = {shown: key for key, shown in demo.truth.channel_names.items()}
    frame = demo.interactions
    return frame.assign(product=frame["product"].map(product), category=frame["category"].map(category),
                        channel=frame["channel"].map(channel),
                        items=frame["items"].map(lambda items: ";".join(product[p] for p in items.split(";"))))


@pytest.fixture(scope="module")
def sentences(raw) -> pd.DataFrame:
    """The customers' sentences as the Expectation gap page cuts them (unscored: the cue phrases decide)."""
    return split_sentences(raw.rename(columns={"interaction_id": "record_id"})).assign(compound=0.0)


# The English tests of every planted fact, collected again here: pytest runs them with this module's fixtures, so
# they check the Chinese demo (df with the English keys, keywords and tables in Chinese).
months, orders, group_profile = english.months, english.orders, english.group_profile
test_columns_and_dtypes = english.test_columns_and_dtypes
test_ids_and_dates_are_well_formed = english.test_ids_and_dates_are_well_formed
test_sizes_of_the_catalogue_and_customer_base = english.test_sizes_of_the_catalogue_and_customer_base
test_value_ranges = english.test_value_ranges
test_orders_are_consistent = english.test_orders_are_consistent
test_fact1_weekly_seasonality = english.test_fact1_weekly_seasonality
test_fact2_yearly_seasonality = english.test_fact2_yearly_seasonality
test_fact3_delivery_complaint_surge = english.test_fact3_delivery_complaint_surge
test_fact3_truth_labels_sit_in_the_surge_month = english.test_fact3_truth_labels_sit_in_the_surge_month
test_fact4_group_sizes = english.test_fact4_group_sizes
test_fact4_groups_behave_distinctly = english.test_fact4_groups_behave_distinctly
test_fact4_kmeans_recovers_the_groups = english.test_fact4_kmeans_recovers_the_groups
test_fact5_underperforming_products = english.test_fact5_underperforming_products
test_fact6_planted_pairs_have_high_lift = english.test_fact6_planted_pairs_have_high_lift
test_fact7_expectation_gaps_by_category = english.test_fact7_expectation_gaps_by_category
test_phrase_bank_has_no_accidental_duplicates = english.test_phrase_bank_has_no_accidental_duplicates
test_text_sentiment_follows_the_rating_except_planted_mismatches = (
    english.test_text_sentiment_follows_the_rating_except_planted_mismatches)
test_sarcasm_is_planted_on_low_star_rows = english.test_sarcasm_is_planted_on_low_star_rows


# ---------------------------------------------------------------------------------------------- same draws


def test_only_the_writing_differs_from_the_english_demo():
    zh, en = generate_demo(seed=5, n_interactions=3_000, language="zh"), generate_demo(seed=5, n_interactions=3_000)
    names = ["channel", "product", "category", "items", "text"]
    pd.testing.assert_frame_equal(zh.interactions.drop(columns=names), en.interactions.drop(columns=names))
    pd.testing.assert_frame_equal(zh.truth.labels, en.truth.labels)
    pd.testing.assert_series_equal(zh.truth.customer_groups, en.truth.customer_groups)
    display = ["display_product", "display_category"]
    pd.testing.assert_frame_equal(zh.truth.products.drop(columns=display), en.truth.products.drop(columns=display))
    assert (zh.truth.language, en.truth.language) == ("zh", "en")
    again = generate_demo(seed=5, n_interactions=3_000, language="zh")
    pd.testing.assert_frame_equal(again.interactions, zh.interactions)


def test_names_are_chinese_and_map_one_to_one_to_the_english_keys(raw, demo):
    products = demo.truth.products
    assert set(raw["product"]) == {name for name, _ in phrases_zh.PRODUCT_NAMES.values()}
    assert set(raw["category"]) == set(phrases_zh.CATEGORY_NAMES.values())
    assert set(raw["channel"]) == set(phrases_zh.CHANNEL_NAMES.values()) == set(demo.truth.channel_names.values())
    assert products["display_product"].is_unique and products["display_product"].map(has_han).all()
    assert products.groupby("display_category")["category"].nunique().eq(1).all()
    assert (products["display_product"] == products["product"].map(lambda p: phrases_zh.PRODUCT_NAMES[p][0])).all()
    shown = set(products.loc[products["underperforming"], "display_product"])
    assert shown == {phrases_zh.PRODUCT_NAMES[p][0] for p in UNDERPERFORMING_PRODUCTS}
    assert {p for items in raw["items"] for p in items.split(";")} == set(raw["product"])


def test_an_unknown_language_is_refused(tmp_path):
    with pytest.raises(ValueError, match="language='fr' should be one of 'en', 'zh'"):
        generate_demo(n_interactions=500, language="fr")
    with pytest.raises(ValueError, match="language='fr'"):
        ensure_demo_csv(tmp_path / "demo", language="fr")
    assert not (tmp_path / "demo").exists()


# ---------------------------------------------------------------------------------------------- Chinese text


def test_texts_are_detected_as_chinese(raw):
    languages = detect_languages(raw["text"])
    assert (languages == "zh").mean() >= 0.95


def test_texts_are_written_the_chinese_way(raw, demo):
    texts, channel = raw["text"], raw["channel"]
    assert not texts.str.contains(r"[.!?,] ?[\u4e00-\u9fff]").any()  # no English punctuation between clauses
    assert not texts.str.contains(r"[\u4e00-\u9fff] [\u4e00-\u9fff]").any()  # no spaces between them
    names = demo.truth.channel_names
    sentences = texts[channel == names["review"]].str.count("[。！？]")
    assert (sentences >= 1).mean() >= 0.95
    # Speaker labels as a Chinese support export writes them: full-width colon, no space, no English label left.
    assert texts[channel == names["chat"]].str.startswith("顾客：").all()
    assert texts[channel == names["phone"]].str.startswith("客户：").all()
    turns = texts[channel.isin([names["chat"], names["phone"]])].str.split(" | ", regex=False).explode()
    assert set(turns.str.extract("^(.+?)：", expand=False)) == {"顾客", "客户", "客服", "备注"}
    assert not texts.str.contains(r"(?i)\b(?:customer|caller|agent|note):").any()
    emails = raw[channel == names["email"]]
    assert all(o in t for o, t in zip(emails["order_id"], emails["text"]))
    # Han characters stand for words: emails longest, surveys shortest, as in English.
    length = texts.str.count(HAN.pattern).groupby(channel).mean().rename(index={v: k for k, v in names.items()})
    assert length.idxmax() == "email" and length.idxmin() == "survey" and length["email"] >= 2 * length["review"]
    assert texts.str.count(HAN.pattern).min() <= 3 and texts.str.count(HAN.pattern).max() >= 100
    assert texts.str.contains("一点都不慢|一点也不亏|一点也不差").any()  # praise by negation, like "not bad at all"
    assert texts.str.contains("，(?:但是|不过|可是|只是|但)").mean() >= 0.1  # mixed lines


def test_a_text_classifier_trained_on_ratings_learns_real_signal(raw):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from analytics.words import segmented

    polar = raw[raw["rating"] != 3]
    positive = (polar["rating"] >= 4).to_numpy()
    order = np.random.default_rng(0).permutation(len(polar))
    train, test = order[: len(order) * 4 // 5], order[len(order) * 4 // 5:]
    texts = np.array([segmented(t) for t in polar["text"]], dtype=object)  # jieba words, as the app's models
    vectoriser = TfidfVectorizer(ngram_range=(1, 2), min_df=2, token_pattern=r"(?u)\b\w+\b")
    model = LogisticRegression(max_iter=500).fit(vectoriser.fit_transform(texts[train]), positive[train])
    accuracy = (model.predict(vectoriser.transform(texts[test])) == positive[test]).mean()
    assert 0.88 <= accuracy <= 0.99  # learnable, yet not perfect: mismatches and sarcasm remain


# ---------------------------------------------------------------------------------------------- cues


def test_only_the_cue_bank_holds_expectation_cues(tables):
    cues = {p for by_kind in tables.CUES.values() for seq in by_kind.values() for p in seq} | set(tables.CLAIM_CUES)
    others = set(english._phrase_bank(tables)) - cues
    slot_values = [*tables.COURIERS, *tables.AGENTS, *tables.WEEKDAYS, *tables.WHEN, *tables.FIRST_NAMES,
                   *(c for seq in tables.CLAIMS.values() for c in seq), *tables.CATEGORY_NAMES.values(),
                   *(n for pair in tables.PRODUCT_NAMES.values() for n in pair)]
    assert [p for p in [*others, *slot_values] if any(c in p for c in CHINESE_CUES)] == []
    deciding = cue_pattern(list(DECIDING))
    for topic, by_kind in tables.CUES.items():
        for kind, seq in by_kind.items():
            assert [DECIDING[deciding.search(p).group(1)] for p in seq] == [kind] * len(seq), topic
    assert all("宣传" in p and DECIDING[deciding.search(p).group(1)] == "missed" for p in tables.CLAIM_CUES)


def test_expectation_cues_are_found_with_their_planted_outcomes(demo, raw, sentences):
    labels = demo.truth.labels.set_index("interaction_id")
    found = find_cues(sentences)
    outcomes = found.groupby("record_id")["outcome"].agg(lambda o: "/".join(sorted(set(o))))
    planted = labels.loc[labels["cue"] != "", "cue"]
    assert 0.08 <= len(planted) / len(labels) <= 0.20
    assert set(outcomes.index) == set(planted.index)  # every cue row, typos or not, and no other row
    assert (outcomes.reindex(planted.index) == planted).all()  # one outcome per row: the planted one
    under = raw["product"].isin(demo.truth.products.loc[demo.truth.products["underperforming"], "display_product"])
    missed = (labels["cue"] == "missed").to_numpy()
    assert missed[under].mean() >= 2 * missed[~under].mean()
    assert raw.loc[under, "text"].str.contains("宣传").sum() >= 100  # the listing's claims fall short
    # On the app's own summary the four planted products miss expectations most often.
    by_product = cue_summary(found, raw.rename(columns={"interaction_id": "record_id"}), by="product")
    assert set(by_product["group"].head(4)) == set(raw.loc[under, "product"])


# ---------------------------------------------------------------------------------------------- typos


@pytest.fixture(scope="module")
def without_typos(demo) -> pd.DataFrame:
    """The same demo with no typos: typos come last and use the row's own draws, so every other text is equal."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(generator, "TYPO_SHARE", 0.0)
        return generate_demo(language="zh").interactions


def test_typos_are_homophones_an_input_method_offers(demo, raw, without_typos, tables):
    typo = (demo.truth.labels["typo_count"] > 0).to_numpy()
    assert 0.04 <= typo.mean() <= 0.06
    changed = (raw["text"] != without_typos["text"]).to_numpy()
    assert not changed[~typo].any()
    assert changed[typo].mean() >= 0.9
    slips = {**tables.CHARACTER_TYPOS, **tables.HOMOPHONE_TYPOS}
    pairs = zip(without_typos.loc[changed, "text"], raw.loc[changed, "text"])
    assert all(_made_by_slips(clean, typed, slips) for clean, typed in pairs)
    misspelt = "|".join(tables.HOMOPHONE_TYPOS.values())
    assert not any(re.search(misspelt, p) for p in english._phrase_bank(tables))
    assert raw.loc[typo, "text"].str.contains(misspelt).mean() >= 0.8  # mostly whole-word homophones


def _made_by_slips(clean: str, typed: str, slips: dict[str, str]) -> bool:
    """Whether every character ``typed`` changed in ``clean`` lies in one of ``slips`` (right → wrong) made there."""
    return len(clean) == len(typed) and all(
        any(clean[s:s + len(right)] == right and typed[s:s + len(right)] == wrong
            for right, wrong in slips.items() for s in range(max(0, i - len(right) + 1), i + 1))
        for i, (a, b) in enumerate(zip(clean, typed)) if a != b)


# ---------------------------------------------------------------------------------------------- files


def test_csv_round_trip_and_its_own_file_name(tmp_path):
    path = ensure_demo_csv(tmp_path, seed=3, n_interactions=2_000, language="zh")
    assert path == tmp_path / DEMO_FILENAMES["zh"] == tmp_path / "demo_interactions_zh.csv"
    frame = generate_demo(seed=3, n_interactions=2_000, language="zh").interactions
    pd.testing.assert_frame_equal(pd.read_csv(path), frame)
    assert path.read_text(encoding="utf-8").splitlines()[0] == ",".join(COLUMNS)
    english_path = ensure_demo_csv(tmp_path, seed=3, n_interactions=2_000)  # beside it, not instead of it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo_interactions.csv", "demo_interactions_zh.csv"]
    assert hashlib.sha256(english_path.read_bytes()).hexdigest() == ENGLISH_CSV_SHA256


def test_the_english_demo_is_unchanged(tmp_path):
    path = ensure_demo_csv(tmp_path, seed=3, n_interactions=2_000, language="en")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == ENGLISH_CSV_SHA256


def test_a_small_chinese_demo_imports_beside_the_english_one(store):
    from analytics.demo.sample import DEMO_NAMES, DEMO_SETTINGS, demo_directory, load_demo_dataset

    ensure_demo_csv(demo_directory(), n_interactions=2_000, language="zh")  # load_demo_dataset keeps a file
    info = load_demo_dataset(store, language="zh")
    assert info.name == DEMO_NAMES["zh"] == "演示: 北风家居 (generated, Chinese)"
    assert (info.n_rows, info.n_rejected) == (2_000, 0)
    languages = info.report["languages"]
    assert languages.get("zh", 0) >= 0.95 * info.n_rows and max(languages, key=languages.get) == "zh"
    rows = store.load_rows(info.id)
    assert set(rows["channel"]) == set(phrases_zh.CHANNEL_NAMES.values()) and rows["product"].map(has_han).all()
    assert store.get_setting(DEMO_SETTINGS["zh"]) == info.id and store.get_setting(DEMO_SETTINGS["en"]) is None
    assert load_demo_dataset(store, language="zh").id == info.id  # a second call reuses it
    with pytest.raises(ValueError, match="language='fr'"):
        load_demo_dataset(store, language="fr")
