"""Tests for analytics.store.segments: save, list, rename, replace and delete saved segmentations."""

import pandas as pd
import pytest

from analytics.store.segments import (
    delete_segmentation,
    get_segmentation,
    list_segmentations,
    rename_segments,
    save_segmentation,
    segment_members,
)


def _save(store, name="Q1 segments", dataset_id="ds1"):
    labels = pd.Series([0, 1, 1], index=["a", "b", "c"])
    return save_segmentation(store, dataset_id, 3, name, method="KMeans", params={"k": 2},
                             labels=labels, segment_names={0: "Loyal", 1: "Unhappy"})


def test_a_saved_segmentation_round_trips_and_renames(store):
    saved = _save(store)
    assert saved.n_customers == 3 and saved.params == {"k": 2} and saved.dataset_version == 3
    assert segment_members(store, saved.segmentation_id).to_dict() == {"a": "Loyal", "b": "Unhappy", "c": "Unhappy"}
    rename_segments(store, saved.segmentation_id, {1: "  At risk "})
    assert get_segmentation(store, saved.segmentation_id).segment_names == {0: "Loyal", 1: "At risk"}
    assert segment_members(store, saved.segmentation_id)["b"] == "At risk"


def test_the_same_name_replaces_and_deletion_empties_the_filter(store):
    first = _save(store)
    second = _save(store)
    other = _save(store, name="Other")
    assert [s.segmentation_id for s in list_segmentations(store, "ds1")] == [other.segmentation_id,
                                                                             second.segmentation_id]
    assert segment_members(store, first.segmentation_id).empty
    delete_segmentation(store, second.segmentation_id)
    with pytest.raises(ValueError, match="no longer exists"):
        get_segmentation(store, second.segmentation_id)
    assert store.cursor().execute("SELECT count(*) FROM segment_members WHERE segmentation_id = ?",
                                  [second.segmentation_id]).fetchone()[0] == 0


def test_bad_names_are_refused(store):
    with pytest.raises(ValueError, match="Give the segmentation a name"):
        _save(store, name="  ")
    with pytest.raises(ValueError, match="at most 80 characters"):
        _save(store, name="x" * 81)
    with pytest.raises(ValueError, match="no customer to save"):
        save_segmentation(store, "ds1", 1, "empty", method="KMeans", params={}, labels=pd.Series(dtype=int),
                          segment_names={})


def test_deleting_the_dataset_deletes_its_segmentations(store):
    from tests.analytics.store.test_database import _add_dataset

    _add_dataset(store, "dsgone", 3)
    _add_dataset(store, "dskept", 3)
    gone = _save(store, dataset_id="dsgone")
    kept = _save(store, dataset_id="dskept")
    store.delete_dataset("dsgone")
    assert list_segmentations(store, "dsgone") == [] and segment_members(store, gone.segmentation_id).empty
    assert len(segment_members(store, kept.segmentation_id)) == 3
