"""Tests for models.inference: order, chunking, empty rows, OOM back-off, probabilities."""

import threading

import numpy as np
import pytest
import torch

from models.inference import classifier_logits, predict, predict_proba
from models.windows import chunk_texts

TEXTS = [
    "ok",
    "the parcel arrived two weeks late and the box was crushed on one side",
    "great",
    "I waited on hold for forty minutes before anyone picked up the phone, then they hung up",
    "fine I guess",
    "the price went up again this month",
    "love it",
    "would not recommend the hotel, the room smelled of smoke and the staff did not care",
    "meh",
    "refund please",
]


def reference_proba(model, tokenizer, text, max_length=128):
    """Plain transformers, one text at a time: the ground truth for order and values."""
    encoded = tokenizer(text, return_tensors="pt", truncation=True, max_length=max_length)
    with torch.no_grad():
        return model(**encoded).logits.softmax(-1)[0].numpy()


def test_rows_stay_in_input_order_under_length_sorting(tiny_model, tokenizer, cpu):
    lengths = [len(tokenizer(t)["input_ids"]) for t in TEXTS]
    assert lengths != sorted(lengths, reverse=True)  # sorting really reorders
    proba = predict_proba(tiny_model, tokenizer, TEXTS, device=cpu, batch_size=3)
    expected = np.stack([reference_proba(tiny_model, tokenizer, t) for t in TEXTS])
    assert proba.shape == (len(TEXTS), 3)
    np.testing.assert_allclose(proba, expected, atol=1e-5)
    # The rows differ from each other, so a permutation would have been caught.
    assert np.abs(expected - expected[0]).max() > 1e-4


