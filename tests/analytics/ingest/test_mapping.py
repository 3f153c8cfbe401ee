"""Tests for automatic column mapping by names and contents, and for mapping validation."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analytics.ingest.mapping import estimate_rejects, normalise_column_name, suggest_mapping, validate_mapping
from analytics.schema import CANONICAL_NAMES

SHARED_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def mapped(frame: pd.DataFrame, **kwargs) -> dict[str, str]:
    return {field: column for field, column in suggest_mapping(frame, **kwargs).mapping.items() if column}


# Frames below copy only the header names of real public data sets; the values are made up.

AIRLINE_TWEETS = pd.DataFrame({
    "tweet_id": ["570306133677760001", "570306133677760002", "570306133677760003"],
    "airline_sentiment": ["neutral", "positive", "negative"],
    "airline_sentiment_confidence": ["1.0", "0.35", "0.68"],
    "negativereason": [None, None, "Bad Flight"],
    "negativereason_confidence": [None, "0.0", "0.7"],
    "airline": ["Virgin America", "United", "Delta"],
    "airline_sentiment_gold": [None, None, None],
    "name": ["flyer_one", "flyer_two", "flyer_three"],
    "negativereason_gold": [None, None, None],
    "retweet_count": ["0", "0", "1"],
    "text": ["@airline what a lovely flight, thank you!", "@airline where is my bag, waited an hour",
             "@airline late again and I missed my connection"],
    "tweet_coord": [None, "[40.7, -73.9]", None],
    "tweet_created": ["2015-02-24 11:35:52 -0800", "2015-02-24 11:15:59 -0800", "2015-02-24 11:15:48 -0800"],
    "tweet_location": [None, "NYC", "Somewhere"],
    "user_timezone": ["Eastern Time (US & Canada)", "Pacific Time (US & Canada)", None],
})

FINE_FOOD = pd.DataFrame({
    "Id": ["1", "2", "3"], "ProductId": ["P001", "P002", "P003"], "UserId": ["U1", "U2", "U3"],
    "ProfileName": ["ann", "bob", "cy"], "HelpfulnessNumerator": ["1", "0", "2"],
    "HelpfulnessDenominator": ["1", "0", "3"], "Score": ["5", "1", "4"],
    "Time": ["1303862400", "1346976000", "1219017600"],
    "Summary": ["Good dog food", "Not as advertised", "Tasty treat"],
    "Text": ["I bought several cans and all were of good quality.", "The peanuts were small and unsalted, sadly.",
             "A sweet that has been around for ages, lovely."],
})

ONLINE_RETAIL = pd.DataFrame({
    "InvoiceNo": ["500001", "500001", "C500002"], "StockCode": ["10001A", "10002", "D"],
    "Description": ["RED HEART HOLDER", "METAL LANTERN", "Discount"], "Quantity": ["6", "6", "-1"],
    "InvoiceDate": ["2010-12-01 08:26:00", "2010-12-01 08:26:00", "2010-12-01 09:41:00"],
    "UnitPrice": ["2.55", "3.39", "27.5"], "CustomerID": ["17001", "17001", "14002"],
    "Country": ["United Kingdom", "United Kingdom", "France"],
})

SUPPORT_TWEETS = pd.DataFrame({
    "column_1": ["0", "1", "2"], "tweet_id": ["1", "2", "3"], "author_id": ["brandcare", "100001", "100001"],
    "inbound": ["False", "True", "True"],
    "created_at": ["Tue Oct 31 22:10:47 +0000 2017", "Tue Oct 31 22:11:45 +0000 2017",
                   "Tue Oct 31 22:08:27 +0000 2017"],
    "text": ["@100001 I understand. I would like to help you.", "@brandcare and how do you propose we do that",
             "@brandcare I have sent several private messages"],
    "response_tweet_id": ["2", None, "1"], "in_response_to_tweet_id": ["3.0", "1.0", "4.0"],
})

DEMO_EXPORT = pd.DataFrame({
    "interaction_id": ["i1", "i2", "i3"],
    "created_at": ["2024-03-01T10:00:00", "2024-03-02T11:00:00", "2024-03-03T12:00:00"],
    "customer_id": ["c1", "c2", "c1"], "channel": ["email", "chat", "phone"],
    "product": ["Widget", "Gadget", "Widget"], "category": ["Home", "Tech", "Home"],
    "rating": ["4", "2", "5"], "expected": ["4", "4", "3"], "advertised_rating": ["4.5", "4.5", "4.0"],
    "order_id": ["o1", "o2", "o3"], "items": ["Widget;Cable", "Gadget", "Widget"],
    "amount": ["19.99", "5.00", "12.50"],
    "text": ["Arrived late and the box was damaged.", "Support answered quickly, thanks a lot",
             "Exactly as described, works great"],
})


def datafiniti_reviews(products: int = 4, reviews: int = 50) -> pd.DataFrame:
    """The shape of the Datafiniti Amazon export: ``id`` is the product's, repeated on each of its reviews."""
    rows = [{"id": f"AVq{p:05d}", "name": f"Fire Tablet {p}", "asins": f"B00{p}", "brand": "Amazon",
             "categories": "Fire Tablets,Tablets,Computers & Tablets", "manufacturer": "Amazon",
             "reviews.date": f"2017-0{1 + r % 9}-1{r % 9}T00:00:00.000Z", "reviews.doRecommend": "TRUE",
             "reviews.numHelpful": str(r % 4), "reviews.rating": str(1 + r % 5),
             "reviews.text": f"Battery life is great and the screen is sharp, review {r}",
             "reviews.title": "Nice", "reviews.username": f"user{p}_{r}"}
            for p in range(products) for r in range(reviews)]
    return pd.DataFrame(rows)


