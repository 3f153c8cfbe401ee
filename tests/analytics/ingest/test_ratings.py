"""Tests for rating scale detection, normalisation and rating-based sentiment."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics.ingest.ratings import (
    RATING_SCALES,
    STANDARD_SCALES,
    RatingScale,
    detect_rating_scale,
    normalise_ratings,
)
from analytics.schema import NEGATIVE_BELOW, POSITIVE_ABOVE, sentiment_from_rating


def nan_list(series: pd.Series) -> list:
    return [None if isinstance(v, float) and math.isnan(v) else round(v, 4) for v in series.tolist()]


@pytest.mark.parametrize(("values", "kind", "label"), [
    (["2", "4", "5"], "stars_1_5", "1–5 stars"),
    (["3", "4"], "stars_1_5", "1–5 stars"),  # all within 1..5 even without a 1
    (["4.5", "3,5", "5"], "stars_1_5", "1–5 stars"),
    (["5 stars", "4/5", "★★★★", "★★★☆☆", "1 star"], "stars_1_5", "1–5 stars"),
    (["1", "10", "7"], "scale_1_10", "1–10 scale"),
    (["0", "5", "10", "7"], "scale_0_10", "0–10 scale"),
    (["0", "7", "3"], "scale_0_10", "0–10 scale"),
    (["0", "3", "5"], "scale_0_5", "0–5 scale"),
    (["8 out of 10", "7/10", "3 / 10"], "scale_1_10", "1–10 scale"),
    (["55", "80", "100"], "scale_0_100", "0–100 scale"),
    (["80%", "50%"], "scale_0_100", "0–100 scale"),
    (["0", "1", "1"], "binary_0_1", "0/1"),
    (["thumbs up", "👍", "down", "Yes", "no", "like", "dislike", "👎🏽"], "thumbs", "thumbs up/down"),
    (["-2", "0", "2"], "custom", "custom scale -2 to 2"),
])
def test_scales_detected(values, kind, label):
    scale = detect_rating_scale(pd.Series(values))
    assert (scale.kind, scale.label) == (kind, label)


def test_normalise_numbers_text_and_blanks():
    parsed = normalise_ratings(pd.Series(["1", "4,5", "5 stars", "★★★", "4/5", "", None, "  "], dtype=object))
    assert parsed.scale.kind == "stars_1_5"
    assert nan_list(parsed.raw) == [1.0, 4.5, 5.0, 3.0, 4.0, None, None, None]
    assert nan_list(parsed.normalised) == [0.0, 0.875, 1.0, 0.5, 0.75, None, None, None]
    assert not parsed.invalid.any()
    assert parsed.reasons.isna().all()


def test_thumbs_read_as_one_and_zero():
    parsed = normalise_ratings(pd.Series(["thumbs up", "👎", "dislike", "up"]))
    assert parsed.raw.tolist() == [1.0, 0.0, 0.0, 1.0]
    assert parsed.normalised.tolist() == [1.0, 0.0, 0.0, 1.0]


def test_bad_values_invalid_with_reasons():
    stars = STANDARD_SCALES["stars_1_5"]
    parsed = normalise_ratings(pd.Series(["7", "abc", "3", "0", "8/10", "up", "80%", None]), stars)
    assert parsed.invalid.tolist() == [True, True, False, True, True, True, True, False]
    assert nan_list(parsed.raw) == [None, None, 3.0, None, None, None, None, None]
    assert parsed.reasons.tolist() == [
        "rating 7 is outside the 1–5 scale",
        "rating 'abc' is not a number, stars or thumbs up/down",
        None,
        "rating 0 is outside the 1–5 scale",
        "rating '8/10' is not on the 1–5 stars scale used for this column",
        "rating 'up' is not on the 1–5 stars scale used for this column",
        "rating '80%' is not on the 1–5 stars scale used for this column",
        None,
    ]


def test_expected_column_on_the_rating_scale():
    rating_scale = detect_rating_scale(pd.Series(["1", "10", "6"]))
    parsed = normalise_ratings(pd.Series(["4", "10", "11"]), scale=rating_scale, name="expectation")
    assert nan_list(parsed.normalised) == [round(3 / 9, 4), 1.0, None]
    assert parsed.reasons.iloc[2] == "expectation 11 is outside the 1–10 scale"


def test_a_stray_outlier_does_not_stretch_a_large_column():
    values = pd.Series(["44"] + ["1", "2", "3", "4", "5"] * 30)
    assert detect_rating_scale(values).kind == "stars_1_5"
    parsed = normalise_ratings(values)
    assert parsed.invalid.sum() == 1 and parsed.reasons.iloc[0] == "rating 44 is outside the 1–5 scale"


def test_small_column_uses_every_value_for_the_scale():
    assert detect_rating_scale(pd.Series(["44", "1", "2"])).kind == "scale_0_100"


def test_numbers_and_index_are_accepted():
    parsed = normalise_ratings(pd.Series([1, 5, None, 3.5], index=[7, 8, 9, 10]))
    assert nan_list(parsed.normalised) == [0.0, 1.0, None, 0.625]
    assert parsed.raw.index.tolist() == parsed.invalid.index.tolist() == [7, 8, 9, 10]


@pytest.mark.parametrize(("values", "message"), [
    (["", None], "empty"),
    (["positive", "negative", "neutral"], "do not look like ratings"),
    (["500", "500"], "every value is 500"),
    (["3/0", "4/0", "1/0"], "out of 0 .* Choose the scale by hand"),  # once a division by zero in normalising
    (["9" * 400, "1e999", "inf"], "do not look like ratings"),  # once an infinite custom scale (0/0 when normalised)
])
def test_detect_refuses_with_actionable_message(values, message):
    with pytest.raises(ValueError, match=message):
        detect_rating_scale(pd.Series(values, dtype=object))


def test_empty_column_normalises_to_nan_without_errors():
    parsed = normalise_ratings(pd.Series(["", None], dtype=object))
    assert parsed.normalised.isna().all() and not parsed.invalid.any()


def test_scale_validation():
    with pytest.raises(ValueError, match="high > low"):
        RatingScale("custom", 5, 5, "x")
    with pytest.raises(ValueError, match="Unknown rating scale"):
        RatingScale("stars_1_7", 1, 7, "x")
    assert [s.kind for s in RATING_SCALES][:2] == ["stars_1_5", "scale_0_5"]


def test_sentiment_from_rating_boundaries():
    assert (NEGATIVE_BELOW, POSITIVE_ABOVE) == (0.4, 0.6)
    labels = sentiment_from_rating(pd.Series([0.0, 0.25, 0.4, 0.5, 0.6, 0.75, np.nan, 1.0], index=list("abcdefgh")))
    assert labels.index.tolist() == list("abcdefgh")
    assert pd.isna(labels.iloc[6])
    assert labels.drop("g").tolist() == ["negative", "negative", "neutral", "neutral", "neutral", "positive",
                                         "positive"]


def test_sentiment_of_a_five_star_scale():
    normalised = normalise_ratings(pd.Series(["1", "2", "3", "4", "5"])).normalised
    assert sentiment_from_rating(normalised).tolist() == ["negative", "negative", "neutral", "positive", "positive"]


def test_million_ratings_normalise_correctly():
    stars = np.random.default_rng(0).integers(1, 6, 1_000_000)
    values = pd.Series(stars.astype(str), dtype="str")
    values.iloc[::100] = None
    parsed = normalise_ratings(values)
    assert parsed.scale.kind == "stars_1_5"
    assert not parsed.invalid.any()
    expected = (stars - 1) / 4
    expected[::100] = np.nan
    assert np.allclose(parsed.normalised.to_numpy(), expected, equal_nan=True)
