"""Tests for models.explain: word spans, occlusion scores, batching, the VADER and tiny-BERT score functions."""

import math

import numpy as np
import pytest

from models.explain import Explanation, explain_occlusion, lexicon_score_fn, transformer_score_fn, word_spans
from models.inference import model_classes
from models.lexicon import lexicon_proba

CLASSES = ("negative", "positive")


def great_score_fn(calls=None):
    """P(positive) = 0.9 when "great" is in the text, else 0.2; records each call's texts."""

    def score(texts):
        assert isinstance(texts, list)
        if calls is not None:
            calls.append(list(texts))
        p = np.array([0.9 if "great" in t.lower() else 0.2 for t in texts])
        return np.column_stack([1 - p, p])

    return score


def test_word_spans_split_words_and_punctuation_runs():
    text = "Great app, but crashes!!!"
    assert [text[s:e] for s, e in word_spans(text)] == ["Great", "app", ",", "but", "crashes", "!!!"]
    other = "don't  stop… it’s fine"
    assert [other[s:e] for s, e in word_spans(other)] == ["don't", "stop", "…", "it’s", "fine"]
    assert word_spans("") == [] and word_spans(None) == [] and word_spans("   ") == []


def test_occlusion_gives_the_deciding_word_its_exact_probability_change():
    explanation = explain_occlusion("The app is great, honestly", great_score_fn(), CLASSES)
    assert isinstance(explanation, Explanation)
    assert explanation.words == ("The", "app", "is", "great", ",", "honestly")
    assert explanation.target == "positive"  # the argmax of the full text
    assert explanation.proba == pytest.approx((0.1, 0.9))
    assert explanation.scores == pytest.approx((0.0, 0.0, 0.0, 0.7, 0.0, 0.0), abs=1e-12)
    assert explanation.top(2)[0] == ("great", pytest.approx(0.7, abs=1e-12))
    assert explanation.method == "occlusion" and not explanation.truncated
    text = explanation.text
    assert [text[s:e] for s, e in explanation.spans] == list(explanation.words)
    frame = explanation.to_frame()
    assert frame.columns.tolist() == ["position", "word", "score"]
    assert frame["position"].tolist() == list(range(6)) and frame["word"].tolist() == list(explanation.words)


def test_explaining_the_other_class_flips_the_sign():
    explanation = explain_occlusion("great app", great_score_fn(), CLASSES, target="negative")
    assert explanation.scores == pytest.approx((-0.7, 0.0), abs=1e-12)


def test_removed_words_leave_single_spaces():
    calls = []
    explain_occlusion("Great app, but crashes!!!", great_score_fn(calls), CLASSES)
    assert calls[0] == [
        "Great app, but crashes!!!",
        "app, but crashes!!!",
        "Great , but crashes!!!",
        "Great app but crashes!!!",
        "Great app, crashes!!!",
        "Great app, but !!!",
        "Great app, but crashes",
    ]


@pytest.mark.parametrize("batch_size", [1, 3, 7, 64])
def test_variants_are_scored_in_batches(batch_size):
    calls = []
    text = "one two three four five six great"  # 7 words: 8 texts with the full one
    explanation = explain_occlusion(text, great_score_fn(calls), CLASSES, batch_size=batch_size)
    assert len(calls) == math.ceil(8 / batch_size)
    assert all(len(batch) <= batch_size for batch in calls)
    assert sum(len(batch) for batch in calls) == 8
    assert explanation.scores == pytest.approx((0, 0, 0, 0, 0, 0, 0.7), abs=1e-12)


def test_only_the_first_max_words_are_attributed():
    calls = []
    explanation = explain_occlusion("great a b c d e", great_score_fn(calls), CLASSES, max_words=3)
    assert explanation.truncated
    assert explanation.words == ("great", "a", "b") and len(explanation.scores) == 3
    assert sum(len(batch) for batch in calls) == 4
    assert not explain_occlusion("great a b", great_score_fn(), CLASSES, max_words=3).truncated


def test_unknown_target_names_the_classes():
    with pytest.raises(ValueError, match=r"'neutral'.*\['negative', 'positive'\]"):
        explain_occlusion("great app", great_score_fn(), CLASSES, target="neutral")


@pytest.mark.parametrize("text", ["", None, "   \n"])
def test_empty_text_is_refused(text):
    with pytest.raises(ValueError, match="There is no text to explain."):
        explain_occlusion(text, great_score_fn(), CLASSES)


def test_a_score_fn_of_the_wrong_shape_is_reported():
    with pytest.raises(ValueError, match=r"shape \(3, 2\) for 3 texts.*expected \(3, 3\)"):
        explain_occlusion("great app", great_score_fn(), ("negative", "neutral", "positive"))


def test_lexicon_probabilities_follow_the_vader_label():
    proba = lexicon_proba(["I love it", "The parcel came on Tuesday", "I hate it", None])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert proba.argmax(axis=1).tolist() == [2, 1, 0, 1]
    two = lexicon_proba(["I love it", "I hate it"], classes=["positive", "negative"])
    assert two.argmax(axis=1).tolist() == [0, 1]
    with pytest.raises(ValueError, match="negative/neutral/positive"):
        lexicon_proba(["x"], classes=["spam", "ham"])


def test_lexicon_explanation_puts_the_sentiment_word_on_top():
    classes = ("Neg", "Neu", "Pos")  # the task's own spelling
    explanation = explain_occlusion("The flight was terrible", lexicon_score_fn(classes), classes, target="Neg")
    word, score = explanation.top(1)[0]
    assert word == "terrible" and score > 0.5
    assert all(abs(s) < 1e-9 for w, s in zip(explanation.words, explanation.scores) if w != "terrible")
    with pytest.raises(ValueError, match="sentiment labels"):
        lexicon_score_fn(["billing", "delivery"])


def test_transformer_score_fn_gives_one_score_per_word(tiny_model, tokenizer, cpu):
    score_fn = transformer_score_fn(tiny_model, tokenizer, device=cpu, max_length=32)
    proba = score_fn(["great app", "the parcel was late", "ok"])
    assert proba.shape == (3, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    text = "the parcel was late and the box was crushed"
    classes = model_classes(tiny_model)
    explanation = explain_occlusion(text, score_fn, classes, batch_size=4)
    assert len(explanation.scores) == len(explanation.words) == 9
    assert explanation.target in classes and sum(explanation.proba) == pytest.approx(1.0, abs=1e-5)
    assert np.isfinite(explanation.scores).all() and max(map(abs, explanation.scores)) > 0
    # Each score is P(target | text) - P(target | text without the word), as predict_proba sees it.
    column = classes.index(explanation.target)
    without_the = score_fn(["parcel was late and the box was crushed"])[0, column]
    assert explanation.scores[0] == pytest.approx(explanation.proba[column] - without_the, abs=1e-5)