ECSI_BANK = pd.DataFrame({"imag1": ["8", "9", "7"], "imag4": ["5", "9", "6"], "expe1": ["9", "9", "8"],
                          "qual1": ["6", "7", "8"], "sat1": ["6", "8", "7"], "sat2": ["7", "7", "6"],
                          "loy1": ["9", "8", "7"], "gender": ["male", "female", "male"]})


def test_datafiniti_reviews_get_a_safe_mapping():
    suggestion = suggest_mapping(datafiniti_reviews())
    assert {k: v for k, v in suggestion.mapping.items() if v} == {
        "text": "reviews.text", "rating": "reviews.rating", "timestamp": "reviews.date",
        "customer_id": "reviews.username", "product": "asins", "category": "categories"}
    assert "values repeat" in suggestion.reasons["record_id"]  # the per-product id is not a record id


def test_survey_items_satisfaction_is_the_rating_and_expectation_the_expected():
    assert mapped(ECSI_BANK) == {"rating": "sat1", "expected": "expe1"}


def test_rejects_are_estimated_before_importing():
    frame = datafiniti_reviews()
    risky = estimate_rejects(frame, {"record_id": "id", "text": "reviews.text"}, total_rows=34_660)
    assert risky.worrying and risky.by_reason == {"duplicate record_id": 196}
    assert risky.share == pytest.approx(196 / 200)
    assert "About 33,967 of ~34,660 rows (98%) would be rejected" in risky.message
    assert "generate ids" in risky.message
    safe = estimate_rejects(frame, suggest_mapping(frame).mapping, total_rows=34_660)
    assert not safe.worrying and safe.by_reason == {}
    dates = estimate_rejects(frame.assign(when=["soon"] * 20 + ["2024-01-01"] * 180), {"timestamp": "when"})
    assert dates.by_reason == {"unreadable dates": 20} and dates.worrying
    empty = estimate_rejects(frame.assign(t=[None] * 200), {"text": "t"})
    assert empty.by_reason == {"no text and no rating": 200}


def test_airline_tweets():
    assert mapped(AIRLINE_TWEETS) == {"record_id": "tweet_id", "text": "text", "timestamp": "tweet_created",
                                      "category": "airline", "customer_id": "name"}


def test_fine_food_reviews():
    assert mapped(FINE_FOOD) == {"record_id": "Id", "product": "ProductId", "customer_id": "UserId",
                                 "rating": "Score", "timestamp": "Time", "text": "Text"}


def test_online_retail():
    assert mapped(ONLINE_RETAIL) == {"order_id": "InvoiceNo", "product": "StockCode", "item": "Description",
                                     "timestamp": "InvoiceDate", "amount": "UnitPrice",
                                     "customer_id": "CustomerID"}


def test_support_tweets():
    assert mapped(SUPPORT_TWEETS) == {"record_id": "tweet_id", "customer_id": "author_id",
                                      "timestamp": "created_at", "text": "text"}


def test_demo_export():
    assert mapped(DEMO_EXPORT) == {
        "record_id": "interaction_id", "text": "text", "rating": "rating", "timestamp": "created_at",
        "customer_id": "customer_id", "product": "product", "category": "category", "channel": "channel",
        "expected": "expected", "advertised": "advertised_rating", "amount": "amount", "order_id": "order_id",
        "item": "items"}


