"""Tests for analytics.insights.kano: planted penalty–reward classes, the bootstrap, and a textbook questionnaire."""

import warnings

import numpy as np
import pandas as pd
import pytest

from analytics.insights.kano import (
    KANO_ANSWERS,
    KANO_TABLE,
    NOT_ENOUGH,
    QUESTIONNAIRE_COLUMNS,
    TEXT_COLUMNS,
    detect_kano_pairs,
    kano_from_text,
    score_kano_questionnaire,
)
from analytics.insights.resampling import resample_counts

# topic → (rating change when praised, when criticised)
PLANTED = {"fees": (0.0, -0.25), "gifts": (0.25, 0.0), "speed": (0.15, -0.15), "colour": (0.0, 0.0)}


def _planted(seed=5, n=4000, extra=()):
    """Each topic praised in 15 % and criticised in 15 % of rows, neutral in 5 %; the rating moves as planted."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"r{i}" for i in range(n)])
    rating = np.full(n, 0.5)
    parts = []
    for topic, (up, down) in PLANTED.items():
        u = rng.random(n)
        polarity = np.select([u < 0.15, u < 0.30, u < 0.35], [1, -1, 0], default=9)
        rating += np.where(polarity == 1, up, 0) + np.where(polarity == -1, down, 0)
        hit = polarity != 9
        parts.append(pd.DataFrame({"record_id": ids[hit], "dimension": topic, "polarity": polarity[hit]}))
    parts += [pd.DataFrame({"record_id": ids[:len(p)], "dimension": topic, "polarity": p}) for topic, p in extra]
    rows = pd.DataFrame({"record_id": ids, "rating": np.clip(rating + rng.normal(0, 0.06, n), 0, 1)})
    return rows, pd.concat(parts, ignore_index=True).assign(sentence="evidence")


def test_planted_topics_get_their_kano_class():
    rows, mentions = _planted()
    table = kano_from_text(rows, mentions, n_boot=200).set_index("topic")
    assert table["kano_class"].to_dict() == {"fees": "must-be", "gifts": "attractive", "speed": "one-dimensional",
                                             "colour": "indifferent"}
    for topic, (up, down) in PLANTED.items():  # the planted effects are recovered
        assert table.loc[topic, "reward"] == pytest.approx(up, abs=0.02)
        assert table.loc[topic, "penalty"] == pytest.approx(-down, abs=0.02)
        assert table.loc[topic, "reward_low"] < table.loc[topic, "reward"] < table.loc[topic, "reward_high"]
    assert "Penalty–reward" in table.attrs["method"] and table.attrs["min_n"] == 30


def test_one_topic_coefficients_are_the_group_mean_differences():
    # With one topic the regression on two dummies reproduces the three group means exactly.
    rows = pd.DataFrame({"record_id": list("abcdefg"), "rating": [0.5, 0.6, 0.4, 0.9, 0.7, 0.2, 0.1]})
    mentions = pd.DataFrame({"record_id": list("defg"), "dimension": "app", "polarity": [1, 1, -1, -1]})
    row = kano_from_text(rows, mentions, min_n=4, n_boot=50).iloc[0]
    baseline = (0.5 + 0.6 + 0.4) / 3
    assert row["reward"] == pytest.approx((0.9 + 0.7) / 2 - baseline)
    assert row["penalty"] == pytest.approx(baseline - (0.2 + 0.1) / 2)
    assert (row["n_positive"], row["n_negative"]) == (2, 2)


def test_bootstrap_intervals_are_the_percentiles_of_refits_on_resampled_rows():
    rows, mentions = _planted(n=600)
    n_boot, seed = 40, 11
    table = kano_from_text(rows, mentions, n_boot=n_boot, seed=seed).set_index("topic")
    counts = resample_counts(len(rows), n_boot=n_boot, seed=seed).astype(int)
    topics = list(table.index)

    def dummies(polarity):
        said = mentions[mentions["polarity"] == polarity]
        return [rows["record_id"].isin(said.loc[said["dimension"] == t, "record_id"]) for t in topics]

    x = np.column_stack([np.ones(len(rows)), *dummies(1), *dummies(-1)]).astype(float)
    y = rows["rating"].to_numpy()
    refits = []
    for b in range(n_boot):  # the slow, obvious way: copy the drawn rows and refit
        take = np.repeat(np.arange(len(rows)), counts[b])
        refits.append(np.linalg.lstsq(x[take], y[take], rcond=None)[0])
    refits = np.array(refits)
    low, high = np.quantile(refits[:, 1:len(topics) + 1], [0.025, 0.975], axis=0)
    np.testing.assert_allclose(table["reward_low"], low, atol=1e-9)
    np.testing.assert_allclose(table["reward_high"], high, atol=1e-9)
    low, high = np.quantile(-refits[:, len(topics) + 1:], [0.025, 0.975], axis=0)
    np.testing.assert_allclose(table["penalty_low"], low, atol=1e-9)
    np.testing.assert_allclose(table["penalty_high"], high, atol=1e-9)
    again = kano_from_text(rows, mentions, n_boot=n_boot, seed=seed).set_index("topic")
    pd.testing.assert_frame_equal(table, again)


def test_topic_with_two_mentions_is_not_enough_data_and_left_out_of_the_fit():
    rows, mentions = _planted(extra=[("lifts", [1, -1])])
    table = kano_from_text(rows, mentions, n_boot=100)
    assert list(table.columns) == TEXT_COLUMNS
    lifts = table.set_index("topic").loc["lifts"]
    assert lifts["kano_class"] == NOT_ENOUGH and not lifts["enough"]
    assert np.isnan(lifts[["reward", "reward_low", "penalty", "penalty_high"]].astype(float)).all()
    assert table.iloc[-1]["topic"] == "lifts"
    without = kano_from_text(rows, mentions[mentions["dimension"] != "lifts"], n_boot=100)
    pd.testing.assert_frame_equal(table[table["enough"]].reset_index(drop=True), without)


def test_all_ratings_equal_classes_everything_indifferent_with_zero_effects():
    rows, mentions = _planted()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = kano_from_text(rows.assign(rating=0.5), mentions, n_boot=100)
    assert (table["kano_class"] == "indifferent").all()
    effects = table[["reward", "reward_low", "reward_high", "penalty", "penalty_low", "penalty_high"]]
    np.testing.assert_allclose(effects.to_numpy(dtype=float), 0.0, atol=1e-9)


def test_a_topic_never_praised_has_no_reward_and_can_still_be_must_be():
    rows, mentions = _planted()
    mentions = mentions[~((mentions["dimension"] == "fees") & (mentions["polarity"] == 1))]
    fees = kano_from_text(rows, mentions, n_boot=100).set_index("topic").loc["fees"]
    assert fees["n_positive"] == 0 and np.isnan(fees["reward"]) and np.isnan(fees["reward_high"])
    assert fees["kano_class"] == "must-be"


def test_bad_options_say_what_to_change():
    rows, mentions = _planted(n=200)
    with pytest.raises(ValueError, match="level="):
        kano_from_text(rows, mentions, level=95)
    with pytest.raises(ValueError, match="n_boot="):
        kano_from_text(rows, mentions, n_boot=0)
    with pytest.raises(ValueError, match="rating column"):
        kano_from_text(rows.assign(rating=np.nan), mentions)


def test_evaluation_table_is_the_textbook_one():
    cell = {(f, d): KANO_TABLE[i][j] for i, f in enumerate(KANO_ANSWERS) for j, d in enumerate(KANO_ANSWERS)}
    assert cell["like", "dislike"] == "O" and cell["like", "neutral"] == "A" and cell["neutral", "dislike"] == "M"
    assert cell["must-be", "live with"] == "I" and cell["dislike", "like"] == "R" and cell["like", "like"] == "Q"
    assert cell["dislike", "dislike"] == "Q" and cell["live with", "like"] == "R" and cell["like", "must-be"] == "A"
    assert sum(row.count("I") for row in KANO_TABLE) == 9 and sum(row.count("R") for row in KANO_TABLE) == 7


def _questionnaire():
    # wifi: 2 O, 4 M, 1 I, 1 Q, 1 R, in assorted spellings; parking: codes 1–5, 3 A, 1 O, 1 I, plus one
    # unreadable answer and one blank; lounge: 2 A and 2 M, a tie that must-be wins.
    wifi = ([("I like it that way", "I dislike it that way")] * 2 + [("I expect it", "Dislike")] * 3
            + [("must-be", "DISLIKE")] + [("neutral", "I'm neutral")] + [("like", "like")] + [("dislike", "Like")])
    parking = [(1, 3)] * 3 + [(1, 5), (3, 3), (1, 9), (np.nan, 5), (2, 2)]
    lounge = [("like", "neutral")] * 2 + [("I can live with it", "dislike")] * 2
    n = 10
    pad = lambda pairs: pairs + [(np.nan, np.nan)] * (n - len(pairs))  # noqa: E731
    wifi, parking, lounge = pad(wifi), pad(parking), pad(lounge)
    return pd.DataFrame({"respondent": range(n),
                         "wifi_functional": [f for f, _ in wifi], "wifi_dysfunctional": [d for _, d in wifi],
                         "Q2a": [f for f, _ in parking], "Q2b": [d for _, d in parking],
                         "lounge_func": [f for f, _ in lounge], "lounge_dysf": [d for _, d in lounge]})


def test_questionnaire_gives_textbook_classes_and_hand_computed_better_worse():
    frame = _questionnaire()
    table = score_kano_questionnaire(frame).set_index("feature")
    assert list(table.reset_index().columns) == QUESTIONNAIRE_COLUMNS
    assert table.loc["wifi", ["A", "O", "M", "I", "R", "Q", "n"]].tolist() == [0, 2, 4, 1, 1, 1, 9]
    assert table.loc["wifi", "kano_class"] == "must-be"
    assert table.loc["wifi", "better"] == pytest.approx(2 / 7) and table.loc["wifi", "worse"] == pytest.approx(-6 / 7)
    # parking: (1,3)×3 A, (1,5) O, (3,3) I, (2,2) I; "9" is no answer and the blank is skipped.
    assert table.loc["Q2", ["A", "O", "M", "I", "R", "Q", "n"]].tolist() == [3, 1, 0, 2, 0, 0, 6]
    assert table.loc["Q2", "kano_class"] == "attractive"
    assert table.loc["Q2", "better"] == pytest.approx(4 / 6) and table.loc["Q2", "worse"] == pytest.approx(-1 / 6)
    assert table.loc["lounge", "kano_class"] == "must-be"  # A = M = 2: the tie goes to must-be
    assert table.loc["lounge", "better"] == pytest.approx(0.5) and table.loc["lounge", "worse"] == pytest.approx(-0.5)
    assert table.attrs["not_understood"] == {"Q2b": ["9"]} and "Berger" in table.attrs["method"]


def test_questionnaire_ties_follow_m_o_a_i_and_empty_features_say_so():
    frame = pd.DataFrame({"a_functional": ["like", "like", "neutral", "like"],  # O, A, I, Q  → O wins the O=A=I tie
                          "a_dysfunctional": ["dislike", "neutral", "neutral", "like"],
                          "b_functional": ["like", np.nan, np.nan, np.nan], "b_dysfunctional": ["like"] + [np.nan] * 3,
                          "c_functional": [np.nan] * 4, "c_dysfunctional": [np.nan] * 4})
    table = score_kano_questionnaire(frame).set_index("feature")
    assert table.loc["a", "kano_class"] == "one-dimensional"
    assert table.loc["b", "kano_class"] == "questionable" and np.isnan(table.loc["b", "better"])
    assert table.loc["c", "kano_class"] == "no answers" and table.loc["c", "n"] == 0


def test_pairs_are_detected_from_common_names_and_refused_with_advice():
    pairs = detect_kano_pairs(["id", "Wifi Functional", "Wifi Dysfunctional", "functional_lounge",
                               "dysfunctional_lounge", "Q1a", "Q1b", "Q2a", "age"])
    assert pairs == {"Wifi": ("Wifi Functional", "Wifi Dysfunctional"),
                     "lounge": ("functional_lounge", "dysfunctional_lounge"), "Q1": ("Q1a", "Q1b")}
    with pytest.raises(ValueError, match="f1_functional"):
        detect_kano_pairs(["id", "age", "Q2a"])


def test_explicit_pairs_and_unreadable_questionnaires_are_explained():
    frame = _questionnaire()
    table = score_kano_questionnaire(frame, pairs={"Lounge access": ("lounge_func", "lounge_dysf")})
    assert table["feature"].tolist() == ["Lounge access"] and table.loc[0, "n"] == 4
    with pytest.raises(ValueError, match="no column"):
        score_kano_questionnaire(frame, pairs={"x": ("x_func", "lounge_dysf")})
    with pytest.raises(ValueError, match="Not understood"):
        score_kano_questionnaire(pd.DataFrame({"Q1a": ["yes", "no"], "Q1b": ["no", "yes"]}))
