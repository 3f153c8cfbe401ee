"""Tests for models.zeroshot: embedding similarity tagging and keyword rules."""

import pytest

from models.zeroshot import keyword_matches, zero_shot_tag

DESCRIPTIONS = {
    "delivery": "delivery, shipping, parcel arriving late or lost",
    "price": "price, cost, too expensive, value for money",
    "support": "customer service, support agent, staff helpfulness",
    "quality": "product quality, broken, defective, durability",
}


@pytest.mark.real_model
def test_obvious_sentences_get_the_obvious_topic(encoder, cpu):
    texts = [
        "my parcel arrived two weeks late",
        "way too expensive for what it is",
        "the agent on the phone was rude and unhelpful",
        None,
    ]
    frame = zero_shot_tag(texts, DESCRIPTIONS, device=cpu, encoder=encoder, multi_label=False, threshold=0.2)
    assert frame["label"].tolist() == ["delivery", "price", "support", None]
    assert frame["source"].tolist() == ["embedding"] * 3 + [None]
    assert frame["is_empty"].tolist() == [False, False, False, True]
    assert [c for c in frame.columns if c.startswith("sim_")] == [f"sim_{k}" for k in DESCRIPTIONS]
    assert (frame["score"].iloc[:3] >= 0.2).all()


@pytest.mark.real_model
def test_threshold_multi_label_and_keywords(encoder, cpu):
    texts = ["the box is blue", "late and overpriced", "the chocolate was stale"]
    frame = zero_shot_tag(
        texts, DESCRIPTIONS, device=cpu, encoder=encoder, multi_label=True, threshold=0.95,
        keywords={"delivery": ["late"], "price": ["overpriced"]},
    )
    assert frame["label"].iloc[0] is None and frame["labels"].iloc[0] == ()
    assert set(frame["labels"].iloc[1]) == {"delivery", "price"}
    assert frame["source"].iloc[1] == "keyword"
    assert frame["labels"].iloc[2] == ()  # "late" inside "chocolate" does not count


def test_keywords_match_whole_words_case_insensitively():
    frame = keyword_matches(
        ["LATE again", "chocolate", "open 24/7?", "c++ rocks", None],
        {"delivery": ["late"], "hours": ["24/7"], "dev": "c++"},
    )
    assert frame["delivery"].tolist() == [True, False, False, False, False]
    assert frame["hours"].tolist() == [False, False, True, False, False]
    assert frame["dev"].tolist() == [False, False, False, True, False]


def test_bad_label_setup_is_rejected(cpu):
    with pytest.raises(ValueError, match="at least one label"):
        zero_shot_tag(["x"], {}, device=cpu)
    with pytest.raises(ValueError, match=r"Keywords were given for \['refund'\]"):
        zero_shot_tag(["x"], {"price": "cost"}, device=cpu, keywords={"refund": ["refund"]})
    with pytest.raises(ValueError, match="threshold=2"):
        zero_shot_tag(["x"], {"price": "cost"}, device=cpu, threshold=2)
