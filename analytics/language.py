"""Which language a text is in, and how to cut it into words: the text vocabulary ingest, insights and models share.

The detector is a script rule, not a statistical model: Chinese, Japanese and Korean are told apart by their
scripts (Han, kana, Hangul), and Latin-script text is English when English function words make up a fair share
of its words. That is all the product acts on (Chinese rows get word segmentation, a Chinese lexicon and a
multilingual encoder); it runs vectorised at import speed and needs no model file.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

ENGLISH, CHINESE, JAPANESE, KOREAN, OTHER, NO_TEXT = "en", "zh", "ja", "ko", "other", ""
LANGUAGE_NAMES: dict[str, str] = {ENGLISH: "English", CHINESE: "Chinese", JAPANESE: "Japanese", KOREAN: "Korean",
                                  OTHER: "other languages", NO_TEXT: "no text"}
CJK_LANGUAGES = (CHINESE, JAPANESE)  # written without spaces: cut into words before counting them

# Han (Chinese) characters: the unified ideographs, extension A, compatibility ideographs and extension B. The one
# definition every Chinese-aware pattern is built from (RE2 for Arrow's vectorised counts, Python re elsewhere).
HAN_CODE_POINTS = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF))
HAN_CLASS = "".join(f"{chr(low)}-{chr(high)}" for low, high in HAN_CODE_POINTS)  # inside [...] of a Python pattern
HAN_RUN = re.compile(f"[{HAN_CLASS}]+")
# A word character that is not Chinese: what may not touch a whole-word keyword ("iPhone很好" holds "iphone").
NON_HAN_LETTER = rf"[^\W{HAN_CLASS}]"
_HAN = "[" + "".join(f"\\x{{{low:X}}}-\\x{{{high:X}}}" for low, high in HAN_CODE_POINTS) + "]"
_KANA = r"[\x{3040}-\x{30FF}\x{31F0}-\x{31FF}]"
_HANGUL = r"[\x{AC00}-\x{D7AF}\x{1100}-\x{11FF}\x{3130}-\x{318F}]"
_LATIN_WORD = r"[A-Za-z\x{00C0}-\x{024F}]+"
_OTHER_LETTERS = r"[\x{0370}-\x{03FF}\x{0400}-\x{04FF}\x{0590}-\x{06FF}\x{0900}-\x{0DFF}\x{0E00}-\x{0E7F}]+"
# Han characters per word of Chinese, roughly: a text is Chinese when its Han "words" outnumber its Latin ones.
HAN_CHARS_PER_WORD = 1.5
# The most frequent English function words: a Latin-script text with none of them among 4+ words is not English.
ENGLISH_FUNCTION_WORDS = frozenset("""
a an the and or but if so of to in on at by for with from as is are was were be been am it its i me my we our
you your he she his her they them their this that these those not no do does did have has had will would can
could should there here what which who very just too all any some one out up about than then""".split())
ENGLISH_SHARE = 0.12
_ENGLISH_WORD = r"\b(?:" + "|".join(sorted(ENGLISH_FUNCTION_WORDS)) + r")\b"


def detect_languages(texts: Iterable[object]) -> np.ndarray:
    """Each text's language code: ``zh``, ``ja``, ``ko``, ``en``, ``other`` or ``""`` (no letters at all).

    Mixed text goes to the script that carries more of it ("我买了iPhone 14" is Chinese, "I love my 小米 phone"
    English); kana anywhere makes Han text Japanese.

    >>> detect_languages(["服务很好，下次还来", "The room was clean", "El hotel es muy bonito y limpio", "ありがとう",
    ...                   "배송이 빨라요", "12345 :)", None]).tolist()
    ['zh', 'en', 'other', 'ja', 'ko', '', '']
    """
    values = pd.Series(list(texts), dtype=object)
    if values.empty:
        return np.array([], dtype=object)
    array = pa.array(values.where(values.notna(), None).map(lambda v: v if v is None else str(v)),
                     type=pa.large_string())

    def count(pattern: str) -> np.ndarray:
        return pc.fill_null(pc.count_substring_regex(array, pattern), 0).to_numpy(zero_copy_only=False)

    han, kana, hangul = count(_HAN), count(_KANA), count(_HANGUL)
    latin, other = count(_LATIN_WORD), count(_OTHER_LETTERS)
    english = pc.fill_null(pc.count_substring_regex(pc.utf8_lower(array), _ENGLISH_WORD), 0).to_numpy(
        zero_copy_only=False)
    cjk_words = (han + kana) / HAN_CHARS_PER_WORD
    out = np.full(len(values), NO_TEXT, dtype=object)
    has_latin = latin > 0
    out[has_latin] = np.where((latin[has_latin] < 4) | (english[has_latin] >= ENGLISH_SHARE * latin[has_latin]),
                              ENGLISH, OTHER)
    out[(other > latin) & (other > 0)] = OTHER
    korean = (hangul > 0) & (hangul >= latin) & (hangul >= han + kana)
    out[korean] = KOREAN
    cjk = (han + kana > 0) & (cjk_words >= latin) & ~korean
    out[cjk] = np.where(kana[cjk] > 0, JAPANESE, CHINESE)
    return out


def language_mix(languages: Sequence[str] | pd.Series) -> pd.Series:
    """Share of each language among the rows that have text, largest first (no-text rows left out)."""
    codes = pd.Series(languages, dtype=object).fillna(NO_TEXT)
    codes = codes[codes != NO_TEXT]
    return codes.value_counts(normalize=True)


def describe_mix(languages: Sequence[str] | pd.Series | Mapping[str, int], *, limit: int = 3) -> str:
    """The language mix in words, for captions: ``"Chinese 90 %, English 10 %"``, from row codes or counts per code;
    ``"no text"`` when no row has text.

    >>> describe_mix(["zh"] * 9 + ["en"]), describe_mix({"en": 3, "other": 1, "": 5}), describe_mix({"zh": 999, "ja": 1})
    ('Chinese 90 %, English 10 %', 'English 75 %, other languages 25 %', 'Chinese 100 %, Japanese < 1 %')
    """
    if isinstance(languages, Mapping):
        counts = pd.Series({code: n for code, n in languages.items() if code != NO_TEXT and n > 0}, dtype=float)
        mix = (counts / counts.sum()).sort_values(ascending=False) if len(counts) else counts
    else:
        mix = language_mix(languages)
    if mix.empty:
        return LANGUAGE_NAMES[NO_TEXT]
    parts = [f"{LANGUAGE_NAMES.get(code, code)} " + (f"{share:.0%}".replace("%", " %") if share >= 0.005 else "< 1 %")
             for code, share in mix.head(limit).items()]
    if len(mix) > limit:
        parts.append(f"{len(mix) - limit} more")
    return ", ".join(parts)


def main_language(languages: Sequence[str] | pd.Series) -> str:
    """The language most rows with text are in (``""`` when no row has text)."""
    mix = language_mix(languages)
    return str(mix.index[0]) if not mix.empty else NO_TEXT


_WIDTH_TABLE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def normalise_width(text: str) -> str:
    """Full-width Latin letters, digits, punctuation and the ideographic space as their ASCII forms (ＡＢＣ１２３ →
    ABC123), so keywords and numbers match however they were typed; CJK characters are left alone.

    >>> normalise_width("退款１００元　ＯＫ！")
    '退款100元 OK!'
    """
    return text.translate(_WIDTH_TABLE)


def has_han(text: str) -> bool:
    """Whether ``text`` holds a Chinese character (keywords with one match as substrings, not whole words)."""
    return bool(HAN_RUN.search(text))
