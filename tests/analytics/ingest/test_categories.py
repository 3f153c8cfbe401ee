"""Tests for analytics.ingest.categories: list-valued category cells, and an import of a Datafiniti-shaped export."""
from __future__ import annotations

import pandas as pd

from analytics.ingest.categories import detect_category_lists
from analytics.ingest.mapping import suggest_mapping
from analytics.ingest.pipeline import import_file
from analytics.ingest.readers import profile_file
from tests.analytics.ingest.test_mapping import datafiniti_reviews


def test_lists_breadcrumbs_and_plain_names():
    lists = detect_category_lists(pd.Series(["Fire Tablets,Tablets,Computers & Tablets", "Echo,Speakers",
                                             "Kindle,Tablets", "Toys"]))
    assert (lists.separator, lists.keep) == (",", "first")
    assert lists.pick(pd.Series(["Fire Tablets,Tablets,Computers & Tablets", "Toys", " a , b "])).tolist() == [
        "Fire Tablets", "Toys", "a"]
    crumbs = detect_category_lists(pd.Series(["Home > Kitchen > Kettles", "Home > Garden", "Toys"]))
    assert (crumbs.separator, crumbs.keep) == (">", "last") and "most specific" in crumbs.note
    assert detect_category_lists(pd.Series(["Garden", "Kitchen", "Tools, Hardware", "Home, Garden"])) is None
    assert detect_category_lists(pd.Series([None, " "], dtype=object)) is None


def test_an_export_with_listed_categories_is_imported_under_the_first(store, tmp_path):
    path = tmp_path / "amazon.csv"
    frame = datafiniti_reviews(products=3, reviews=20)
    frame["categories"] = ["Fire Tablets,Tablets,Computers & Tablets", "Echo,Speakers,Smart Home",
                           "Kindle,E-readers,Tablets"] * 20
    frame.to_csv(path, index=False)
    profile = profile_file(path)
    report = import_file(store, profile, suggest_mapping(profile.preview, column_types=profile.column_types).mapping)
    stored = store.load_rows(report.dataset_id)
    assert sorted(stored["category"].unique()) == ["Echo", "Fire Tablets", "Kindle"]
    assert any("Category values are lists" in w and "counts under the first one" in w for w in report.warnings)
