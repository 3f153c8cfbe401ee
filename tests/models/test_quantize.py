"""Tests for models.quantize (dynamic int8 for CPU)."""

import numpy as np
import torch

from models.inference import predict, predict_proba
from models.quantize import is_quantized, quantize_int8, serialized_size_bytes

TEXTS = [
    "the delivery was great", "awful staff, I hate it", "I love the app",
    "terrible packaging", "what a wonderful hotel room", "bad checkout, just bad",
]


def test_int8_keeps_predictions_close_and_leaves_the_original_alone(trained, cpu):
    result, _ = trained
    model = result.model
    original = {k: v.clone() for k, v in model.state_dict().items()}
    quantized = quantize_int8(model)
    assert is_quantized(quantized) and not is_quantized(model)
    assert isinstance(model.classifier, torch.nn.Linear)  # untouched
    assert all(torch.equal(original[k], v) for k, v in model.state_dict().items())

    full = predict_proba(model, result.tokenizer, TEXTS, device=cpu)
    small = predict_proba(quantized, result.tokenizer, TEXTS, device=cpu)
    assert np.abs(full - small).max() < 0.05
    assert (full.argmax(1) == small.argmax(1)).all()
    assert predict(quantized, result.tokenizer, TEXTS, device=cpu).classes == ("negative", "positive")
    assert quantize_int8(quantized) is quantized


def test_int8_shrinks_the_linear_layers(trained):
    result, _ = trained
    quantized = quantize_int8(result.model)
    linear = sum(m.weight.numel() for m in result.model.modules() if isinstance(m, torch.nn.Linear))
    saved = serialized_size_bytes(result.model) - serialized_size_bytes(quantized)
    assert saved > 2 * linear  # about 3 of every 4 bytes of Linear weights
