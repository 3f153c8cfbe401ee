"""Rating → sentiment cuts: defaults per scale match the app-wide rule, saved cuts are validated and used."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from analytics.schema import NEGATIVE_BELOW, POSITIVE_ABOVE
from analytics.store.database import DatasetInfo, now_utc
from analytics.store.rating_cuts import RatingCuts, default_cuts, load_cuts, save_cuts


@pytest.mark.parametrize("scale", [(1, 5), (0, 10), (1, 10), (1, 7), (0, 5)])
def test_default_cuts_agree_with_the_normalised_rule_on_every_scale_point(scale):
    low, high = scale
    points = pd.Series(np.arange(low, high + 1, dtype=float))
    norm = (points - low) / (high - low)
    expected = np.where(norm < NEGATIVE_BELOW, "negative", np.where(norm > POSITIVE_ABOVE, "positive", "neutral"))
    assert default_cuts(scale).labels(points) == expected.tolist()


def _info(scale):
    now = now_utc()
    meta = {"rating_scale": {"low": scale[0], "high": scale[1]}} if scale else {}
    return DatasetInfo(id="dscuts", name="x", source_name="x", source_sha256="x", created_at=now, updated_at=now,
                       version=1, n_rows=1, n_rejected=0, meta=meta)


def test_saved_cuts_are_per_dataset_and_validated(store):
    info = _info((1, 10))
    assert load_cuts(store, info) == RatingCuts(4.0, 7.0)
    save_cuts(store, info, RatingCuts(3, 9))
    assert load_cuts(store, info) == RatingCuts(3, 9)
    assert load_cuts(store, dataclasses.replace(info, id="other")) == RatingCuts(4.0, 7.0)
    for bad in (RatingCuts(5, 5), RatingCuts(0, 7), RatingCuts(4, 11), RatingCuts(8, 6)):
        with pytest.raises(ValueError, match="should satisfy 1 ≤ negative < positive ≤ 10"):
            save_cuts(store, info, bad)
    assert load_cuts(store, info) == RatingCuts(3, 9)  # a refused change keeps the saved cuts
    assert load_cuts(store, _info(None)) is None
    with pytest.raises(ValueError, match="no rating column"):
        save_cuts(store, _info(None), RatingCuts(1, 2))


def test_training_frame_follows_the_cuts():
    from models.flows.default_sentiment import rating_training_frame

    rows = pd.DataFrame({"record_id": [f"r{i}" for i in range(150)], "text": [f"text {i}" for i in range(150)],
                         "rating_raw": [1, 2, 3, 4, 5] * 30, "rating": [0, .25, .5, .75, 1] * 30})
    default = rating_training_frame(rows, max_rows=None)["label"].value_counts().to_dict()
    assert default == {"negative": 60, "positive": 60, "neutral": 30}
    strict = rating_training_frame(rows, max_rows=None, cuts=RatingCuts(1, 5))["label"].value_counts().to_dict()
    assert strict == {"neutral": 90, "negative": 30, "positive": 30}
