"""Words for keywords, baskets and explanations: jieba for Chinese, letters for the rest."""
from __future__ import annotations

from analytics.words import CHINESE_STOP_WORDS, chinese_spans, chinese_words, segmented, text_words


def test_chinese_text_is_cut_into_words_without_stop_words():
    words = chinese_words("这个酒店的服务非常好，但是早餐太贵了")
    assert "酒店" in words and "服务" in words and "早餐" in words
    assert not set(words) & {"的", "这个", "但是", "非常", "了"}
    assert all(w not in CHINESE_STOP_WORDS for w in words)


def test_full_width_letters_and_digits_do_not_become_words():
    assert text_words("退款１００元，ＯＫ") == ["退款"]  # "ok" has 2 letters, 100 is a number
    assert text_words("Refund 申请退款了 ASAP!") == ["refund", "asap", "申请", "退款"]
    assert text_words("Great value for money") == ["great", "value", "for", "money"]


def test_segmented_text_reads_as_words_to_a_whitespace_tokenizer():
    assert segmented("快递太慢但是质量很好").split() == ["快递", "太慢", "但是", "质量", "很", "好"]
    assert segmented("no chinese here") == "no chinese here"


def test_spans_cover_each_word_of_a_mixed_text():
    text = "服务好 but 早餐贵"
    spans = chinese_spans(text)
    assert [text[s:e] for s, e in spans] == ["服务", "好", " but ", "早餐", "贵"]
    assert chinese_spans(text, 3, 8) == [(3, 8)]  # no Chinese inside: one span
