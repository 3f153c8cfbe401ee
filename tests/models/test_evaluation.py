"""Tests for models.evaluation, against numbers computed by hand."""

import math

import numpy as np
import pytest

from models.evaluation import (
    evaluate,
    expected_calibration_error,
    vader_applies,
    vader_baseline,
)

Y_TRUE = ["a", "a", "a", "b", "b", "c"]
Y_PRED = ["a", "a", "b", "b", "c", "c"]
# Probability given to the predicted label: 0.95, 0.95, 0.75, 0.65, 0.55, 0.85.
PROBA = np.array(
    [
        [0.95, 0.03, 0.02],
        [0.95, 0.02, 0.03],
        [0.15, 0.75, 0.10],
        [0.20, 0.65, 0.15],
        [0.25, 0.20, 0.55],
        [0.05, 0.10, 0.85],
    ]
)


def test_report_matches_hand_computed_metrics():
    report = evaluate(Y_TRUE, Y_PRED, PROBA, ["a", "b", "c"])
    assert report.n == 6
    assert report.accuracy == pytest.approx(4 / 6)
    # a: P 2/2, R 2/3, F1 0.8 | b: P 1/2, R 1/2, F1 0.5 | c: P 1/2, R 1/1, F1 2/3
    per = report.per_class.set_index("label")
    assert per.loc["a", ["precision", "recall", "f1"]].tolist() == pytest.approx([1.0, 2 / 3, 0.8])
    assert per.loc["b", ["precision", "recall", "f1"]].tolist() == pytest.approx([0.5, 0.5, 0.5])
    assert per.loc["c", ["precision", "recall", "f1"]].tolist() == pytest.approx([0.5, 1.0, 2 / 3])
    assert per["support"].tolist() == [3, 2, 1]
    assert report.macro_f1 == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    assert report.weighted_f1 == pytest.approx((3 * 0.8 + 2 * 0.5 + 1 * 2 / 3) / 6)
    assert report.confusion.to_numpy().tolist() == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert report.confusion.index.name == "true" and report.confusion.columns.name == "predicted"
    # Bins (0.9,1]: acc 1 vs 0.95 (2 rows); (0.7,0.8]: 0 vs 0.75; (0.6,0.7]: 1 vs 0.65;
    # (0.5,0.6]: 0 vs 0.55; (0.8,0.9]: 1 vs 0.85  ->  (2*0.05 + 0.75 + 0.35 + 0.55 + 0.15) / 6
    assert report.ece == pytest.approx(1.9 / 6)


def test_report_is_json_ready():
    summary = evaluate(Y_TRUE, Y_PRED, PROBA, ["a", "b", "c"]).to_dict()
    assert summary["confusion"]["labels"] == ["a", "b", "c"]
    assert summary["per_class"][0]["label"] == "a"
    assert evaluate(Y_TRUE, Y_PRED).to_dict()["ece"] is None
    assert math.isnan(evaluate(Y_TRUE, Y_PRED).ece)


def test_ece_edges():
    assert expected_calibration_error([True, False], [0.95, 0.95]) == pytest.approx(0.45)
    assert expected_calibration_error([True, True], [1.0, 1.0]) == 0.0
    assert expected_calibration_error([True], [0.0]) == pytest.approx(1.0)  # 0 falls in the first bin
    assert math.isnan(expected_calibration_error([], []))


def test_evaluate_rejects_inconsistent_input():
    with pytest.raises(ValueError, match="y_true has 2 rows but y_pred has 1"):
        evaluate(["a", "b"], ["a"])
    with pytest.raises(ValueError, match=r"Labels \['z'\] are not among"):
        evaluate(["a", "z"], ["a", "a"], labels=["a", "b"])
    with pytest.raises(ValueError, match=r"proba has shape \(2, 2\); expected \(2, 3\)"):
        evaluate(["a", "b"], ["a", "b"], np.full((2, 2), 0.5), ["a", "b", "c"])
    with pytest.raises(ValueError, match="Nothing to evaluate"):
        evaluate([], [])


def test_vader_baseline_maps_onto_the_task_spelling():
    texts = ["I love this, wonderful!", "This is awful and I hate it.", "The box is blue."]
    three = vader_baseline(texts, ["Negative", "Neutral", "Positive"])
    assert three.labels.tolist() == ["Positive", "Negative", "Neutral"]
    two = vader_baseline(texts, ["neg", "pos"])
    assert two.labels.tolist() == ["pos", "neg", "pos"]  # compound 0 counts as positive
    assert two.proba is None


def test_vader_does_not_apply_to_other_label_sets():
    assert vader_applies(["negative", "neutral", "positive"])
    assert not vader_applies(["delivery", "price"])
    assert not vader_applies(["positive", "neutral"])
    with pytest.raises(ValueError, match="only applies to sentiment labels"):
        vader_baseline(["x"], ["delivery", "price"])
