"""Dynamic int8 quantisation of Linear layers: the CPU-friendly variant of a fine-tuned model."""

from __future__ import annotations

import copy
import io
import warnings

import torch

__all__ = ["is_quantized", "quantize_int8", "serialized_size_bytes"]


def is_quantized(model: torch.nn.Module) -> bool:
    """Whether ``model`` contains dynamically quantised modules."""
    return any(type(m).__module__.startswith("torch.ao.nn.quantized") for m in model.modules())


def quantize_int8(model: torch.nn.Module) -> torch.nn.Module:
    """A CPU copy of ``model`` whose ``nn.Linear`` layers run in int8 (weights) / fp32 (activations).

    The input model is left untouched. Embeddings and LayerNorms stay in float32, which keeps
    accuracy close to the original while roughly halving the size and speeding up CPU scoring.
    Run the result with a CPU :class:`~models.device.DeviceInfo`.
    """
    if is_quantized(model):
        return model
    float_model = copy.deepcopy(model).to("cpu").float().eval()
    with warnings.catch_warnings():
        # torch.ao.quantization is deprecated in favour of torchao, which is not installed;
        # the eager dynamic path still works and is what we want for a CPU variant.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        from torch.ao.quantization import quantize_dynamic

        quantized = quantize_dynamic(float_model, {torch.nn.Linear}, dtype=torch.qint8)
    quantized.eval()
    return quantized


def serialized_size_bytes(model: torch.nn.Module) -> int:
    """Bytes of ``model``'s state dict when saved with ``torch.save`` (works for int8 models too)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.save(model.state_dict(), buffer)
    return buffer.getbuffer().nbytes
