"""Tests for models.device."""

import contextlib
import dataclasses
import re

import pytest
import torch

from models.device import autocast, choose_device


def test_cpu_device_has_sane_defaults():
    info = choose_device("cpu")
    assert info.kind == "cpu"
    assert info.torch_device == torch.device("cpu")
    assert re.fullmatch(r"CPU \(\d+ threads?\)", info.name)
    assert info.autocast_dtype is None
    assert info.default_batch_size >= 1 and info.default_max_length >= 16
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.kind = "cuda"


def test_environment_variable_is_read_when_no_preference(monkeypatch):
    monkeypatch.setenv("GAPSIGHT_DEVICE", "cpu")
    assert choose_device().kind == "cpu"


def test_unknown_preference_is_rejected():
    with pytest.raises(ValueError, match="Unknown device preference 'tpu'"):
        choose_device("tpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA device is present")
def test_cuda_request_without_cuda_is_an_actionable_error():
    with pytest.raises(ValueError, match="no.*CUDA|CUDA.*none"):
        choose_device("cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_device_uses_bf16_autocast():
    info = choose_device("cuda")
    assert info.kind == "cuda" and info.autocast_dtype == torch.bfloat16
    with autocast(info):
        out = torch.ones(2, 2, device=info.torch_device) @ torch.ones(2, 2, device=info.torch_device)
    assert out.dtype == torch.bfloat16


def test_autocast_is_a_no_op_on_cpu():
    assert isinstance(autocast(choose_device("cpu")), contextlib.nullcontext)
