"""Tests for models.calibration (temperature scaling)."""

import numpy as np
import pytest

from models.calibration import fit_temperature


def test_recovers_the_temperature_that_generated_the_labels():
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3.0, size=(4000, 3))
    scaled = logits / 2.0
    proba = np.exp(scaled - scaled.max(1, keepdims=True))
    proba /= proba.sum(1, keepdims=True)
    targets = np.array([rng.choice(3, p=p) for p in proba])
    assert fit_temperature(logits, targets) == pytest.approx(2.0, rel=0.1)


def test_underconfident_logits_get_sharpened():
    logits = np.array([[0.2, 0.0]] * 9 + [[0.0, 0.2]] * 9 + [[0.2, 0.0]])
    targets = np.array([0] * 9 + [1] * 9 + [1])
    assert fit_temperature(logits, targets) < 1.0


def test_degenerate_inputs_keep_temperature_one():
    assert fit_temperature(np.zeros((0, 2)), []) == 1.0
    perfect = np.array([[3.0, 0.0], [0.0, 3.0]])
    assert fit_temperature(perfect, [0, 1]) == 1.0  # nothing to calibrate against
