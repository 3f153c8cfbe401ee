"""Tests for models.lexicon (VADER)."""

import numpy as np

from models.lexicon import score_vader, vader_label


def test_obvious_sentences_get_the_right_label():
    frame = score_vader(
        [
            "I absolutely love it, best purchase ever!",
            "Terrible quality, it broke after a day. I hate it.",
            "The parcel was delivered on Tuesday.",
            None,
        ]
    )
    assert frame["label"].tolist() == ["positive", "negative", "neutral", None]
    assert frame.columns.tolist() == ["label", "compound", "negative", "neutral", "positive", "is_empty"]
    assert frame["compound"].iloc[0] > 0.5 > -0.5 > frame["compound"].iloc[1]
    np.testing.assert_allclose(frame[["negative", "neutral", "positive"]].sum(axis=1), 1.0, atol=1e-9)
    assert frame["is_empty"].tolist() == [False, False, False, True]


def test_thresholds_are_inclusive_at_plus_minus_0_05():
    assert [vader_label(v) for v in (0.05, 0.0499, -0.0499, -0.05)] == [
        "positive", "neutral", "neutral", "negative",
    ]
