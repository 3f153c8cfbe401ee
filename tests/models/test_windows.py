"""The array-based host pipeline (models.windows, issue 16) against the path it replaced (bench/legacy_scoring)."""

import threading

import numpy as np
import pytest

import models.windows as windows
from models.device import DeviceInfo
from models.embeddings import Encoder, embed, mean_pool
from models.inference import predict, predict_proba
from models.windows import Preparer, chunk_texts, pad_sequences
from tests.bench import legacy_scoring as legacy

TEXTS = [
    "ok", "", None, "   ", float("nan"), 42, "great service, fast delivery",
    " ".join(f"word{i}" for i in range(300)),  # many windows
    "refund " * 2000,  # past max_chunks windows
    "酒店位置很好，但是房间太小了，服务员态度也一般。", "I love my 小米 phone 😀😀", "\u200b", "a",
    "the parcel arrived two weeks late and the box was crushed on one side, nobody answered my emails",
]


def _same_windows(old, new) -> None:
    assert [list(ids) for ids in old.ids] == [new.window(k) for k in range(len(new))]
    assert old.owner.tolist() == new.owner.tolist()
    assert old.weight.tolist() == new.weight.tolist()
    assert old.empty.tolist() == new.empty.tolist()


@pytest.mark.parametrize("max_length", [8, 16, 24, 64, 128])
@pytest.mark.parametrize("overlap", [0.0, 0.25, 0.5])
@pytest.mark.parametrize("max_chunks", [1, 3, 16])
def test_windows_are_the_ones_the_per_row_loop_cut(tokenizer, max_length, overlap, max_chunks):
    old = legacy.chunk_texts(tokenizer, TEXTS, max_length=max_length, overlap=overlap, max_chunks=max_chunks)
    new = chunk_texts(tokenizer, TEXTS, max_length=max_length, overlap=overlap, max_chunks=max_chunks)
    _same_windows(old, new)
    assert new.ids.dtype == np.int64 and new.ids.shape[1] == new.lengths.max() <= max_length
    # Past a window's length, its row is padding.
    assert (new.ids[np.arange(new.ids.shape[1])[None, :] >= new.lengths[:, None]] == tokenizer.pad_token_id).all()


def test_a_block_of_only_empty_texts_has_no_windows(tokenizer):
    chunks = chunk_texts(tokenizer, ["", None, "  "], max_length=16)
    assert len(chunks) == 0 and chunks.empty.tolist() == [True, True, True] and chunks.n_texts == 3


def test_pad_sequences_pads_training_rows_to_the_longest(tokenizer):
    ids, lengths = pad_sequences([[101, 7, 102], [101, 102]], pad_id=0)
    assert ids.tolist() == [[101, 7, 102], [101, 102, 0]] and lengths.tolist() == [3, 2]


def test_probabilities_and_labels_match_the_old_path(tiny_model, tokenizer, cpu):
    texts = TEXTS * 3
    old = legacy.legacy_predict_proba(tiny_model, tokenizer, texts, device=cpu, batch_size=4, max_length=24,
                                      temperature=1.7)
    new = predict_proba(tiny_model, tokenizer, texts, device=cpu, batch_size=4, max_length=24, temperature=1.7)
    np.testing.assert_allclose(new, old, atol=1e-6)
    assert (new.argmax(1) == old.argmax(1)).all()
    assert np.abs(old - old[6]).max() > 1e-4  # the rows differ, so a permutation would show


def test_embeddings_match_the_old_path(tiny_model, tokenizer, cpu):
    encoder = Encoder(model=tiny_model.bert, tokenizer=tokenizer)
    old, _ = legacy.stream_texts(tiny_model.bert, tokenizer, TEXTS, device=cpu, batch_size=3, max_length=16,
                                 forward=mean_pool, n_columns=encoder.dimension, transform=lambda v: v, fill=0.0)
    norms = np.linalg.norm(old, axis=1, keepdims=True)
    old = np.divide(old, norms, out=np.zeros_like(old), where=norms > 0)
    new = embed(TEXTS, device=cpu, encoder=encoder, batch_size=3, max_length=16)
    np.testing.assert_allclose(new, old, atol=1e-5)


def test_worker_threads_give_the_blocks_in_order_each_with_its_own_tokenizer(tokenizer, monkeypatch):
    used = {}
    real = windows.chunk_texts

    def recording(tok, block, **kwargs):
        used.setdefault(threading.get_ident(), set()).add(id(tok))
        return real(tok, block, **kwargs)

    monkeypatch.setattr(windows, "chunk_texts", recording)
    texts = TEXTS * 5
    inline = list(Preparer(tokenizer, max_length=16, workers=0).blocks(texts, 4))
    threaded = list(Preparer(tokenizer, max_length=16, workers=3).blocks(texts, 4))
    assert [s for s, _ in threaded] == [s for s, _ in inline] == list(range(0, len(texts), 4))
    for (_, a), (_, b) in zip(inline, threaded):
        np.testing.assert_array_equal(a.ids, b.ids)
        np.testing.assert_array_equal(a.owner, b.owner)
    workers = {t: toks for t, toks in used.items() if t != threading.get_ident()}
    assert len(workers) >= 2
    copies = [tok for toks in workers.values() for tok in toks]
    assert len(copies) == len(set(copies)) == len(workers)  # one copy per thread, none shared
    assert id(tokenizer) not in copies


def test_a_failed_block_surfaces_and_stops_the_workers(tokenizer, monkeypatch):
    def broken(tok, block, **kwargs):
        raise RuntimeError("tokenizer broke")

    monkeypatch.setattr(windows, "chunk_texts", broken)
    with pytest.raises(RuntimeError, match="tokenizer broke"):
        list(Preparer(tokenizer, max_length=16, workers=2).blocks(TEXTS * 4, 4))


def test_the_threaded_cuda_code_path_scores_like_the_plain_one(tiny_model, tokenizer, cpu, monkeypatch):
    import models.inference as inference

    monkeypatch.setattr(inference, "BLOCK_TEXTS", 5)
    fake_cuda = DeviceInfo(cpu.torch_device, "cuda", "pretend GPU", None, 8, 128)
    assert inference.prepare_workers(fake_cuda, cores=16) == 8 and inference.prepare_workers(cpu, cores=16) == 0
    assert inference.prepare_workers(fake_cuda, cores=2) == 1
    texts = TEXTS * 4
    expected = legacy.legacy_predict_proba(tiny_model, tokenizer, texts, device=cpu, max_length=24)
    result = predict(tiny_model, tokenizer, texts, device=fake_cuda, max_length=24)
    np.testing.assert_allclose(result.proba, expected, atol=1e-6)
    assert result.empty_mask.tolist() == legacy.chunk_texts(tokenizer, texts, max_length=24).empty.tolist()
