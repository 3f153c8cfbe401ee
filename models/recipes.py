"""Training recipes: the fine-tuning settings, and the defaults that fit the machine (GPU or CPU).

Imports only the standard library, so settings are checked before torch loads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["KIND_NAMES", "KIND_SHORT", "KINDS", "RECIPES", "FineTuneConfig", "default_config", "kinds_for", "planned_epochs",
           "planned_steps"]

# The model kinds a training run fits on the same split, cheapest first (a tie goes to the earlier one).
KINDS = ("tfidf_logreg", "embedding_logreg", "transformer")
KIND_NAMES = {
    "tfidf_logreg": "TF-IDF + logistic regression",
    "embedding_logreg": "MiniLM embeddings + logistic regression",
    "transformer": "Fine-tuned MiniLM transformer",
}
KIND_SHORT = {"tfidf_logreg": "TF-IDF", "embedding_logreg": "embeddings", "transformer": "fine-tuned"}
# "full" fits all three; "quick" only the two linear models (minutes on a CPU); "auto" is full on a GPU
# and quick on a CPU, where the transformer is an optional second job.
RECIPES = ("auto", "full", "quick")


@dataclass(frozen=True)
class FineTuneConfig:
    """Hyper-parameters of :func:`fine_tune` (defaults suit all-MiniLM-L6-v2 on short reviews).

    Attributes
    ----------
    epochs : int
        Passes over the training split (early stopping may end sooner).
    learning_rate : float
        Peak AdamW learning rate, reached after warm-up, then linearly decayed to 0.
    batch_size : int
        Training rows per step.
    max_length : int
        Tokens per training text (longer texts are truncated for training; inference chunks them).
    warmup_ratio : float
        Share of all steps spent warming the learning rate up from 0.
    weight_decay : float
        AdamW decoupled weight decay (not applied to biases and LayerNorm weights).
    class_weights : bool
        Weight the cross-entropy by inverse class frequency in the training split.
    early_stopping_patience : int
        Stop after this many evaluations without a better validation macro-F1.
    eval_every : int or None
        Evaluate every this many steps; ``None`` evaluates at the end of each epoch.
    seed : int
        Seeds the split, the batch order, dropout and the new head.
    grad_clip : float
        Maximum global gradient norm (0 disables clipping).
    validation_fraction, test_fraction : float
        Shares of each label held out for early stopping / calibration and for the final report.
    min_examples_per_label : int
        Labels with fewer rows are rejected (every split needs each label).
    max_labels : int
        More distinct labels than this means the column is not a label.
    calibrate : bool
        Fit a softmax temperature on the validation split.
    head_learning_rate : float or None
        Peak learning rate of the new classification head (``None``: the same as the body). The head
        starts from random weights, so it needs a much larger step than the pre-trained body.
    min_steps : int
        Run more epochs, up to ``max_epochs``, until at least this many steps are planned: a many-class
        task on few rows needs more updates than its epochs give.
    max_epochs : int
        Upper bound on the epochs ``min_steps`` may plan (never fewer than ``epochs``).
    max_steps : int or None
        Stop after this many steps even mid-epoch (the learning-rate schedule is planned for it): on a
        CPU it keeps a large dataset's fine-tune within minutes.
    eval_batch_size : int or None
        Rows per evaluation batch (default: the device's inference batch size).
    """

    epochs: int = 3
    learning_rate: float = 5e-5
    batch_size: int = 32
    max_length: int = 128
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    class_weights: bool = True
    early_stopping_patience: int = 2
    eval_every: int | None = None
    seed: int = 0
    grad_clip: float = 1.0
    validation_fraction: float = 0.1
    test_fraction: float = 0.1
    min_examples_per_label: int = 5
    max_labels: int = 200
    calibrate: bool = True
    eval_batch_size: int | None = None
    head_learning_rate: float | None = None
    min_steps: int = 0
    max_epochs: int = 10
    max_steps: int | None = None

    def __post_init__(self) -> None:
        checks = [
            (self.epochs >= 1, f"epochs={self.epochs} should be >= 1"),
            (self.learning_rate > 0, f"learning_rate={self.learning_rate} should be > 0"),
            (self.batch_size >= 1, f"batch_size={self.batch_size} should be >= 1"),
            (8 <= self.max_length <= 512, f"max_length={self.max_length} should be between 8 and 512"),
            (0 <= self.warmup_ratio < 1, f"warmup_ratio={self.warmup_ratio} should be in [0, 1)"),
            (self.weight_decay >= 0, f"weight_decay={self.weight_decay} should be >= 0"),
            (self.early_stopping_patience >= 1, f"early_stopping_patience={self.early_stopping_patience} should be >= 1"),
            (self.eval_every is None or self.eval_every >= 1, f"eval_every={self.eval_every} should be >= 1 or None"),
            (self.grad_clip >= 0, f"grad_clip={self.grad_clip} should be >= 0"),
            (0 < self.validation_fraction < 1, f"validation_fraction={self.validation_fraction} should be in (0, 1)"),
            (0 < self.test_fraction < 1, f"test_fraction={self.test_fraction} should be in (0, 1)"),
            (
                self.validation_fraction + self.test_fraction <= 0.5,
                f"validation_fraction + test_fraction = {self.validation_fraction + self.test_fraction:g} "
                "should be <= 0.5 so that most rows are left for training",
            ),
            (self.min_examples_per_label >= 3, f"min_examples_per_label={self.min_examples_per_label} should be >= 3"),
            (self.head_learning_rate is None or self.head_learning_rate > 0,
             f"head_learning_rate={self.head_learning_rate} should be > 0"),
            (self.min_steps >= 0, f"min_steps={self.min_steps} should be >= 0"),
            (self.max_epochs >= 1, f"max_epochs={self.max_epochs} should be >= 1"),
            (self.max_steps is None or self.max_steps >= 1, f"max_steps={self.max_steps} should be >= 1 or None"),
            (self.max_labels >= 2, f"max_labels={self.max_labels} should be >= 2"),
        ]
        problems = [message for ok, message in checks if not ok]
        if problems:
            raise ValueError("Invalid fine-tuning settings: " + "; ".join(problems) + ".")


def kinds_for(recipe: str, *, cuda: bool) -> tuple[str, ...]:
    """The model kinds a recipe fits.

    >>> kinds_for("auto", cuda=False), kinds_for("auto", cuda=True)[-1]
    (('tfidf_logreg', 'embedding_logreg'), 'transformer')
    """
    if recipe not in RECIPES:
        raise ValueError(f"recipe={recipe!r} should be one of {', '.join(RECIPES)}.")
    if recipe == "full" or (recipe == "auto" and cuda):
        return KINDS
    return KINDS[:2]


def default_config(*, cuda: bool) -> FineTuneConfig:
    """The fine-tuning settings the app and the CLI use unless told otherwise, sized for the device.

    Both start the new head at a 30-40x larger learning rate than the body, stop early on validation
    macro-F1 and plan enough steps for many-class tasks. The CPU recipe trains on 64-token windows for
    at most 800 steps: about 0.56 s a step on two cores for tweets, so 7-8 minutes at most for short texts.
    """
    if cuda:
        return FineTuneConfig(epochs=4, learning_rate=5e-5, head_learning_rate=2e-3, batch_size=32, max_length=128,
                              warmup_ratio=0.06, early_stopping_patience=3, min_steps=600, max_epochs=10)
    return FineTuneConfig(epochs=2, learning_rate=1e-4, head_learning_rate=3e-3, batch_size=32, max_length=64,
                          warmup_ratio=0.06, early_stopping_patience=2, min_steps=300, max_epochs=6, max_steps=800)


def planned_epochs(config: FineTuneConfig, n_train: int) -> int:
    """``config.epochs``, raised (up to ``max_epochs``) until at least ``min_steps`` steps are planned.

    >>> planned_epochs(FineTuneConfig(epochs=2, min_steps=100, max_epochs=6, batch_size=32), 640)
    5
    """
    per_epoch = max(1, math.ceil(n_train / config.batch_size))
    return max(config.epochs, min(config.max_epochs, math.ceil(config.min_steps / per_epoch)))


def planned_steps(config: FineTuneConfig, n_train: int) -> int:
    """Optimizer steps a fine-tune on ``n_train`` rows plans: its epochs' steps, capped by ``max_steps``.

    >>> planned_steps(FineTuneConfig(epochs=2, batch_size=32, max_steps=500), 11_712), planned_steps(
    ...     FineTuneConfig(epochs=2, batch_size=32), 640)
    (500, 40)
    """
    steps = max(1, math.ceil(n_train / config.batch_size)) * planned_epochs(config, n_train)
    return steps if config.max_steps is None else min(steps, config.max_steps)
