"""Tests for models.base."""

import pytest
import torch
from transformers import BertForSequenceClassification

from models.base import base_model_path, build_tiny_classifier, label_maps, load_classifier


def test_packaged_base_model_is_found():
    path = base_model_path()
    assert (path / "config.json").is_file()
    assert (path / "model.safetensors").is_file()


def test_label_maps_keep_order_and_reject_bad_sets():
    assert label_maps(["neg", "pos"]) == ({0: "neg", 1: "pos"}, {"neg": 0, "pos": 1})
    with pytest.raises(ValueError, match="at least two labels"):
        label_maps(["only"])
    with pytest.raises(ValueError, match=r"duplicated: \['a'\]"):
        label_maps(["a", "b", "a"])


def test_tiny_classifier_shape_labels_and_seed(tokenizer):
    model = build_tiny_classifier(["a", "b", "c"], seed=3)
    assert isinstance(model, BertForSequenceClassification)
    assert model.config.hidden_size == 32 and model.config.num_hidden_layers == 2
    assert model.config.vocab_size == tokenizer.vocab_size
    assert model.config.id2label == {0: "a", 1: "b", 2: "c"}
    same = build_tiny_classifier(["a", "b", "c"], seed=3)
    other = build_tiny_classifier(["a", "b", "c"], seed=4)
    weight = "bert.encoder.layer.0.attention.self.query.weight"
    assert torch.equal(model.state_dict()[weight], same.state_dict()[weight])
    assert not torch.equal(model.state_dict()[weight], other.state_dict()[weight])
    assert not model.training


def test_tiny_classifier_does_not_disturb_the_global_rng():
    torch.manual_seed(123)
    expected = torch.rand(1)
    torch.manual_seed(123)
    build_tiny_classifier(["a", "b"], seed=0)
    assert torch.equal(torch.rand(1), expected)


@pytest.mark.real_model
def test_real_classifier_gets_a_fresh_head_for_given_labels():
    model = load_classifier(labels=["negative", "neutral", "positive"])
    assert model.config.num_labels == 3
    assert model.config.label2id == {"negative": 0, "neutral": 1, "positive": 2}
    assert model.classifier.out_features == 3
    assert model.config.hidden_size == 384
