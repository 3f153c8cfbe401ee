"""Tests for models.embeddings with the real packaged MiniLM."""

import numpy as np
import pytest

from models.embeddings import embed

pytestmark = pytest.mark.real_model


def test_embeddings_are_unit_vectors_of_size_384(encoder, cpu):
    texts = ["my parcel arrived late", "the delivery was delayed by a week", "I love this blue jumper", ""]
    vectors = embed(texts, device=cpu, encoder=encoder, batch_size=2)
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, atol=1e-5)
    assert not vectors[3].any()  # empty text: zero vector
    similarity = vectors[:3] @ vectors[:3].T
    assert similarity[0, 1] > similarity[0, 2] + 0.2


def test_embeddings_do_not_depend_on_batching(encoder, cpu):
    texts = ["short", "a somewhat longer sentence about refunds", "x " * 300]
    together = embed(texts, device=cpu, encoder=encoder, batch_size=8)
    alone = np.vstack([embed([t], device=cpu, encoder=encoder, batch_size=1) for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)
