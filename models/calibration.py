"""Temperature scaling: one scalar that calibrates a classifier's softmax on held-out logits."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

__all__ = ["fit_temperature"]

_BOUNDS = (0.05, 20.0)


def fit_temperature(logits: np.ndarray, targets: Sequence[int], *, max_iter: int = 100) -> float:
    """Temperature ``T`` minimising the negative log-likelihood of ``softmax(logits / T)``.

    Fitted with L-BFGS on ``log T`` (so ``T`` stays positive), clipped to [0.05, 20].
    Returns 1.0 when there is nothing to fit, when every row is already classified
    correctly (the likelihood then keeps growing as ``T`` shrinks to 0, which would only
    make the model overconfident), or when the fit does not give a finite value.

    Examples
    --------
    >>> over = np.array([[8.0, 0.0], [0.0, 8.0], [8.0, 0.0], [0.0, 8.0]])
    >>> fit_temperature(over, [0, 1, 1, 0]) > 1  # confident and half wrong: soften
    True
    """
    logits_t = torch.as_tensor(np.asarray(logits, dtype=np.float64))
    targets_t = torch.as_tensor(np.asarray(targets, dtype=np.int64))
    if logits_t.ndim != 2 or logits_t.shape[0] == 0 or logits_t.shape[0] != targets_t.shape[0]:
        return 1.0
    if bool((logits_t.argmax(dim=1) == targets_t).all()):
        return 1.0
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([log_t], lr=0.5, max_iter=max_iter, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(logits_t / log_t.exp(), targets_t)
        loss.backward()
        return loss

    with torch.enable_grad():
        optimizer.step(closure)
    temperature = float(log_t.detach().exp())
    if not math.isfinite(temperature):
        return 1.0
    return float(min(max(temperature, _BOUNDS[0]), _BOUNDS[1]))
