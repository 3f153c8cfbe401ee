"""Choose the torch device, autocast dtype and default batch sizes in one place."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

import torch

__all__ = ["DeviceInfo", "autocast", "choose_device", "padded_width"]

_PREFERENCES = ("auto", "cuda", "cpu")


@dataclass(frozen=True)
class DeviceInfo:
    """Where models run and how.

    Attributes
    ----------
    torch_device : torch.device
        Device tensors and models are moved to.
    kind : str
        ``"cuda"`` or ``"cpu"``.
    name : str
        Human-readable name, e.g. ``"NVIDIA H100 80GB HBM3"`` or ``"CPU (2 threads)"``.
    autocast_dtype : torch.dtype or None
        ``torch.bfloat16`` on CUDA devices that support it, else ``None`` (full precision).
    default_batch_size : int
        Rows per inference batch when the caller does not choose.
    default_max_length : int
        Tokens per sequence (chunk) when the caller does not choose.
    pad_to_multiple : int
        Batches are padded to a multiple of this many tokens: 8 on CUDA, where it bounds the
        number of distinct shapes (each new one costs an attention-kernel plan) and suits the
        tensor cores; 1 on CPU, where padding is pure extra work.
    """

    torch_device: torch.device
    kind: str
    name: str
    autocast_dtype: torch.dtype | None
    default_batch_size: int
    default_max_length: int
    pad_to_multiple: int = 1

    @property
    def is_cuda(self) -> bool:
        return self.kind == "cuda"


def choose_device(prefer: str | None = None) -> DeviceInfo:
    """Pick CUDA when available, else CPU.

    Parameters
    ----------
    prefer : {"auto", "cuda", "cpu"} or None
        ``None`` reads the ``GAPSIGHT_DEVICE`` environment variable and falls back to
        ``"auto"``. ``"cuda"`` raises when no CUDA device is visible.

    Examples
    --------
    >>> choose_device("cpu").kind
    'cpu'
    """
    choice = (prefer or os.environ.get("GAPSIGHT_DEVICE") or "auto").strip().lower()
    if choice not in _PREFERENCES:
        raise ValueError(f"Unknown device preference {choice!r}; use one of {', '.join(_PREFERENCES)}.")
    cuda_ok = torch.cuda.is_available()
    if choice == "cuda" and not cuda_ok:
        raise ValueError("A CUDA device was requested but none is visible to torch; use 'cpu' or 'auto'.")
    if choice != "cpu" and cuda_ok:
        index = torch.cuda.current_device()
        bf16 = torch.cuda.is_bf16_supported()
        return DeviceInfo(
            torch_device=torch.device("cuda", index),
            kind="cuda",
            name=torch.cuda.get_device_name(index),
            autocast_dtype=torch.bfloat16 if bf16 else None,
            default_batch_size=256,
            default_max_length=128,
            pad_to_multiple=8,
        )
    threads = torch.get_num_threads()
    return DeviceInfo(
        torch_device=torch.device("cpu"),
        kind="cpu",
        name=f"CPU ({threads} thread{'' if threads == 1 else 's'})",
        autocast_dtype=None,
        default_batch_size=32,
        default_max_length=128,
    )


def padded_width(longest: int, device: DeviceInfo) -> int:
    """Width of a batch whose longest row has ``longest`` tokens, rounded up for ``device``."""
    multiple = device.pad_to_multiple
    return -(-longest // multiple) * multiple


def autocast(device: DeviceInfo) -> contextlib.AbstractContextManager:
    """Mixed-precision context for ``device``: bf16 autocast on CUDA, a no-op elsewhere."""
    if device.autocast_dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.kind, dtype=device.autocast_dtype)