def test_suggestion_covers_every_field_with_scores_and_reasons():
    suggestion = suggest_mapping(FINE_FOOD)
    assert list(suggestion.mapping) == list(CANONICAL_NAMES)
    assert set(suggestion.scores) == set(suggestion.reasons) == set(CANONICAL_NAMES)
    assert suggestion.scores["rating"] == 1.0 and suggestion.scores["channel"] == 0.0
    assert suggestion.reasons["rating"] == "name 'Score' matches rating"


@pytest.mark.parametrize(("name", "normalised"), [
    ("Review Text", "review_text"), ("createdAt", "created_at"), ("ProductId", "product_id"),
    ("CustomerID", "customer_id"), ("InvoiceNo", "invoice_no"), (" order-date ", "order_date"),
    ("Rating (1-5)", "rating_1_5"), ("内容", "内容"),
])
def test_normalise_column_name(name, normalised):
    assert normalise_column_name(name) == normalised


def test_names_exact_and_contained():
    frame = pd.DataFrame({
        "Review Text": ["Lovely staff and a quick check-in, will return"], "createdAt": ["2024-01-01"],
        "Score Given": ["4"], "Customer Email": ["a@example.com"],
    })
    suggestion = suggest_mapping(frame)
    assert {k: v for k, v in suggestion.mapping.items() if v} == {
        "text": "Review Text", "timestamp": "createdAt", "rating": "Score Given", "customer_id": "Customer Email"}
    assert suggestion.scores["rating"] < 1.0
    assert suggestion.reasons["rating"] == "name 'Score Given' contains 'score' (rating)"


def test_chinese_names():
    frame = pd.DataFrame({"评论内容": ["物流很快，包装完好，下次还会再买"], "评分": ["5"], "日期": ["2024-05-01"],
                          "用户": ["u1"], "商品名称": ["茶叶"]})
    assert mapped(frame) == {"text": "评论内容", "rating": "评分", "timestamp": "日期", "customer_id": "用户",
                             "product": "商品名称"}


def test_name_match_is_dropped_when_values_disagree():
    frame = pd.DataFrame({"score": ["positive", "negative", "neutral"], "date": ["soon", "later", "never"],
                          "body": ["It broke after a day", "Works", "Fine"]})
    suggestion = suggest_mapping(frame)
    assert suggestion.mapping["rating"] is None and suggestion.mapping["timestamp"] is None
    assert "read as ratings" in suggestion.reasons["rating"]


def test_contents_find_unnamed_columns():
    frame = pd.DataFrame({
        "a": ["2024-01-03 10:00", "2024-01-04 11:30", "2024-01-05 09:15", "2024-01-06 17:45"],
        "b": ["The delivery came two days late and nobody told me why.",
              "Really friendly staff at the store, sorted my issue in minutes.",
              "App keeps logging me out when I try to pay, very annoying.",
              "Good value for money, would recommend to my friends."],
        "c": ["5", "2", "4", "1"],
        "d": ["email", "Live Chat", "phone", "email"],
        "e": ["Short note", "Another one", "Third one", "Fourth"],
    })
    suggestion = suggest_mapping(frame)
    assert {k: v for k, v in suggestion.mapping.items() if v} == {"timestamp": "a", "text": "b", "rating": "c",
                                                                  "channel": "d"}
    assert suggestion.reasons["text"].startswith("long free text (median ")
    assert suggestion.scores["text"] == 0.5


def test_contents_ignore_counts_ids_and_small_numbers():
    frame = pd.DataFrame({"retweet_count": ["1", "3", "2"], "user_num": ["2", "5", "3"], "x": ["2", "9", "4"],
                          "country": ["France", "Spain", "Italy"], "note": ["ok", "fine", "meh"]})
    suggestion = suggest_mapping(frame)
    assert suggestion.mapping["rating"] == "x"
    assert suggestion.mapping["timestamp"] is None and suggestion.mapping["channel"] is None


def test_epoch_content_needs_plausible_dates():
    frame = pd.DataFrame({"when": ["1303862400", "1346976000"], "size": ["12", "40"]})
    assert suggest_mapping(frame).mapping["timestamp"] == "when"
    assert suggest_mapping(frame[["size"]]).mapping["timestamp"] is None