def test_chunks_cover_a_long_text_with_overlapping_windows(tokenizer):
    long_text = " ".join(f"word{i}" for i in range(60))
    tokens = tokenizer(long_text, add_special_tokens=False)["input_ids"]
    assert len(tokens) > 16
    chunks = chunk_texts(tokenizer, [long_text, "short one"], max_length=16, overlap=0.25)
    body = 14  # 16 minus [CLS] and [SEP]
    step = body - int(body * 0.25)
    own = [chunks.window(k) for k in range(len(chunks)) if chunks.owner[k] == 0]
    assert len(own) == -(-(len(tokens) - body) // step) + 1
    assert all(len(c) <= 16 and c[0] == tokenizer.cls_token_id and c[-1] == tokenizer.sep_token_id for c in own)
    for first, second in zip(own, own[1:]):
        assert first[1:-1][step:] == second[1:-1][: body - step]  # the overlap
    rebuilt = own[0][1:-1] + [t for c in own[1:] for t in c[1:-1][body - step :]]
    assert rebuilt == tokens
    assert chunks.weight[chunks.owner == 0].sum() == sum(len(c) - 2 for c in own)
    assert chunks.owner.tolist().count(1) == 1


def test_long_text_probabilities_are_the_length_weighted_mean_of_its_chunks(tiny_model, tokenizer, cpu):
    long_text = " ".join(TEXTS * 3)
    proba = predict_proba(tiny_model, tokenizer, [long_text, "great"], device=cpu, max_length=24)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    chunks = chunk_texts(tokenizer, [long_text], max_length=24)
    assert len(chunks) > 3
    per_chunk = []
    for ids in (chunks.window(k) for k in range(len(chunks))):
        with torch.no_grad():
            per_chunk.append(tiny_model(input_ids=torch.tensor([ids])).logits.softmax(-1)[0].numpy())
    expected = np.average(np.stack(per_chunk), axis=0, weights=chunks.weight)
    np.testing.assert_allclose(proba[0], expected, atol=1e-5)
    # Not just the first window (which is what truncation would give).
    assert np.abs(proba[0] - per_chunk[0]).max() > 1e-6


def test_empty_and_missing_texts_get_uniform_rows_and_a_mask(tiny_model, tokenizer, cpu):
    texts = ["", None, float("nan"), "   ", "fine"]
    result = predict(tiny_model, tokenizer, texts, device=cpu)
    np.testing.assert_allclose(result.proba[:4], 1 / 3, atol=1e-7)
    assert result.empty_mask.tolist() == [True, True, True, True, False]
    assert result.labels[:4].tolist() == [None] * 4
    assert result.labels[4] in result.classes
    assert result.classes == ("negative", "neutral", "positive")
    np.testing.assert_allclose(result.confidence, result.proba.max(axis=1))
    frame = result.to_frame()
    assert frame.columns.tolist() == [
        "label", "confidence", "is_empty", "proba_negative", "proba_neutral", "proba_positive",
    ]
    assert frame["label"].isna().sum() == 4
    with pytest.raises(ValueError):
        result.proba[0, 0] = 1.0  # read-only


def test_no_texts_gives_an_empty_matrix(tiny_model, tokenizer, cpu):
    assert predict_proba(tiny_model, tokenizer, [], device=cpu).shape == (0, 3)
    assert len(predict(tiny_model, tokenizer, [], device=cpu)) == 0


def test_out_of_memory_halves_the_batch_and_still_returns_every_row(tiny_model, tokenizer, cpu):
    attempts = []

    def flaky_forward(model, batch):
        rows = batch["input_ids"].shape[0]
        attempts.append(rows)
        if rows > 2:
            raise torch.cuda.OutOfMemoryError("simulated CUDA out of memory")
        return classifier_logits(model, batch)

    proba = predict_proba(tiny_model, tokenizer, TEXTS, device=cpu, batch_size=8, forward=flaky_forward)
    normal = predict_proba(tiny_model, tokenizer, TEXTS, device=cpu, batch_size=8)
    assert proba.shape == (len(TEXTS), 3)
    np.testing.assert_allclose(proba, normal, atol=1e-5)
    assert attempts[:3] == [8, 4, 2]
    assert max(attempts[2:]) == 2  # the smaller size is kept afterwards


def test_out_of_memory_at_batch_size_one_is_raised(tiny_model, tokenizer, cpu):
    def always_oom(model, batch):
        raise torch.cuda.OutOfMemoryError("simulated")

    with pytest.raises(torch.cuda.OutOfMemoryError):
        predict_proba(tiny_model, tokenizer, ["a", "b"], device=cpu, batch_size=4, forward=always_oom)


def test_progress_reports_every_batch_up_to_the_total(tiny_model, tokenizer, cpu):
    calls = []
    predict_proba(tiny_model, tokenizer, TEXTS, device=cpu, batch_size=4, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(4, 10), (8, 10), (10, 10)]


def test_temperature_softens_probabilities(tiny_model, tokenizer, cpu):
    sharp = predict_proba(tiny_model, tokenizer, TEXTS, device=cpu)
    soft = predict_proba(tiny_model, tokenizer, TEXTS, device=cpu, temperature=1000.0)
    np.testing.assert_allclose(soft, 1 / 3, atol=1e-3)
    np.testing.assert_array_equal(sharp.argmax(1), predict_proba(tiny_model, tokenizer, TEXTS, device=cpu, temperature=0.5).argmax(1))
    with pytest.raises(ValueError, match="temperature=0"):
        predict_proba(tiny_model, tokenizer, TEXTS, device=cpu, temperature=0)


def test_bad_max_length_is_rejected(tiny_model, tokenizer, cpu):
    with pytest.raises(ValueError, match="max_length=4"):
        predict_proba(tiny_model, tokenizer, TEXTS, device=cpu, max_length=4)
    with pytest.raises(ValueError, match="max_length=1000"):
        predict_proba(tiny_model, tokenizer, TEXTS, device=cpu, max_length=1000)


def test_concurrent_calls_share_model_and_tokenizer_safely(tiny_model, tokenizer, cpu):
    expected = predict_proba(tiny_model, tokenizer, TEXTS, device=cpu)
    results, errors = [None] * 4, []

    def work(i):
        try:
            results[i] = predict_proba(tiny_model, tokenizer, TEXTS, device=cpu, batch_size=2)
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for r in results:
        np.testing.assert_allclose(r, expected, atol=1e-5)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_bf16_scores_agree_with_cpu(trained, cpu):
    import copy

    from models.device import choose_device

    result, _ = trained
    model = copy.deepcopy(result.model)
    on_cpu = predict_proba(model, result.tokenizer, TEXTS, device=cpu)
    on_gpu = predict_proba(model, result.tokenizer, TEXTS, device=choose_device("cuda"), batch_size=4)
    assert next(model.parameters()).is_cuda
    assert np.abs(on_cpu - on_gpu).max() < 0.05
    assert (on_cpu.argmax(1) == on_gpu.argmax(1)).mean() >= 0.9


def test_blocks_and_the_cuda_code_path_keep_rows_in_order(tiny_model, tokenizer, cpu, monkeypatch):
    # Small blocks, one of them all empty, scored through the CUDA code path (blocks prepared on worker threads,
    # each with its own tokenizer copy) but on the CPU.
    import models.inference as inference
    from models.device import DeviceInfo

    monkeypatch.setattr(inference, "BLOCK_TEXTS", 3)
    texts = TEXTS[:4] + ["", None, "  "] + TEXTS[4:]
    fake_cuda = DeviceInfo(cpu.torch_device, "cuda", "pretend GPU", None, 2, 128)
    expected = predict_proba(tiny_model, tokenizer, texts, device=cpu, batch_size=64)
    calls = []
    result = predict(tiny_model, tokenizer, texts, device=fake_cuda, progress=lambda d, t: calls.append((d, t)))
    np.testing.assert_allclose(result.proba, expected, atol=1e-5)
    assert result.empty_mask.tolist() == [False] * 4 + [True] * 3 + [False] * 6
    done = [d for d, _ in calls]
    assert done == sorted(done) and calls[-1] == (13, 13) and {t for _, t in calls} == {13}
