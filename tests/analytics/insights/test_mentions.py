"""Tests for analytics.insights.mentions: the mention matrix aligned to the rows, bad input."""

import pandas as pd
import pytest

from analytics.insights.mentions import mention_matrix


def _mentions(records, dimensions, polarities):
    return pd.DataFrame({"record_id": records, "dimension": dimensions, "polarity": polarities,
                         "sentence": "evidence"})


def test_mention_matrix_aligns_to_rows_sums_duplicates_and_drops_unknown_records():
    rows = pd.DataFrame({"record_id": ["a", "b", "c", "d"]})
    mentions = _mentions(["d", "a", "zzz", "a", "a", "b", "c"],
                         ["app", "price", "price", "price", "app", "price", "price"], [0, 1, -1, 1, -1, -1, 1])
    before = mentions.copy()
    m = mention_matrix(rows, mentions)
    assert m.dimensions == ("price", "app")  # most mentioned first; "zzz" is no row of ours
    assert m.mentioned.tolist() == [[True, True], [True, False], [True, False], [False, True]]
    assert m.polarity.tolist() == [[1.0, -1.0], [-1.0, 0.0], [1.0, 0.0], [0.0, 0.0]]  # a/price twice: +1 +1 → +1
    assert m.positive.dtype == bool and m.negative.sum() == 2
    pd.testing.assert_frame_equal(mentions, before)


def test_mention_matrix_rejects_repeated_record_ids_and_incomplete_mentions():
    with pytest.raises(ValueError, match="unique"):
        mention_matrix(pd.DataFrame({"record_id": ["a", "a"]}), _mentions(["a"], ["app"], [1]))
    with pytest.raises(ValueError, match="polarity"):
        mention_matrix(pd.DataFrame({"record_id": ["a"]}), pd.DataFrame({"record_id": ["a"], "dimension": ["app"]}))