def test_each_column_feeds_one_field():
    frame = pd.DataFrame({"review": ["Great", "Bad"], "review_date": ["2024-01-01", "2024-01-02"]})
    suggestion = suggest_mapping(frame)
    assert suggestion.mapping["timestamp"] == "review_date" and suggestion.mapping["text"] == "review"
    values = [v for v in suggest_mapping(AIRLINE_TWEETS).mapping.values() if v]
    assert len(values) == len(set(values))


def test_column_types_are_used_and_checked():
    frame = pd.DataFrame({"when": pd.to_datetime(["2024-01-01", "2024-02-01"]), "n": ["4", "5"]})
    assert suggest_mapping(frame, column_types={"when": "datetime"}).mapping["timestamp"] == "when"
    with pytest.raises(ValueError, match="not in the data: nope"):
        suggest_mapping(frame, column_types={"nope": "text"})


def test_duplicate_column_names_are_refused():
    frame = pd.DataFrame([["a", "b"]], columns=["text", "text"])
    with pytest.raises(ValueError, match="duplicate column names"):
        suggest_mapping(frame)


def test_validate_mapping_problems():
    columns = ["body", "stars", "when"]
    assert validate_mapping({"text": "body", "rating": "stars"}, columns) == []
    problems = validate_mapping({"text": "body", "item": "body", "rating": "score", "colour": "when"}, columns)
    assert problems == [
        "Column 'score' (mapped to rating) is not in the file; its columns are body, stars, when.",
        "'colour' is not a Gapsight field; use one of " + ", ".join(CANONICAL_NAMES) + ".",
        "Column 'body' is mapped to both text and item; map it to one field only.",
    ]
    assert validate_mapping({"timestamp": "when"}, columns)[0].startswith("Map at least a text or a rating column")


def test_suggestions_validate_for_real_headers():
    for frame in (AIRLINE_TWEETS, FINE_FOOD, SUPPORT_TWEETS, DEMO_EXPORT):
        assert validate_mapping(suggest_mapping(frame).mapping, list(frame.columns)) == []


@pytest.mark.real_data
@pytest.mark.parametrize(("path", "expected"), [
    ("twitter-airline-sentiment/Tweets.csv", {"record_id": "tweet_id", "text": "text", "timestamp": "tweet_created",
                                              "category": "airline", "customer_id": "name"}),
    ("amazon-fine-food-reviews/Reviews.csv", {"record_id": "Id", "product": "ProductId", "customer_id": "UserId",
                                              "rating": "Score", "timestamp": "Time", "text": "Text"}),
    ("customer-support-twitter/twcs_first5000.csv", {"record_id": "tweet_id", "customer_id": "author_id",
                                                     "timestamp": "created_at", "text": "text"}),
    ("online-retail/online_retail.parquet", {"order_id": "InvoiceNo", "product": "StockCode", "item": "Description",
                                             "timestamp": "InvoiceDate", "amount": "UnitPrice",
                                             "customer_id": "CustomerID"}),
])
def test_real_files(path, expected):
    source = SHARED_DATA / path
    if not source.exists():
        pytest.skip(f"{source} is absent (the shared real-data folder is not in this checkout)")
    if source.suffix == ".parquet":
        frame = pd.read_parquet(source).head(500)
    else:
        frame = pd.read_csv(source, dtype=str, nrows=500, keep_default_na=False)
        frame.columns = [c if not c.startswith("Unnamed") else "column_1" for c in frame.columns]
    assert mapped(frame) == expected


@pytest.mark.parametrize("name", ["label", "Sentiment", "标签"])
def test_a_0_1_sentiment_label_column_is_the_rating_even_when_the_sample_holds_only_ones(name):
    # ChnSentiCorp-style dumps: label 1 / 0, every positive first, so the first rows hold only 1s.
    review = "房间干净，服务周到，早餐也不错，下次还会再来"
    for values in (["1"] * 6, ["1", "0"] * 3):
        suggestion = suggest_mapping(pd.DataFrame({name: values, "review": [review] * 6}))
        assert suggestion.mapping["rating"] == name and suggestion.mapping["text"] == "review"
        assert "0 = negative, 1 = positive" in suggestion.reasons["rating"]
    # Another name, or other numbers, is no sentiment label.
    assert suggest_mapping(pd.DataFrame({"flag": ["1", "0"] * 3, "review": [review] * 6})).mapping["rating"] is None
    assert suggest_mapping(pd.DataFrame({name: ["2", "0"] * 3, "review": [review] * 6})).mapping["rating"] is None
