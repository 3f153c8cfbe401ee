"""Tests for models.calibration (temperature scaling)."""

import numpy as np
import pytest

from models.calibration import BOUNDS, calibrate, fit_temperature


def test_recovers_the_temperature_that_generated_the_labels():
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3.0, size=(4000, 3))
    scaled = logits / 2.0
    proba = np.exp(scaled - scaled.max(1, keepdims=True))
    proba /= proba.sum(1, keepdims=True)
    targets = np.array([rng.choice(3, p=p) for p in proba])
    assert fit_temperature(logits, targets) == pytest.approx(2.0, rel=0.1)


def test_underconfident_logits_get_sharpened():
    logits = np.array([[1.5, 0.0]] * 19 + [[0.0, 1.5]] * 19 + [[1.5, 0.0]])
    targets = np.array([0] * 19 + [1] * 19 + [1])
    fit = calibrate(logits, targets)
    assert fit.fitted and BOUNDS[0] <= fit.temperature < 1.0


def test_near_uniform_model_is_not_sharpened():
    """The issue's failure: near-flat scores stretched by T = 0.05 to look confident."""
    logits = np.array([[0.2, 0.0]] * 9 + [[0.0, 0.2]] * 9 + [[0.2, 0.0]])
    targets = np.array([0] * 9 + [1] * 9 + [1])
    fit = calibrate(logits, targets)
    assert fit.temperature == 1.0 and not fit.fitted
    assert "near-uniform" in fit.note


def test_temperature_is_bounded_both_ways():
    rng = np.random.default_rng(1)
    logits = rng.normal(scale=1.0, size=(2000, 3))
    targets = logits.argmax(1)
    targets[:20] = (targets[:20] + 1) % 3  # almost always right: the fit wants a tiny temperature
    sharp = calibrate(logits * 3, targets)
    assert sharp.temperature == BOUNDS[0] and sharp.clipped and "clipped" in sharp.note
    random_targets = rng.integers(0, 3, size=2000)  # confident and random: the fit wants a huge one
    soft = calibrate(logits * 8, random_targets)
    assert soft.temperature == BOUNDS[1] and soft.clipped


def test_degenerate_inputs_keep_temperature_one():
    assert fit_temperature(np.zeros((0, 2)), []) == 1.0
    perfect = np.array([[3.0, 0.0], [0.0, 3.0]])
    assert fit_temperature(perfect, [0, 1]) == 1.0  # nothing to calibrate against


def test_a_temperature_that_would_worsen_the_validation_ece_is_refused():
    # 95 rows right at p = 0.95 (already calibrated) and 5 rows confidently wrong: the likelihood asks for
    # T ≈ 6 to soften the 5, which would make the 95 look like coin flips.
    logits = np.array([[3.0, 0.0]] * 95 + [[20.0, 0.0]] * 5)
    targets = np.array([0] * 95 + [1] * 5)
    fit = calibrate(logits, targets)
    assert not fit.fitted and fit.temperature == 1.0
    assert "would raise the validation ECE" in fit.note
