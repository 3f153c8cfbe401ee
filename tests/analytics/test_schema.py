"""THE rating → sentiment rule of ``analytics.schema``: every place that turns ratings into sentiment agrees with it."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.figures.overview import rating_distribution_figure
from analytics.figures.style import SENTIMENT_COLORS
from analytics.insights.kpis import compute_kpis, rating_distribution
from analytics.insights.sentiment import star_text_mismatches
from analytics.schema import sentiment_from_rating
from analytics.store.rating_cuts import default_cuts
from models.tasks import sentiment_labels_from_ratings

SCALES = [(1, 5), (1, 10), (0, 100)]


def _points(scale):
    low, high = scale
    raw = np.arange(low, high + 1, dtype=float)
    return raw, (raw - low) / (high - low)


def test_the_rule_on_hand_picked_values():
    labels = sentiment_from_rating(pd.Series([0.0, 0.39, 0.4, 0.5, 0.6, 0.61, np.nan, 1.0], index=list("abcdefgh")))
    assert labels.tolist()[:6] == ["negative", "negative", "neutral", "neutral", "neutral", "positive"]
    assert pd.isna(labels["g"]) and labels["h"] == "positive"
    assert list(labels.index) == list("abcdefgh")


@pytest.mark.parametrize("scale", SCALES)
def test_kpis_mismatches_cuts_charts_and_training_labels_agree_on_every_scale_point(scale):
    raw, normalised = _points(scale)
    rule = sentiment_from_rating(pd.Series(normalised)).tolist()
    assert {"negative", "neutral", "positive"} <= set(rule)  # every class occurs on each scale

    # Training labels: the normalised rule of models.tasks and the default cuts on the scale's own units.
    assert sentiment_labels_from_ratings(normalised) == rule
    assert default_cuts(scale).labels(pd.Series(raw)) == rule

    for value, norm, expected in zip(raw, normalised, rule):
        one = pd.DataFrame({"rating": [norm], "rating_raw": [value], "expected": [np.nan],
                            "timestamp": [pd.NaT], "text": ["x"]})
        kpis = compute_kpis(one, scale=scale, period_days=None)
        assert kpis.get("pct_negative").value == (100.0 if expected == "negative" else 0.0), value
        assert kpis.get("net_sentiment").value == {"negative": -100.0, "neutral": 0.0, "positive": 100.0}[expected]

        # Star–text mismatches: confident text of the opposite class to the stars.
        texts = one.assign(sentiment=["negative"], confidence=[0.9])
        flagged_high = len(star_text_mismatches(texts)) == 1
        assert flagged_high == (expected == "positive"), value
        texts = one.assign(sentiment=["positive"], confidence=[0.9])
        assert (len(star_text_mismatches(texts)) == 1) == (expected == "negative"), value

    # The rating distribution colours each point by the class it counts as.
    frame = pd.DataFrame({"rating": normalised, "rating_raw": raw})
    bar = rating_distribution_figure(rating_distribution(frame), scale=scale).data[0]
    assert list(bar.marker.color) == [SENTIMENT_COLORS[label] for label in rule]
