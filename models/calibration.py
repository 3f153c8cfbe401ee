"""Temperature scaling: one scalar that calibrates a classifier's softmax on held-out logits.

The temperature is bounded, and not fitted at all for a near-uniform model: a tiny temperature
would stretch near-flat scores until a model that learned nothing looks confident.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from models.evaluation import expected_calibration_error
from models.inference import softmax

__all__ = ["BOUNDS", "NEAR_UNIFORM", "Calibration", "calibrate", "fit_temperature", "mean_normalised_entropy"]

# A well-trained classifier needs at most a 2x sharpening or a 5x softening; outside that range the
# fit is describing a broken model, not a miscalibrated one.
BOUNDS = (0.5, 5.0)
# Mean entropy of the validation softmax, as a share of the uniform distribution's, above which the
# model is treated as near-uniform and left uncalibrated.
NEAR_UNIFORM = 0.9


@dataclass(frozen=True)
class Calibration:
    """The temperature to apply, and why it is 1.0 when it was not fitted (``note``)."""

    temperature: float
    fitted: bool
    note: str = ""
    clipped: bool = False


def mean_normalised_entropy(logits: np.ndarray) -> float:
    """Mean entropy of ``softmax(logits)`` divided by ``log(classes)``: 0 sure of every row, 1 uniform.

    >>> round(mean_normalised_entropy(np.zeros((4, 3))), 3), mean_normalised_entropy(np.array([[50.0, 0.0]])) < 0.01
    (1.0, True)
    """
    values = np.asarray(logits, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] == 0 or values.shape[1] < 2:
        return 0.0
    shifted = values - values.max(axis=1, keepdims=True)
    proba = np.exp(shifted)
    proba /= proba.sum(axis=1, keepdims=True)
    entropy = -(proba * np.log(np.clip(proba, 1e-12, None))).sum(axis=1)
    return float(entropy.mean() / math.log(values.shape[1]))


def _ece(logits: np.ndarray, targets: np.ndarray, temperature: float) -> float:
    proba = softmax(logits, temperature)
    return expected_calibration_error(proba.argmax(axis=1) == targets, proba.max(axis=1))


def _fit(logits_t: torch.Tensor, targets_t: torch.Tensor, max_iter: int) -> float:
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([log_t], lr=0.5, max_iter=max_iter, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(logits_t / log_t.exp(), targets_t)
        loss.backward()
        return loss

    with torch.enable_grad():
        optimizer.step(closure)
    return float(log_t.detach().exp())


def calibrate(logits: np.ndarray, targets: Sequence[int], *, max_iter: int = 100) -> Calibration:
    """The temperature ``T`` minimising the negative log-likelihood of ``softmax(logits / T)``, within :data:`BOUNDS`.

    Fitted with L-BFGS on ``log T`` (so ``T`` stays positive). Left at 1.0, with a note, when there is
    nothing to fit, when every row is already right (the likelihood then grows as ``T`` shrinks to 0),
    when the model is near-uniform (mean normalised entropy ≥ :data:`NEAR_UNIFORM`), when the fit
    does not give a finite value, or when the fitted temperature would raise the validation ECE.

    Examples
    --------
    >>> over = np.array([[8.0, 0.0], [0.0, 8.0], [8.0, 0.0], [0.0, 8.0]])
    >>> calibrate(over, [0, 1, 1, 0]).temperature > 1  # confident and half wrong: soften
    True
    >>> calibrate(np.array([[0.1, 0.0], [0.0, 0.1], [0.1, 0.0]]), [0, 1, 1]).note[:31]
    'Not calibrated: the model is ne'
    """
    logits_t = torch.as_tensor(np.asarray(logits, dtype=np.float64))
    targets_t = torch.as_tensor(np.asarray(targets, dtype=np.int64))
    if logits_t.ndim != 2 or logits_t.shape[0] == 0 or logits_t.shape[0] != targets_t.shape[0]:
        return Calibration(1.0, False, "Not calibrated: no validation rows to fit on.")
    entropy = mean_normalised_entropy(logits_t.numpy())
    if entropy >= NEAR_UNIFORM:
        return Calibration(1.0, False, f"Not calibrated: the model is near-uniform on the validation rows (mean "
                                       f"entropy {entropy:.0%} of uniform), so sharpening its scores would only "
                                       "make guesses look confident.")
    if bool((logits_t.argmax(dim=1) == targets_t).all()):
        return Calibration(1.0, False, "Not calibrated: every validation row is already right.")
    temperature = _fit(logits_t, targets_t, max_iter)
    if not math.isfinite(temperature):
        return Calibration(1.0, False, "Not calibrated: the fit did not converge.")
    bounded = min(max(temperature, BOUNDS[0]), BOUNDS[1])
    before, after = _ece(logits_t.numpy(), targets_t.numpy(), 1.0), _ece(logits_t.numpy(), targets_t.numpy(), bounded)
    if after > before:  # the likelihood's optimum can still spread the confidences worse
        return Calibration(1.0, False, f"Not calibrated: the fitted temperature {bounded:.2f} would raise the "
                                       f"validation ECE ({before:.3f} → {after:.3f}).")
    note = (f"Temperature clipped to {bounded:g} (the fit asked for {temperature:.3g}, outside "
            f"{BOUNDS[0]:g}–{BOUNDS[1]:g})." if bounded != temperature else "")
    return Calibration(float(bounded), True, note, clipped=bounded != temperature)


def fit_temperature(logits: np.ndarray, targets: Sequence[int], *, max_iter: int = 100) -> float:
    """Just the temperature of :func:`calibrate`.

    >>> fit_temperature(np.array([[8.0, 0.0], [0.0, 8.0], [8.0, 0.0], [0.0, 8.0]]), [0, 1, 1, 0]) > 1
    True
    """
    return calibrate(logits, targets, max_iter=max_iter).temperature
