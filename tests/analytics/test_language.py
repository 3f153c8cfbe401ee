"""The script rule that tells each row's language, on mixed rows with known answers."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics.language import describe_mix, detect_languages, has_han, main_language, normalise_width


@pytest.mark.parametrize(("text", "language"), [
    ("房间很干净，服务也好", "zh"),
    ("我买了iPhone 14，很满意", "zh"),  # a brand in Latin letters inside Chinese
    ("申请退款了", "zh"),
    ("I love my 小米 phone, it was cheap", "en"),  # a Chinese brand inside English
    ("The parcel arrived late", "en"),
    ("ok", "en"),  # too short to call anything but the default
    ("El hotel es muy bonito y limpio", "other"),
    ("Das Zimmer war sauber und ruhig", "other"),
    ("Отличный сервис, спасибо", "other"),
    ("ありがとうございました、また来ます", "ja"),
    ("東京のホテル", "ja"),  # kana among Han
    ("배송이 빨라요", "ko"),
    ("12345 :) !!!", ""),
    ("", ""),
    (None, ""),
])
def test_each_row_gets_the_language_of_the_script_that_carries_it(text, language):
    assert detect_languages([text]).tolist() == [language]


def test_a_mixed_column_keeps_row_order_and_reads_arrow_strings():
    texts = pd.Series(["好评", None, "Great value", "差评，太慢了"], dtype="string[pyarrow]")
    assert detect_languages(texts).tolist() == ["zh", "", "en", "zh"]
    assert detect_languages([]).tolist() == []


def test_the_mix_leaves_rows_without_text_out():
    codes = ["zh"] * 6 + ["en"] * 2 + ["", ""]
    assert describe_mix(codes) == "Chinese 75 %, English 25 %"
    assert main_language(codes) == "zh"
    assert main_language(["", ""]) == "" and describe_mix(["", ""]) == "no text"
    assert describe_mix({"zh": 1, "en": 1, "ja": 1, "ko": 1}) == ("Chinese 25 %, English 25 %, Japanese 25 %, "
                                                                  "1 more")


def test_full_width_forms_become_ascii_and_chinese_stays():
    assert normalise_width("ＡＢＣ１２３，好。") == "ABC123,好。"  # the full-width comma is ASCII's; 。 has no ASCII form
    assert normalise_width("plain") == "plain"
    assert has_han("退款 refund") and not has_han("refund")


@pytest.mark.parametrize("character", ["一", "龥", "㐀", "豈", "𠀀"])
def test_the_vectorised_detector_and_the_python_patterns_share_one_han_range(character):
    # Extension B (𠀀) included: the Arrow counts and has_han / keyword matching read the same characters.
    assert detect_languages([character * 3]).tolist() == ["zh"]
    assert has_han(f"abc{character}")
    assert not has_han("abc ｄｅｆ 123")
