"""Stored sentence scores: one set per dataset version, "scored, nothing found" kept apart from "never scored"."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics.store.sentences import SENTENCE_COLUMNS, delete_sentences, load_sentences, save_sentences

SENTENCES = pd.DataFrame({
    "record_id": ["r2", "r1", "r1", "r3"],
    "sentence_no": [0, 1, 0, 0],
    "sentence": ["I love it", "the delivery was a disaster", "great quality", "okay"],
    "compound": [0.6369, -0.6249, 0.6249, 0.2263],
})


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["record_id", "sentence_no"]).reset_index(drop=True)


def test_never_scored_loads_none_even_before_the_table_exists(store):
    assert load_sentences(store, "ds1", 1) is None
    delete_sentences(store, "ds1")  # nothing to delete: no error, no table
    assert load_sentences(store, "ds1", 1) is None


def test_round_trip_per_dataset_and_version(store):
    assert save_sentences(store, "ds1", 3, SENTENCES) == 4
    back = load_sentences(store, "ds1", 3)
    assert list(back.columns) == list(SENTENCE_COLUMNS)
    pd.testing.assert_frame_equal(back.assign(sentence_no=back["sentence_no"].astype("int64")),
                                  _sorted(SENTENCES), check_dtype=False)
    # Each text's sentences come back in their order within the text.
    assert back[back["record_id"] == "r1"]["sentence"].tolist() == ["great quality", "the delivery was a disaster"]
    assert load_sentences(store, "ds1", 2) is None
    assert load_sentences(store, "ds1", 4) is None
    assert load_sentences(store, "ds2", 3) is None


def test_record_ids_are_stored_as_text_and_the_input_is_not_changed(store):
    numeric = SENTENCES.assign(record_id=[2, 1, 1, 3])
    before = numeric.copy()
    save_sentences(store, "ds1", 1, numeric)
    pd.testing.assert_frame_equal(numeric, before)
    assert load_sentences(store, "ds1", 1)["record_id"].tolist() == ["1", "1", "2", "3"]


def test_saving_again_replaces_the_dataset_s_sentences_and_keeps_other_datasets(store):
    save_sentences(store, "ds1", 1, SENTENCES)
    save_sentences(store, "ds2", 1, SENTENCES.head(1))
    assert save_sentences(store, "ds1", 2, SENTENCES.tail(2)) == 2
    assert load_sentences(store, "ds1", 1) is None  # the old version is gone, not kept beside the new one
    assert load_sentences(store, "ds1", 2)["sentence"].tolist() == ["great quality", "okay"]
    assert load_sentences(store, "ds2", 1)["sentence"].tolist() == ["I love it"]


def test_an_empty_frame_is_remembered_as_scored_with_nothing_found(store):
    assert save_sentences(store, "ds1", 5, SENTENCES.iloc[0:0]) == 0
    back = load_sentences(store, "ds1", 5)
    assert back is not None and back.empty
    assert list(back.columns) == list(SENTENCE_COLUMNS)
    assert load_sentences(store, "ds1", 6) is None
    # Sentences saved later for a new version replace the marker; no empty row comes back.
    save_sentences(store, "ds1", 6, SENTENCES)
    assert load_sentences(store, "ds1", 5) is None
    assert len(load_sentences(store, "ds1", 6)) == 4
    assert load_sentences(store, "ds1", 6)["record_id"].notna().all()


def test_delete_forgets_one_dataset_only(store):
    save_sentences(store, "ds1", 1, SENTENCES)
    save_sentences(store, "ds2", 7, SENTENCES.iloc[0:0])
    delete_sentences(store, "ds1")
    assert load_sentences(store, "ds1", 1) is None
    assert load_sentences(store, "ds2", 7).empty
    delete_sentences(store, "ds2")
    assert load_sentences(store, "ds2", 7) is None


@pytest.mark.parametrize("dropped", ["compound", "sentence_no"])
def test_a_missing_column_raises_and_stores_nothing(store, dropped):
    save_sentences(store, "ds1", 1, SENTENCES)
    with pytest.raises(ValueError, match=rf"lacks the columns \['{dropped}'\]"):
        save_sentences(store, "ds1", 2, SENTENCES.drop(columns=dropped))
    assert len(load_sentences(store, "ds1", 1)) == 4
    assert load_sentences(store, "ds1", 2) is None
