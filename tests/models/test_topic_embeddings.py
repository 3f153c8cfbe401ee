"""Tests for models.topic_embeddings: the on-disk embedding cache (fake encoder) and zero-shot tagging as users run it."""

import numpy as np
import pytest

from analytics.insights.topics import assign_labels, keyword_matches
from models.embeddings import embed
from models.topic_embeddings import label_embeddings

DESCRIPTIONS = {
    "delivery": "delivery, shipping, parcel arriving late or lost",
    "price": "price, cost, too expensive, value for money",
    "support": "customer service, support agent, staff helpfulness",
    "quality": "product quality, broken, defective, durability",
}


def _similarity(texts, encoder, cpu):
    return embed(texts, device=cpu, encoder=encoder) @ label_embeddings(DESCRIPTIONS, device=cpu, encoder=encoder).T


@pytest.mark.real_model
def test_obvious_sentences_get_the_obvious_topic(encoder, cpu):
    texts = [
        "my parcel arrived two weeks late",
        "way too expensive for what it is",
        "the agent on the phone was rude and unhelpful",
    ]
    frame = assign_labels(_similarity(texts, encoder, cpu), list(DESCRIPTIONS), threshold=0.2, multi_label=False)
    assert frame["label"].tolist() == ["delivery", "price", "support"]
    assert frame["source"].tolist() == ["embedding"] * 3
    assert (frame["score"] >= 0.2).all()


@pytest.mark.real_model
def test_threshold_multi_label_and_keywords(encoder, cpu):
    texts = ["the box is blue", "late and overpriced", "the chocolate was stale"]
    hits = keyword_matches(texts, {"delivery": ["late"], "price": ["overpriced"]})
    frame = assign_labels(_similarity(texts, encoder, cpu), list(DESCRIPTIONS), threshold=0.95, multi_label=True,
                          keyword_hits=hits)
    assert frame["label"].iloc[0] == "other" and frame["source"].iloc[0] == "none"
    assert set(frame["labels"].iloc[1]) == {"delivery", "price"}
    assert frame["source"].iloc[1] == "keyword"
    assert frame["labels"].iloc[2] == ("other",)  # "late" inside "chocolate" does not count


def test_label_embeddings_need_a_label(cpu):
    with pytest.raises(ValueError, match="at least one label"):
        label_embeddings({}, device=cpu)


class _FakeEmbed:
    """Stands in for models.embeddings.embed: one deterministic vector per text, calls counted."""

    def __init__(self):
        self.calls = []

    def __call__(self, texts, *, device, encoder, progress=None, **_):
        self.calls.append(list(texts))
        if progress is not None:
            progress(len(texts), len(texts))
        return np.array([[len(str(t)), 1.0, 0.0] for t in texts], dtype=np.float32)


def test_dataset_embeddings_are_cached_and_recomputed_only_for_other_ids(tmp_path, monkeypatch):
    from models import topic_embeddings
    from models.device import choose_device

    fake = _FakeEmbed()
    monkeypatch.setattr(topic_embeddings, "embed", fake)
    path = tmp_path / "embeddings" / "ds_v1.npz"
    options = dict(cache_path=path, device=choose_device("cpu"), encoder=object())
    progress = []
    first = topic_embeddings.dataset_embeddings(["r1", "r2"], ["a", "bbb"], progress=lambda *a: progress.append(a),
                                                **options)
    assert path.is_file() and len(fake.calls) == 1 and progress == [(2, 2)]
    again = topic_embeddings.dataset_embeddings(["r1", "r2"], ["a", "bbb"], **options)
    assert len(fake.calls) == 1 and np.array_equal(first, again) and again.dtype == np.float32
    assert first[:, 0].tolist() == [1.0, 3.0]
    topic_embeddings.dataset_embeddings(["r1", "r3"], ["a", "cc"], **options)
    assert len(fake.calls) == 2  # other record ids: recomputed and overwritten
    assert topic_embeddings.cached_embeddings(path, ["r1", "r3"]) is not None
    assert topic_embeddings.cached_embeddings(path, ["r1", "r2"]) is None
    assert topic_embeddings.is_cached(path, ["r1", "r3"]) and not topic_embeddings.is_cached(path, ["r3", "r1"])
    path.write_bytes(b"not a zip file")
    topic_embeddings.dataset_embeddings(["r1", "r3"], ["a", "cc"], **options)
    assert len(fake.calls) == 3  # a damaged cache is only a cache
    assert not topic_embeddings.is_cached(tmp_path / "absent.npz", ["r1"])
    assert not list(path.parent.glob("*.partial.npz"))
    with pytest.raises(ValueError, match="2 record ids but 1 texts"):
        topic_embeddings.dataset_embeddings(["r1", "r2"], ["a"], **options)


def test_another_version_embeds_only_the_texts_that_changed(tmp_path, monkeypatch):
    from models import topic_embeddings
    from models.device import choose_device

    fake = _FakeEmbed()
    monkeypatch.setattr(topic_embeddings, "embed", fake)
    folder = tmp_path / "embeddings"
    options = dict(device=choose_device("cpu"), encoder=object())
    first = topic_embeddings.dataset_embeddings(["r1", "r2"], ["a", "bbb"], cache_path=folder / "ds_v1.npz", **options)
    # Version 2 after a re-map: one text changed, one row added, one text repeated under another id.
    second = topic_embeddings.dataset_embeddings(["r1", "r2", "r3", "r4"], ["a", "cccc", " bbb ", None],
                                                 cache_path=folder / "ds_v2.npz", reuse_from=[folder / "ds_v1.npz"],
                                                 **options)
    assert fake.calls[1] == ["cccc", None]  # only the new texts reach the encoder
    assert second[:, 0].tolist() == [1.0, 4.0, 3.0, 4.0]  # the fake's vectors: len(str(text)); None -> "None"
    assert np.array_equal(second[[0, 2]], first)
    assert topic_embeddings.is_cached(folder / "ds_v2.npz", ["r1", "r2", "r3", "r4"])

    # Every text known: written from the caches alone, the encoder never asked.
    assert topic_embeddings.reuse_embeddings(["x", "y"], ["cccc", "a"], cache_path=folder / "ds_v3.npz",
                                             reuse_from=[folder / "ds_v2.npz", folder / "ds_v1.npz"])
    assert len(fake.calls) == 2
    assert topic_embeddings.cached_embeddings(folder / "ds_v3.npz", ["x", "y"])[:, 0].tolist() == [4.0, 1.0]
    assert not topic_embeddings.reuse_embeddings(["x"], ["unseen"], cache_path=folder / "ds_v4.npz",
                                                 reuse_from=[folder / "ds_v1.npz"])
    assert not (folder / "ds_v4.npz").exists()

    # A cache from before text keys were stored is not trusted for reuse: everything is embedded again.
    np.savez(folder / "old_v1.npz", embeddings=np.ones((1, 3), dtype=np.float16), record_ids=np.asarray(["r1"]))
    topic_embeddings.dataset_embeddings(["r1"], ["a"], cache_path=folder / "old_v2.npz",
                                        reuse_from=[folder / "old_v1.npz"], **options)
    assert fake.calls[-1] == ["a"]
