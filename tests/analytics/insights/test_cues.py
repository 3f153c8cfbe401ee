"""Tests for analytics.insights.cues: the demo's planted expectation cues are found and read as met or missed."""

import numpy as np
import pandas as pd
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analytics.demo.generator import generate_demo
from analytics.insights.cues import CUE_OUTCOMES, DEFAULT_CUES, cue_pattern, cue_summary, find_cues
from analytics.insights.sentences import split_sentences

PLANTED = ("Zephyr Air Fryer", "Brook Cold Brew Maker", "Nimbus Memory Foam Pillow", "Drift Inflatable Kayak")
ANALYZER = SentimentIntensityAnalyzer()


def _vader(texts):
    return np.array([ANALYZER.polarity_scores(t)["compound"] for t in texts], dtype=float)


def _sentences(*texts, compound=None):
    """One sentence per text (record ids r0, r1, …), scored by VADER unless ``compound`` is given."""
    return pd.DataFrame({"record_id": [f"r{i}" for i in range(len(texts))], "sentence_no": 0,
                         "sentence": list(texts), "compound": _vader(texts) if compound is None else compound})


def _outcomes(found):
    return dict(zip(found["record_id"], found["outcome"]))


def test_default_cues_hold_the_phrases_of_the_issue_and_every_override_is_a_cue():
    for phrase in ("i expected", "was promised", "advertised as", "should have", "not as described",
                   "thought it would", "supposed to", "better than i expected", "for the price i expected"):
        assert phrase in DEFAULT_CUES
    assert set(CUE_OUTCOMES) <= set(DEFAULT_CUES) and set(CUE_OUTCOMES.values()) == {"met", "missed"}
    assert len(set(DEFAULT_CUES)) == len(DEFAULT_CUES)


def test_cues_match_whole_words_ignoring_case_blanks_and_curly_apostrophes():
    found = find_cues(_sentences("It wasn’t what I EXPECTED", "Totally unexpected gift", "as   described",
                                 "I expectedly shrugged", "No cue here", compound=[0.0, 0.0, 0.0, 0.0, 0.0]))
    assert found["record_id"].tolist() == ["r0", "r2"]
    assert found["cue"].tolist() == ["wasn't what i expected", "as described"]
    assert found.columns.tolist() == ["record_id", "sentence_no", "sentence", "cue", "outcome"]


def test_flipping_phrases_decide_before_the_sentence_score():
    texts = ("The quality is even better than I expected.", "At this price I expected much better.",
             "I was promised a callback and nobody called.", "It is not as described.",
             "Support should have escalated this.")
    compound = _vader(texts)
    # VADER reads the two missed expectations with "better" and "promised" as positive, and sees nothing negative
    # in the last two: the phrases decide.
    assert compound[1] > 0.05 and compound[2] > 0.05 and compound[3] > -0.05 and compound[4] > 0.05
    found = find_cues(_sentences(*texts, compound=compound))
    assert found["outcome"].tolist() == ["met", "missed", "missed", "missed", "missed"]
    assert found["cue"].tolist() == ["better than i expected", "expected much better", "i was promised",
                                     "not as described", "should have"]
    # Without the overrides the score decides: both "better" sentences are then met.
    plain = find_cues(_sentences(*texts, compound=compound), outcomes={})
    assert plain["outcome"].tolist()[:3] == ["met", "met", "met"]


def test_a_neutral_sentence_takes_the_rows_sentiment_or_stays_unclear():
    sentences = _sentences("I expected it on Friday.", "I expected it on Friday.", "I expected it on Friday.",
                           "I expected it on Friday.", "I expected it to be awful, and it is.",
                           compound=[0.0, 0.0, 0.0, 0.0, -0.6])
    assert set(find_cues(sentences)["outcome"]) == {"unclear", "missed"}
    row_sentiment = pd.Series({"r0": "negative", "r1": "positive", "r2": "neutral", "r4": "positive"})
    assert _outcomes(find_cues(sentences, row_sentiment=row_sentiment)) == {
        "r0": "missed", "r1": "met", "r2": "unclear", "r3": "unclear", "r4": "missed"}


def test_the_cue_list_is_editable_and_phrases_are_plain_text():
    sentences = _sentences("I was promised a refund.", "It was promised to me.", "I expected more.",
                           "It is great (sic) fine", "It is great sic fine", "a.b", "axb",
                           compound=[0.0] * 7)
    only = find_cues(sentences, cues=["was promised"])
    assert only["record_id"].tolist() == ["r0", "r1"] and set(only["cue"]) == {"was promised"}
    assert find_cues(sentences, cues=["(sic)", "a.b"])["record_id"].tolist() == ["r3", "r5"]
    assert cue_pattern(["(sic)"]).search("great (SIC) fine").group(1) == "(SIC)"
    for empty in ([], ["  ", ""]):
        with pytest.raises(ValueError, match="add at least one cue phrase"):
            find_cues(sentences, cues=empty)
    with pytest.raises(ValueError, match="'met' or 'missed'"):
        find_cues(sentences, cues=["was promised"], outcomes={"was promised": "maybe"})
    with pytest.raises(ValueError, match=r"\['compound'\]"):
        find_cues(sentences.drop(columns="compound"))


