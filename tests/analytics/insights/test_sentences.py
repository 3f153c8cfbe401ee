"""Tests for analytics.insights.sentences: cuts at sentence ends, turns and contrasts; agents dropped; polarity."""

import time

import numpy as np
import pandas as pd
import pytest

from analytics.demo import phrases_zh
from analytics.demo.generator import generate_demo
from analytics.demo.phrases import CHAT_AGENT, PHONE_AGENT
from analytics.insights.sentences import POLARITY_THRESHOLD, sentence_polarity, split_sentences


def _split(*texts):
    rows = pd.DataFrame({"record_id": [f"r{i}" for i in range(len(texts))], "text": list(texts)})
    return split_sentences(rows)


def _sentences(text):
    return _split(text)["sentence"].tolist()


@pytest.mark.parametrize("text, expected", [
    ("great quality but the delivery was a disaster", ["great quality", "the delivery was a disaster"]),
    ("It looks nice, but it broke.", ["It looks nice", "it broke."]),
    ("It is cheap, although it feels solid", ["It is cheap", "it feels solid"]),
    ("Fast delivery, though the box was crushed", ["Fast delivery", "the box was crushed"]),
    ("It arrived early; however, the lid was cracked.", ["It arrived early", "the lid was cracked."]),
    ("The price is fair however the app is slow", ["The price is fair", "the app is slow"]),
])
def test_contrast_connectors_cut_a_sentence_into_clauses(text, expected):
    assert _sentences(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("质量很好，但是物流太慢", ["质量很好", "物流太慢"]),
    ("外观好看，不过有点贵。", ["外观好看", "有点贵。"]),
    ("价格便宜，可是质量太差了！", ["价格便宜", "质量太差了！"]),
    ("做工不错,但是 包装很差", ["做工不错", "包装很差"]),  # half-width comma, a blank
    ("东西还行，只是声音有点大", ["东西还行", "声音有点大"]),
    ("做工好，但声音大", ["做工好", "声音大"]),
    ("本来很期待，然而到手就坏了", ["本来很期待", "到手就坏了"]),
    ("质量好但是物流慢", ["质量好", "物流慢"]),  # 但是 needs no comma, like "but"
    # Words that only look like connectors stay whole.
    ("这不但是质量问题", ["这不但是质量问题"]),
    ("还行，但愿能用久一点", ["还行，但愿能用久一点"]),
    ("这可是好东西", ["这可是好东西"]),
    ("不过如此", ["不过如此"]),
    ("自然而然就习惯了", ["自然而然就习惯了"]),
])
def test_chinese_contrast_connectors_cut_a_sentence_into_clauses(text, expected):
    assert _sentences(text) == expected


def test_sentence_ends_line_breaks_and_full_width_punctuation_cut_texts():
    assert _sentences("Love it! Buy again. Really?  Yes.") == ["Love it!", "Buy again.", "Really?", "Yes."]
    assert _sentences("First line\nsecond line\r\n\nthird") == ["First line", "second line", "third"]
    assert _sentences("质量很好。送货太慢！为什么？") == ["质量很好。", "送货太慢！", "为什么？"]
    # A full stop inside a number or a name without a following blank is not a sentence end.
    assert _sentences("It costs 4.99 at shop.com now") == ["It costs 4.99 at shop.com now"]


def test_chat_and_phone_turns_lose_their_prefixes_and_agent_turns_are_dropped():
    chat = ("Customer: hi | Agent: Sorry to hear that. Let me check it for you. | Customer: it never came | "
            "agent: anything else? | CUSTOMER: no, thanks")
    assert _sentences(chat) == ["hi", "it never came", "no, thanks"]
    phone = "Caller: hello, yes, the refund is late. | Agent: Right. | Caller: okay. | Note: escalated to team lead."
    assert _sentences(phone) == ["hello, yes, the refund is late.", "okay."]
    # Only a prefix at the start of a turn names a speaker.
    assert _sentences("The agent: rude") == ["The agent: rude"]


def test_chinese_speaker_labels_with_a_full_width_colon_are_read_like_english_ones():
    chat = "顾客：在吗 | 客服：亲，请问有什么能帮您？ | 顾客：快递三天了还没到。 | 人工客服：抱歉！ | 买家 : 好吧"
    assert _sentences(chat) == ["在吗", "快递三天了还没到。", "好吧"]
    phone = "客户：喂，退款还没到账。 | 坐席：我帮您查一下。 | 来电人：好的。 | 备注：已建工单。"
    assert _sentences(phone) == ["喂，退款还没到账。", "好的。"]
    assert _sentences("Customer：hi | Agent：sorry | 商家回复：感谢支持") == ["hi"]
    # Only a label at the start of a turn names a speaker.
    assert _sentences("我问了客服：没人理") == ["我问了客服：没人理"]


