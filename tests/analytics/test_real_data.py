"""Real public data sets through the whole import pipeline with the suggested mapping (read from ../shared/data)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analytics.ingest.mapping import suggest_mapping
from analytics.ingest.pipeline import ImportReport, import_file
from analytics.ingest.readers import profile_file
from analytics.store.database import Store

pytestmark = pytest.mark.real_data


def _import_suggested(store: Store, path: Path) -> tuple[ImportReport, dict[str, str]]:
    profile = profile_file(path)
    mapping = suggest_mapping(profile.preview, column_types=profile.column_types).mapping
    report = import_file(store, profile, mapping)
    return report, {field: column for field, column in mapping.items() if column}


def test_airline_tweets(store, shared_data):
    path = shared_data / "twitter-airline-sentiment" / "Tweets.csv"
    report, mapping = _import_suggested(store, path)
    assert {k: mapping.get(k) for k in ("record_id", "text", "timestamp", "category")} == {
        "record_id": "tweet_id", "text": "text", "timestamp": "tweet_created", "category": "airline"}
    assert "rating" not in mapping  # airline_sentiment is a label, not a rating
    assert report.rows_read == 14_640
    assert report.rows_imported + report.rows_rejected == 14_640

    source = pd.read_csv(path, dtype=str)
    exact = int(source.duplicated().sum())
    same_id = int(source.duplicated("tweet_id").sum())
    assert (exact, same_id) == (36, 155)  # what the README promises: 155 duplicated tweet ids
    assert report.reasons == {"exact duplicate row": exact, "duplicate record_id": same_id - exact}
    assert report.rows_rejected == same_id

    rejects = store.load_rejects(report.dataset_id)
    assert set(rejects["stage"]) == {"duplicate"}
    assert rejects["reason"].str.fullmatch(r"exact duplicate of row \d+|record_id '\d+' already used by row \d+").all()
    rows = store.load_rows(report.dataset_id)
    assert rows["record_id"].is_unique
    assert set(rows["record_id"]) == set(source["tweet_id"])
    # Each rejected row points at the kept row with the same tweet id.
    first = rejects[rejects["reason"].str.startswith("record_id")].iloc[0]
    kept_row = int(first["reason"].rsplit(" ", 1)[1])
    assert source["tweet_id"].iloc[first["_row"] - 1] == source["tweet_id"].iloc[kept_row - 1]

    by_id = rows.set_index("record_id")
    # "2015-02-24 11:35:52 -0800" is 19:35:52 UTC.
    assert by_id.loc["570306133677760513", "timestamp"] == pd.Timestamp("2015-02-24 19:35:52")
    assert by_id.loc["570306133677760513", "text"] == "@VirginAmerica What @dhepburn said."
    assert rows["timestamp"].notna().all()
    assert rows["timestamp"].between("2015-02-16", "2015-02-25").all()
    assert rows["category"].nunique() == 6
    assert set(rows["category"]) == {"Virgin America", "United", "Southwest", "Delta", "US Airways", "American"}


def test_amazon_fine_food_reviews(store, shared_data):
    path = shared_data / "amazon-fine-food-reviews" / "Reviews.csv"
    report, mapping = _import_suggested(store, path)
    assert {k: mapping.get(k) for k in ("text", "rating", "timestamp")} == {
        "text": "Text", "rating": "Score", "timestamp": "Time"}
    assert report.rows_read == 5_003 and report.rows_imported == 5_003 and report.rows_rejected == 0
    assert report.rating_scale == "1–5 stars"
    assert report.timestamp_format.startswith("Unix time in seconds")
    assert report.missing["rating"] == 2  # two blank scores: reported, rows kept

    source = pd.read_csv(path, dtype=str)
    rows = store.load_rows(report.dataset_id)
    assert rows["rating_raw"].isna().sum() == 2
    assert rows.loc[rows["rating_raw"].isna(), "text"].notna().all()
    assert sorted(rows["rating_raw"].dropna().unique().tolist()) == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert rows["rating"].dropna().between(0, 1).all()
    expected_times = pd.to_datetime(source["Time"].astype("int64"), unit="s")
    assert rows["timestamp"].tolist() == expected_times.tolist()
    assert rows["timestamp"].dt.year.between(1999, 2012).all()
    assert rows["timestamp"].iloc[0] == pd.Timestamp("2011-04-27")  # Time 1303862400
    assert rows["text"].tolist() == source["Text"].str.strip().tolist()


def test_customer_support_tweets_with_a_broken_record(store, shared_data):
    path = shared_data / "customer-support-twitter" / "twcs_first5000.csv"
    report, mapping = _import_suggested(store, path)
    assert mapping.get("text") == "text" and mapping.get("record_id") == "tweet_id"
    assert report.rows_read == 5_000
    assert (report.rows_imported, report.rows_rejected) == (4_999, 1)
    assert report.reasons == {"could not be read": 1}

    rejects = store.load_rejects(report.dataset_id)
    # Data row 2485 (the unnamed index says 2484) is tweet 3399, with bare carriage returns.
    assert rejects["_row"].tolist() == [2485]
    assert "line break (carriage return)" in rejects["reason"].iloc[0]
    assert any("line break" in w for w in report.warnings)

    rows = store.load_rows(report.dataset_id)
    assert "3399" not in set(rows["record_id"])
    raw = store.load_raw(report.dataset_id, columns=["column_1", "tweet_id"]).set_index("_row")
    # The reader picks up again right after the broken record.
    assert raw.loc[2484, "column_1"] == "2483" and raw.loc[2486, "column_1"] == "2485"
    assert rows["timestamp"].notna().all()


def test_online_retail_order_lines(store, shared_data):
    path = shared_data / "online-retail" / "online_retail.parquet"
    report, mapping = _import_suggested(store, path)
    assert {k: mapping.get(k) for k in ("order_id", "item", "product", "timestamp", "amount", "customer_id")} == {
        "order_id": "InvoiceNo", "item": "Description", "product": "StockCode", "timestamp": "InvoiceDate",
        "amount": "UnitPrice", "customer_id": "CustomerID"}
    assert "text" not in mapping and "rating" not in mapping
    assert report.rows_read == 541_909

    source = pd.read_parquet(path)
    duplicates = int(source.duplicated().sum())
    assert report.reasons == {"exact duplicate row": duplicates}
    assert report.rows_imported == 541_909 - duplicates

    rows = store.load_rows(report.dataset_id)
    assert rows["order_id"].nunique() == source["InvoiceNo"].nunique()
    first = rows.iloc[0]
    assert (first["order_id"], first["product"], first["item"], first["customer_id"]) == (
        "536365", "85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "17850")  # CustomerID 17850.0 → "17850"
    assert first["amount"] == 2.55 and first["timestamp"] == pd.Timestamp("2010-12-01 08:26")
    assert rows["timestamp"].between("2010-12-01", "2011-12-10").all()
    rejects = store.load_rejects(report.dataset_id)
    assert rejects["reason"].str.fullmatch(r"exact duplicate of row \d+").all()
    assert (rejects["_row"] > rejects["reason"].str.extract(r"(\d+)$")[0].astype(int)).all()


def test_ecsi_bank_survey(store, shared_data):
    path = shared_data / "ecsi-surveys" / "satisfaction_bank.csv"
    report, mapping = _import_suggested(store, path)
    assert report.rows_read == 250 and report.rows_imported == 250 and report.rows_rejected == 0
    assert "rating" in mapping
    assert report.rating_scale in ("1–10 scale", "0–10 scale")
    rows = store.load_rows(report.dataset_id)
    assert rows["rating"].between(0, 1).all() and len(rows) == 250