def test_cue_summary_counts_rows_per_outcome_and_sorts_by_missed_share():
    found = pd.DataFrame({"record_id": ["a", "a", "b", "c", "c", "e"], "sentence_no": [0, 1, 0, 0, 1, 0],
                          "sentence": "", "cue": "expected",
                          "outcome": ["missed", "missed", "met", "missed", "met", "unclear"]})
    rows = pd.DataFrame({"record_id": list("abcdef"), "product": ["x", "x", "y", "y", "y", np.nan]})
    out = cue_summary(found, rows, by="product", min_n=3)
    assert out.columns.tolist() == ["group", "n", "rows_with_cue", "missed", "met", "unclear", "missed_share",
                                    "met_share", "enough"]
    assert out[["group", "n", "rows_with_cue", "missed", "met", "unclear"]].to_numpy().tolist() == [
        ["x", 2, 2, 1, 1, 0], ["y", 3, 2, 1, 1, 1], ["(none)", 1, 0, 0, 0, 0]]  # c counts as missed and met
    assert out["missed_share"].tolist() == pytest.approx([0.5, 1 / 3, 0.0])
    assert out["met_share"].tolist() == pytest.approx([0.5, 1 / 3, 0.0])
    assert out["enough"].tolist() == [False, True, False]
    overall = cue_summary(found, rows)
    assert overall[["group", "n", "rows_with_cue", "missed", "met"]].to_numpy().tolist() == [["all", 6, 4, 2, 2]]
    with pytest.raises(ValueError, match="by='segment' is not a column"):
        cue_summary(found, rows, by="segment")


@pytest.fixture(scope="module")
def demo_cues(demo_rows):
    """The demo's cue sentences with the outcomes a page would show: each cue sentence scored by VADER, and the
    rows' stored sentiment from VADER too (the lexicon baseline every dataset has)."""
    sentences = split_sentences(demo_rows[["record_id", "text"]])
    # Only cue sentences need a score (find_cues reads no other), which keeps the test fast.
    unscored = find_cues(sentences.assign(compound=0.0))
    cue_rows = pd.MultiIndex.from_frame(sentences[["record_id", "sentence_no"]]).isin(
        pd.MultiIndex.from_frame(unscored[["record_id", "sentence_no"]]))
    compound = np.zeros(len(sentences))
    compound[cue_rows] = _vader(sentences.loc[cue_rows, "sentence"])
    sentences = sentences.assign(compound=compound)
    texts = demo_rows.set_index("record_id").loc[sentences.loc[cue_rows, "record_id"].unique(), "text"]
    text_compound = pd.Series(_vader(texts), index=texts.index)
    row_sentiment = pd.Series(np.select([text_compound >= 0.05, text_compound <= -0.05], ["positive", "negative"],
                                        "neutral"), index=texts.index)
    return sentences, find_cues(sentences, row_sentiment=row_sentiment)


@pytest.fixture(scope="module")
def demo_labels():
    return generate_demo(seed=7).truth.labels


def test_the_planted_products_carry_missed_cues_far_more_often(demo_rows, demo_cues):
    summary = cue_summary(demo_cues[1], demo_rows, by="product")
    assert len(summary) == 40 and summary["enough"].all()
    # Measured: the four planted products 0.21–0.27 of rows with a missed cue, the median product 0.022 (9×).
    assert set(summary["group"].head(4)) == set(PLANTED)
    median = summary["missed_share"].median()
    assert summary.set_index("group").loc[list(PLANTED), "missed_share"].min() >= 5 * median


def test_demo_cue_rows_are_found_and_read_as_planted(demo_rows, demo_cues, demo_labels):
    found = demo_cues[1]
    planted = pd.Series(demo_labels["cue"].to_numpy(), index=demo_rows["record_id"].to_numpy())
    cue_rows = planted[planted != ""]
    # Measured 0.997: the misses are cue words broken by the demo's typos.
    assert cue_rows.index.isin(found["record_id"]).mean() >= 0.95
    read = found.groupby("record_id")["outcome"].agg(
        lambda o: "missed" if "missed" in set(o) else "met" if "met" in set(o) else "unclear")
    both = cue_rows.index.intersection(read.index)
    # Measured 0.85 (0.65 without CUE_OUTCOMES); "unclear" counts as wrong.
    assert (read[both] == cue_rows[both]).mean() >= 0.8


def test_an_edited_demo_cue_list_finds_only_its_phrase(demo_cues):
    sentences, everything = demo_cues
    only = find_cues(sentences, cues=("was promised",))
    has_phrase = sentences["sentence"].str.lower().str.contains("was promised", regex=False)
    assert len(only) == int(has_phrase.sum()) > 100
    assert set(only["cue"]) == {"was promised"} and len(only) < len(everything) / 5
