"""Tests for analytics.insights.quotes: the typical quotes of an action, directly and through rank_actions."""

import numpy as np
import pandas as pd

from analytics.insights.quotes import typical_quotes
from analytics.insights.recommend import rank_actions


def test_the_typical_quotes_are_negative_sentences_of_the_action_nearest_their_centroid():
    # "parcel late and box damaged" shares its words with both complaints: it is the planted centre.
    sentences = ["parcel late", "box damaged", "parcel late and box damaged", "the parcel was late again",
                 "my box came damaged", "box damaged", "parcel late", "parcel late and the box too"]
    rows = pd.DataFrame({"record_id": [f"r{i}" for i in range(len(sentences) + 2)]})
    mentions = pd.DataFrame({
        "record_id": rows["record_id"],
        "dimension": ["delivery"] * len(sentences) + ["delivery", "price"],
        "polarity": [-1] * len(sentences) + [1, -1],
        "sentence": sentences + ["parcel late and box damaged? no, lovely", "price too high"],
    })
    before = mentions.copy()
    actions = rank_actions(rows, mentions, slices=("all",), min_n=1).actions
    quotes = actions.set_index("dimension").loc["delivery", "quotes"]
    assert quotes[0] == ("r2", "parcel late and box damaged")
    assert len(quotes) == 3 and len({text for _, text in quotes}) == 3
    negative = dict(zip(mentions["record_id"][:len(sentences)], sentences))
    assert all(negative[record] == text for record, text in quotes)  # the action's own negative sentences only
    # Repeats of a sentence already quoted are passed over: "parcel late" after the centre, not r6's copy.
    assert [record for record, _ in quotes].count("r6") == 0
    pd.testing.assert_frame_equal(mentions, before)


def test_a_sentence_said_again_is_quoted_once_and_an_action_without_complaints_gets_none():
    actions = pd.DataFrame({"slice_kind": "all", "dimension": ["delivery", "price"], "slice_value": "all interactions"})
    tagged = pd.DataFrame({"pos": [0, 1, 2, 3], "polarity": [-1, -1, -1, 1],
                           "sentence": ["Box damaged.", "box damaged!", "box  damaged", "lovely price"]})
    ids = np.array(["r0", "r1", "r2", "r3"], dtype=object)

    def members(kind, dimension, value):
        return np.array([0, 1, 2]) if dimension == "delivery" else np.array([], dtype=int)

    # the three differ only in case, spaces and punctuation: one quote, the first mention's own words
    assert typical_quotes(actions, members, tagged, ids) == [(("r0", "Box damaged."),), ()]
    assert typical_quotes(actions, members, tagged.assign(polarity=1), ids) == [(), ()]
