"""Shared fixtures for the model tests: a tiny BERT, a toy sentiment task, the real MiniLM."""

from __future__ import annotations

import os
import random

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pytest  # noqa: E402
import torch  # noqa: E402

from models.base import build_tiny_classifier, load_tokenizer  # noqa: E402
from models.device import choose_device  # noqa: E402
from models.training import FineTuneConfig, fine_tune  # noqa: E402

POSITIVE_WORDS = ("good", "great", "love", "excellent", "wonderful", "fantastic")
NEGATIVE_WORDS = ("bad", "awful", "hate", "terrible", "horrible", "dreadful")
SUBJECTS = (
    "the delivery", "this phone", "the staff", "my order", "the app",
    "the hotel room", "customer service", "the checkout", "the packaging",
)
TEMPLATES = (
    "{s} was {w}",
    "honestly {s} is {w} and I told my friends",
    "{w}, just {w}. {s}",
    "I think {s} felt {w} today",
    "what a {w} experience with {s}",
    "after two weeks {s} still seems {w} to me",
)

# Fast settings that make the tiny randomly initialised BERT learn the toy task.
TINY_CONFIG = FineTuneConfig(
    epochs=6,
    learning_rate=5e-3,
    batch_size=16,
    max_length=32,
    warmup_ratio=0.1,
    validation_fraction=0.15,
    test_fraction=0.2,
    early_stopping_patience=2,
    seed=0,
)


def make_toy_sentiment(n: int = 200, *, seed: int = 0) -> tuple[list[str], list[str]]:
    """Balanced positive/negative sentences whose label is given away by one sentiment word."""
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        label = "positive" if i % 2 == 0 else "negative"
        word = rng.choice(POSITIVE_WORDS if label == "positive" else NEGATIVE_WORDS)
        texts.append(rng.choice(TEMPLATES).format(s=rng.choice(SUBJECTS), w=word))
        labels.append(label)
    return texts, labels


def tiny_factory(labels):
    return build_tiny_classifier(labels, seed=0)


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread():
    # One intra-op thread: these models are tiny (or the inputs a handful of sentences), so a
    # second thread gains nothing, and on a busy machine OpenMP's thread hand-offs made the
    # suite five times slower with two. Session-scoped so that the shared trained model is
    # built under it too; the previous setting is restored for other suites.
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


@pytest.fixture(scope="session")
def cpu():
    return choose_device("cpu")


@pytest.fixture(scope="session")
def tokenizer():
    return load_tokenizer()


@pytest.fixture()
def tiny_model():
    """An untrained 3-label tiny BERT whose outputs clearly differ from text to text.

    BERT's default initialisation (std 0.02) makes an untrained model answer almost the same
    for every input, which would hide ordering bugs; wider weights make every row distinct.
    """
    model = build_tiny_classifier(["negative", "neutral", "positive"], seed=0)
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for param in model.parameters():
            param.copy_(torch.randn(param.shape, generator=generator) * 0.3)
    return model


@pytest.fixture(scope="session")
def toy_data():
    return make_toy_sentiment(200, seed=0)


@pytest.fixture(scope="session")
def trained(toy_data, tokenizer, cpu):
    """The tiny BERT fine-tuned on the toy task (shared: training takes a couple of seconds)."""
    torch.manual_seed(0)
    texts, labels = toy_data
    events = []
    result = fine_tune(
        texts, labels, config=TINY_CONFIG, device=cpu, model_factory=tiny_factory,
        tokenizer=tokenizer, progress=events.append,
    )
    return result, events


@pytest.fixture(scope="session")
def encoder():
    from models.embeddings import load_encoder

    return load_encoder()


@pytest.fixture(scope="session")
def tiny_config():
    return TINY_CONFIG


@pytest.fixture(scope="session")
def toy_maker():
    return make_toy_sentiment


@pytest.fixture(scope="session")
def tiny_model_factory():
    return tiny_factory
