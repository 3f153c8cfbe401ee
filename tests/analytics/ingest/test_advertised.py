"""The advertised rating: suggested from its names, normalised on the rating's scale or its own, invalid rows rejected."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.ingest.mapping import suggest_mapping
from analytics.ingest.pipeline import NormalisePlan, normalise_chunk, remap_dataset
from analytics.ingest.ratings import STANDARD_SCALES
from analytics.schema import CANONICAL_NAMES, FIELDS_BY_NAME, STORED_COLUMNS
from tests.analytics.ingest.test_pipeline import _import, _reasons, _write

STARS = STANDARD_SCALES["stars_1_5"]
PERCENT = STANDARD_SCALES["scale_0_100"]


def test_the_schema_stores_advertised_with_its_original_beside_it():
    assert FIELDS_BY_NAME["advertised"].dtype == "float"
    assert "advertised" in CANONICAL_NAMES
    assert STORED_COLUMNS.index("advertised_raw") == STORED_COLUMNS.index("advertised") + 1


# --- suggested mapping ------------------------------------------------------------------------


def _frame(*columns: str) -> pd.DataFrame:
    values = {"review": ["Great blender, crushes ice easily", "Broke after a week, very disappointed"]}
    return pd.DataFrame({c: values.get(c, ["4.6", "3.9"]) for c in columns})


@pytest.mark.parametrize("column", ["advertised_rating", "promised_rating", "average_rating", "advertised"])
def test_advertised_names_are_suggested_as_advertised_beside_a_rating(column):
    mapping = suggest_mapping(_frame("review", "rating", column)).mapping
    assert mapping["advertised"] == column
    assert mapping["rating"] == "rating"


@pytest.mark.parametrize("column", ["advertised_rating", "promised_rating", "average_rating"])
def test_an_advertised_name_alone_is_not_taken_for_the_rating(column):
    mapping = suggest_mapping(_frame("review", column)).mapping
    assert mapping["advertised"] == column
    assert mapping["rating"] is None


def test_a_column_named_rating_is_the_rating_not_the_advertised_one():
    mapping = suggest_mapping(_frame("review", "rating")).mapping
    assert mapping["rating"] == "rating"
    assert mapping["advertised"] is None


# --- importing --------------------------------------------------------------------------------


def test_advertised_on_the_rating_scale_is_normalised_on_it(store, tmp_path):
    text = ("id,review,stars,advertised\n"
            "1,Great blender,5,4.6\n"
            "2,Broke after a week,1,3.0\n"
            "3,Does the job,3,5\n")
    report = _import(store, _write(tmp_path, "advertised.csv", text))
    info = store.get_dataset(report.dataset_id)
    assert info.mapping["advertised"] == "advertised"
    assert (report.rows_imported, report.rows_rejected, report.warnings) == (3, 0, ())
    assert info.meta["advertised_scale"] == {"kind": "stars_1_5", "low": 1.0, "high": 5.0, "label": "1–5 stars"}
    rows = store.load_rows(report.dataset_id)
    np.testing.assert_allclose(rows["advertised"], [(4.6 - 1) / 4, 0.5, 1.0])
    assert rows["advertised_raw"].tolist() == [4.6, 3.0, 5.0]
    assert rows["rating"].tolist() == [1.0, 0.0, 0.5]  # the rating is not touched by it


def test_advertised_on_another_scale_is_normalised_on_its_own_with_a_warning(store, tmp_path):
    text = ("id,review,stars,advertised\n"
            "1,Great blender,5,92\n"
            "2,Broke after a week,1,40\n"
            "3,Does the job,3,75\n"
            "4,Good enough,4,60\n")
    report = _import(store, _write(tmp_path, "advertised.csv", text))
    assert report.warnings == ("Advertised ratings use the 0–100 scale, ratings the 1–5 stars scale; both were "
                               "normalised to 0–1 before comparing.",)
    assert report.rating_scale == "1–5 stars"
    assert store.get_dataset(report.dataset_id).meta["advertised_scale"]["kind"] == "scale_0_100"
    rows = store.load_rows(report.dataset_id)
    np.testing.assert_allclose(rows["advertised"], [0.92, 0.40, 0.75, 0.60])
    assert rows["advertised_raw"].tolist() == [92.0, 40.0, 75.0, 60.0]
    assert rows["rating"].tolist() == [1.0, 0.0, 0.5, 0.75]


def test_an_unreadable_advertised_value_rejects_only_its_row(store, tmp_path):
    text = ("id,review,stars,advertised\n"
            "1,Great blender,5,4.5\n"
            "2,Broke after a week,1,great\n"
            "3,Does the job,3,4\n"
            "4,Good enough,4,3.5\n")
    report = _import(store, _write(tmp_path, "advertised.csv", text))
    assert (report.rows_imported, report.rows_rejected) == (3, 1)
    assert report.reasons == {"advertised invalid": 1}
    assert report.warnings == ()  # one bad value does not move the column to another scale
    assert _reasons(store, report.dataset_id) == {
        2: "advertised rating 'great' is not a number, stars or thumbs up/down"}
    rows = store.load_rows(report.dataset_id)
    assert rows["record_id"].tolist() == ["1", "3", "4"]
    np.testing.assert_allclose(rows["advertised"], [0.875, 0.75, 0.625])


def test_an_advertised_outlier_is_rejected_by_its_name(store, tmp_path):
    # From 100 values on, a stray value no longer stretches the scale: 0–5 (a 0 does not fit 1–5 stars,
    # hence the warning), and the one 7 falls outside it.
    values = [0, 1, 2, 3, 4, 5] * 20 + [7]
    text = "id,review,stars,advertised\n" + "".join(f"{i},Review number {i},{1 + i % 5},{v}\n"
                                                   for i, v in enumerate(values, start=1))
    report = _import(store, _write(tmp_path, "advertised.csv", text))
    assert report.reasons == {"advertised invalid": 1}
    assert _reasons(store, report.dataset_id) == {121: "advertised rating 7 is outside the 0–5 scale"}
    assert report.warnings == ("Advertised ratings use the 0–5 scale, ratings the 1–5 stars scale; both were "
                               "normalised to 0–1 before comparing.",)
    rows = store.load_rows(report.dataset_id)
    assert len(rows) == 120
    np.testing.assert_allclose(rows["advertised"].head(6), [0.0, 0.2, 0.4, 0.6, 0.8, 1.0])


def test_a_missing_marker_leaves_the_advertised_value_empty_and_keeps_the_row(store, tmp_path):
    # "n/a" is one of the blank markers every reader and parser shares: missing, not invalid.
    text = ("id,review,stars,advertised\n"
            "1,Great blender,5,4.5\n"
            "2,Broke after a week,1,n/a\n"
            "3,Does the job,3,4\n")
    report = _import(store, _write(tmp_path, "advertised.csv", text))
    assert (report.rows_imported, report.rows_rejected, report.reasons) == (3, 0, {})
    assert report.missing == {"advertised": 1}
    rows = store.load_rows(report.dataset_id)
    assert rows["advertised_raw"].isna().tolist() == [False, True, False]
    assert np.isnan(rows["advertised"].iloc[1])


def test_advertised_without_a_rating_imports_on_its_own_scale(store, tmp_path):
    text = ("id,review,advertised\n"
            "1,Great blender,4.5\n"
            "2,Broke after a week,2\n"
            "3,Does the job,3\n")
    report = _import(store, _write(tmp_path, "advertised.csv", text), rating=None)
    info = store.get_dataset(report.dataset_id)
    assert info.mapping["rating"] is None and info.mapping["advertised"] == "advertised"
    assert (report.rows_imported, report.rows_rejected, report.rating_scale) == (3, 0, None)
    assert report.warnings == ()  # no rating to compare scales with
    assert info.meta["advertised_scale"]["kind"] == "stars_1_5"
    rows = store.load_rows(report.dataset_id)
    assert rows["rating"].isna().all()
    np.testing.assert_allclose(rows["advertised"], [0.875, 0.25, 0.5])


def test_a_column_of_words_mapped_to_advertised_is_refused_and_nothing_is_stored(store, tmp_path):
    text = ("id,review,stars,blurb\n"
            "1,Great blender,5,best seller\n"
            "2,Broke after a week,1,new\n"
            "3,Does the job,3,popular\n")
    with pytest.raises(ValueError, match="advertised"):
        _import(store, _write(tmp_path, "advertised.csv", text), advertised="blurb")
    assert store.list_datasets() == []


def test_a_remap_adds_the_advertised_rating_later(store, tmp_path):
    text = ("id,review,stars,listed\n"
            "1,Great blender,5,92\n"
            "2,Broke after a week,1,40\n")
    report = _import(store, _write(tmp_path, "advertised.csv", text), advertised=None)
    assert store.load_rows(report.dataset_id)["advertised"].isna().all()
    info = store.get_dataset(report.dataset_id)
    remapped = remap_dataset(store, report.dataset_id, dict(info.mapping, advertised="listed"))
    assert any("Advertised ratings use the 0–100 scale" in w for w in remapped.warnings)
    rows = store.load_rows(report.dataset_id)
    np.testing.assert_allclose(rows["advertised"], [0.92, 0.40])
    assert store.get_dataset(report.dataset_id).meta["advertised_scale"]["kind"] == "scale_0_100"


# --- one chunk --------------------------------------------------------------------------------


def _plan(advertised_scale, rating_scale=STARS) -> NormalisePlan:
    mapping = {name: None for name in CANONICAL_NAMES}
    mapping.update(text="review", rating="stars", advertised="listed")
    return NormalisePlan(mapping=mapping, rating_scale=rating_scale, expected_scale=None, timestamp_format=None,
                         advertised_scale=advertised_scale)


CHUNK = pd.DataFrame({"_row": [1, 2, 3, 4], "review": ["a", "b", "c", "d"], "stars": ["5", "1", "3", "4"],
                      "listed": ["4.6", "x", None, "80"]})


def test_normalise_chunk_scores_advertised_on_the_plan_s_scale():
    accepted, rejected, counts = normalise_chunk(CHUNK, _plan(STARS))
    assert list(accepted.columns) == list(STORED_COLUMNS)
    assert accepted["_row"].tolist() == [1, 3]
    np.testing.assert_allclose(accepted["advertised"], [0.9, np.nan])
    np.testing.assert_allclose(accepted["advertised_raw"], [4.6, np.nan])
    assert rejected["_row"].tolist() == [2, 4]
    assert rejected["reason"].tolist() == ["advertised rating 'x' is not a number, stars or thumbs up/down",
                                           "advertised rating 80 is outside the 1–5 scale"]
    assert counts["advertised"] == (2, 3)  # invalid, non-empty


def test_normalise_chunk_on_the_0_100_scale_keeps_80():
    accepted, rejected, counts = normalise_chunk(CHUNK, _plan(PERCENT))
    assert accepted["_row"].tolist() == [1, 3, 4]
    np.testing.assert_allclose(accepted["advertised"], [0.046, np.nan, 0.8])
    assert accepted["rating"].tolist() == [1.0, 0.5, 0.75]
    assert rejected["_row"].tolist() == [2]
    assert counts["advertised"] == (1, 3)


def test_normalise_chunk_without_an_advertised_scale_leaves_it_empty():
    accepted, rejected, counts = normalise_chunk(CHUNK, _plan(None))
    assert len(accepted) == 4 and rejected.empty
    assert accepted["advertised"].isna().all() and accepted["advertised_raw"].isna().all()
    assert "advertised" not in counts
