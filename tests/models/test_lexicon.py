"""Tests for models.lexicon: VADER for English, pysenti + SnowNLP for Chinese, each text by its language."""

import numpy as np
import pytest

from models.lexicon import lexicon_proba, score_chinese, score_lexicon, score_vader, vader_label


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


def test_obvious_chinese_sentences_get_the_right_label():
    frame = score_chinese(["房间干净，服务周到，下次还来", "太差了，隔音不好，再也不来了", "物流很快，包装完好", "", None])
    assert frame["label"].tolist() == ["positive", "negative", "positive", None, None]
    assert frame.columns.tolist() == ["label", "compound", "negative", "neutral", "positive", "is_empty"]
    assert frame["compound"].iloc[0] > 0 > -0.5 > frame["compound"].iloc[1]
    np.testing.assert_allclose(frame[["negative", "neutral", "positive"]].sum(axis=1), 1.0, atol=1e-9)


@pytest.mark.parametrize("text, label", [("质量很差", "negative"), ("很差", "negative"), ("房间很脏", "negative"),
                                         ("太贵了", "negative"), ("非常满意", "positive"), ("很不错", "positive")])
def test_a_degree_adverb_glued_to_its_word_does_not_hide_the_word(text, label):
    # jieba keeps 很差 as one word that neither lexicon lists: it used to score 0 (neutral), 质量很差 even positive.
    assert score_chinese([text])["label"].tolist() == [label]


def test_each_text_is_scored_by_its_languages_lexicon_in_input_order():
    texts = ["太差了，再也不来了", "I love it", "非常满意", "I hate it"]
    frame = score_lexicon(texts)
    assert frame["lexicon"].tolist() == ["pysenti + SnowNLP", "VADER", "pysenti + SnowNLP", "VADER"]
    assert frame["label"].tolist() == ["negative", "positive", "positive", "negative"]
    # VADER alone cannot read Chinese: it calls both Chinese texts neutral.
    assert score_vader(texts)["label"].tolist()[::2] == ["neutral", "neutral"]
    # Given languages override detection (here: Chinese read as English gets VADER's neutral).
    assert score_lexicon(texts[:1], languages=["en"])["label"].tolist() == ["neutral"]


def test_lexicon_probabilities_follow_the_chinese_label_too():
    proba = lexicon_proba(["非常满意", "快递太慢了"], classes=["negative", "positive"])
    assert proba.argmax(axis=1).tolist() == [1, 0]
