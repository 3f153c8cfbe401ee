"""Which base model a dataset gets from its languages, and the names model cards use for each."""
from __future__ import annotations

import pytest

from models.base import BASE_MODEL_NAME, base_model_path, base_path_for, choose_base
from models.multilingual import MULTILINGUAL_BASE_NAME


@pytest.mark.parametrize(("languages", "base"), [
    ({"en": 90, "zh": 10}, BASE_MODEL_NAME),
    ({"en": 50, "zh": 50}, BASE_MODEL_NAME),  # half English: MiniLM still reads them
    ({"en": 49, "zh": 51}, MULTILINGUAL_BASE_NAME),
    ({"zh": 10}, MULTILINGUAL_BASE_NAME),
    ({"other": 8, "en": 2}, MULTILINGUAL_BASE_NAME),  # Spanish, German … : e5 was trained on them
    ({}, BASE_MODEL_NAME),
    (None, BASE_MODEL_NAME),
    ({"": 100}, BASE_MODEL_NAME),  # rows without text say nothing
])
def test_the_multilingual_base_serves_datasets_that_are_mostly_not_english(languages, base):
    assert choose_base(languages) == base


def test_base_names_resolve_to_folders_and_unknown_names_are_refused():
    assert base_path_for(BASE_MODEL_NAME) == base_model_path()
    with pytest.raises(ValueError, match="Unknown base model 'bert-base'"):
        base_path_for("bert-base")