def test_rows_are_numbered_within_each_text_and_empty_texts_give_none():
    rows = pd.DataFrame({"record_id": ["a", "b", "c", "d", "e"],
                         "text": ["One. Two.", np.nan, "", "  ...  | Agent: hi", "Three"]})
    before = rows.copy()
    out = split_sentences(rows)
    assert out.columns.tolist() == ["record_id", "sentence_no", "sentence"]
    assert out[["record_id", "sentence_no"]].to_numpy().tolist() == [["a", 0], ["a", 1], ["e", 0]]
    assert out["sentence"].tolist() == ["One.", "Two.", "Three"]
    pd.testing.assert_frame_equal(rows, before)
    assert split_sentences(rows.iloc[:0]).empty


def test_missing_text_column_is_refused_with_what_to_map():
    with pytest.raises(ValueError, match=r"\['text'\].*map a text column"):
        split_sentences(pd.DataFrame({"record_id": ["a"]}))


def test_polarity_uses_the_vader_thresholds_inclusively():
    compound = pd.Series([0.9, POLARITY_THRESHOLD, 0.0499, 0.0, -0.0499, -POLARITY_THRESHOLD, -0.9, np.nan],
                         index=list("abcdefgh"))
    polarity = sentence_polarity(compound)
    assert polarity.tolist() == [1, 1, 0, 0, 0, -1, -1, 0]
    assert polarity.index.tolist() == list("abcdefgh") and polarity.dtype.kind == "i"


@pytest.fixture(scope="module")
def demo_sentences(demo_rows):
    started = time.perf_counter()
    sentences = split_sentences(demo_rows[["record_id", "text"]])
    return sentences, time.perf_counter() - started


def test_demo_texts_split_fast_without_agent_speech_and_mixed_texts_give_both_halves(demo_rows, demo_sentences):
    sentences, seconds = demo_sentences
    # Measured 0.12–0.16 s for the 20,000 texts (73,312 sentences) on the 2-core machine; a per-row Python loop
    # would take several seconds.
    assert seconds < 1.5
    assert 60_000 < len(sentences) < 90_000
    agent = {p.lower().rstrip(".!?") for lines in CHAT_AGENT.values() for p in lines} | \
        {p.lower().rstrip(".!?") for p in PHONE_AGENT}
    spoken = sentences["sentence"].str.lower().str.rstrip(".!?")
    assert not spoken.isin(agent).any()
    assert not sentences["sentence"].str.contains(r"(?i)^(?:customer|caller|agent|note):").any()
    labels = generate_demo(seed=7).truth.labels
    per_row = sentences.groupby("record_id").size().reindex(demo_rows["record_id"], fill_value=0).to_numpy()
    mixed = (labels["text_polarity"] == "mixed").to_numpy()
    assert (per_row[mixed] >= 2).mean() > 0.99  # measured 0.9997


def test_chinese_demo_texts_split_without_agent_speech_and_mixed_texts_give_both_halves():
    demo = generate_demo(seed=7, n_interactions=4_000, language="zh")
    rows = demo.interactions.rename(columns={"interaction_id": "record_id"})
    sentences = split_sentences(rows[["record_id", "text"]])
    agent = {p.rstrip("。！？") for lines in phrases_zh.CHAT_AGENT.values() for p in lines} | \
        {p.rstrip("。！？") for p in phrases_zh.PHONE_AGENT} | \
        {p.split("：", 1)[1].rstrip("。！？") for lines in phrases_zh.PHONE_NOTES.values() for p in lines}
    assert not sentences["sentence"].str.rstrip("。！？").isin(agent).any()
    assert not sentences["sentence"].str.contains(f"^(?:{'|'.join(phrases_zh.SPEAKERS.values())}|备注：)").any()
    assert not sentences["sentence"].str.startswith(tuple(phrases_zh.CONNECTORS)).any()
    per_row = sentences.groupby("record_id").size().reindex(rows["record_id"], fill_value=0).to_numpy()
    assert (per_row > 0).all()
    mixed = (demo.truth.labels["text_polarity"] == "mixed").to_numpy()
    assert (per_row[mixed] >= 2).mean() > 0.99
