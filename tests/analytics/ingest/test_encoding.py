"""Encoding detection, the Windows-1252 fallback decoder and binary sniffing."""
from __future__ import annotations

import codecs

import pytest

from analytics.ingest.encoding import (
    FALLBACK_ERRORS,
    DecodedText,
    EncodingGuess,
    decode_sample,
    detect_encoding,
    looks_binary,
    open_text,
)

REVIEWS_LATIN = (
    "id,customer,review,rating\n"
    "1,Müller,\"Très bon café, service rapide\",5\n"
    "2,Zoë,\"naïve packaging – arrived late\",2\n"
    "3,José,\"Façade cracked; refund in 3 days\",3\n"
)
REVIEWS_CHINESE = (
    "编号,评论,评分\n"
    "1,物流很快，质量不错,5\n"
    "2,包装破损，客服态度很差,1\n"
    "3,性价比高，推荐购买,4\n"
)


@pytest.mark.parametrize(
    ("text", "encode", "codec", "has_bom"),
    [
        (REVIEWS_LATIN, "utf-8", "utf-8", False),
        (REVIEWS_CHINESE, "utf-8", "utf-8", False),
        (REVIEWS_LATIN, "utf-8-sig", "utf-8-sig", True),
        (REVIEWS_LATIN, "utf-16", "utf-16", True),
        (REVIEWS_CHINESE, "utf-16", "utf-16", True),
        (REVIEWS_LATIN, "cp1252", "cp1252", False),
        (REVIEWS_LATIN.replace("–", "-"), "latin-1", "cp1252", False),
        (REVIEWS_CHINESE, "gbk", "gb18030", False),
        (REVIEWS_CHINESE, "gb2312", "gb18030", False),
        (REVIEWS_CHINESE + "5,表情😀很好,5\n", "gb18030", "gb18030", False),
    ],
)
def test_realistic_review_files_are_detected(text, encode, codec, has_bom):
    data = text.encode(encode)
    guess = detect_encoding(data, complete=True)
    assert guess.codec == codec
    assert guess.has_bom is has_bom
    assert data.decode(guess.codec) == text


@pytest.mark.parametrize(("bom", "encode", "label"), [
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE with BOM"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE with BOM"),
])
def test_utf16_both_byte_orders(bom, encode, label):
    data = bom + REVIEWS_LATIN.encode(encode)
    guess = detect_encoding(data)
    assert (guess.codec, guess.label, guess.confidence) == ("utf-16", label, 1.0)
    assert data.decode(guess.codec) == REVIEWS_LATIN


def test_utf16_without_bom_is_recognised_by_its_nul_pattern():
    assert detect_encoding(REVIEWS_LATIN.encode("utf-16-le")).codec == "utf-16-le"
    assert detect_encoding(REVIEWS_LATIN.encode("utf-16-be")).codec == "utf-16-be"
    assert detect_encoding(REVIEWS_CHINESE.encode("utf-16-le")).codec == "utf-16-le"
    assert not looks_binary(REVIEWS_CHINESE.encode("utf-16-be"))


@pytest.mark.parametrize("word", ["café", "naïve", "Müller", "Zoë", "Le café était très bon"])
def test_short_accented_samples(word):
    assert detect_encoding(word.encode("cp1252"), complete=True).codec == "cp1252"
    assert detect_encoding(word.encode("latin-1"), complete=True).codec == "cp1252"
    assert detect_encoding(word.encode("utf-8"), complete=True).codec == "utf-8"


@pytest.mark.parametrize("text", ["物流很快，质量不错", "好评", "质量一般，物流太慢了"])
def test_short_chinese_samples(text):
    guess = detect_encoding(text.encode("gbk"), complete=True)
    assert guess.codec == "gb18030"
    assert "GB18030" in guess.label
    assert detect_encoding(text.encode("utf-8")).codec == "utf-8"


def test_a_sample_cut_inside_a_character_is_still_utf8():
    data = ("Great coffee, naïve but lovely café. " * 200 + "物流很快").encode("utf-8")
    for cut in (1, 2):  # "快" is three bytes: leave one or two of them
        assert detect_encoding(data[:-cut]).codec == "utf-8"
    # When the sample is the whole file, a cut character is an error, not an artefact of sampling.
    ascii_then_cut = b"plain ascii text " * 300 + "é".encode("utf-8")[:1]
    assert detect_encoding(ascii_then_cut).codec == "utf-8"
    assert detect_encoding(ascii_then_cut, complete=True).codec != "utf-8"


def test_ascii_is_utf8():
    guess = detect_encoding(b"id,text\n1,hello\n")
    assert guess == EncodingGuess("utf-8", "UTF-8", 0.9, False)


def test_mostly_utf8_with_some_cp1252_bytes_is_utf8_with_repairs():
    data = ("Très bon café " * 20).encode("utf-8") + "naïve".encode("cp1252")
    guess = detect_encoding(data, complete=True)
    assert guess.codec == "utf-8"
    assert "Windows-1252" in guess.label


def test_fallback_handler_reads_bad_utf8_as_cp1252():
    data = "café ".encode("utf-8") + "naïve – 5€".encode("cp1252")
    assert data.decode("utf-8", errors=FALLBACK_ERRORS) == "café naïve – 5€"
    # The five bytes Windows-1252 leaves unassigned come through as their Latin-1 code points.
    assert b"a\x81b".decode("utf-8", errors=FALLBACK_ERRORS) == "a\x81b"


def test_open_text_repairs_and_counts_mixed_encodings(tmp_path):
    path = tmp_path / "mixed.csv"
    lines = ["id,text\n", "1,Très bon café\n", "2,naïve\n", "3,Müller – ok\n", "4,物流很快\n"]
    encodings = ["utf-8", "utf-8", "cp1252", "cp1252", "utf-8"]
    path.write_bytes(b"".join(line.encode(enc) for line, enc in zip(lines, encodings)))
    guess = EncodingGuess("utf-8", "UTF-8", 0.9)
    with open_text(path, guess) as text:
        assert list(text) == lines
    # "ï" in row 2; "ü" and "–" in row 3: three separate bad sequences.
    assert text.repaired_count == 3
    assert text.bytes_read == path.stat().st_size


def test_decoding_across_small_blocks_keeps_characters_and_counts(tmp_path):
    path = tmp_path / "blocks.txt"
    content = "物流很快，质量不错\r\nnaïve café\n" * 50
    path.write_bytes(content.encode("utf-8") + "Müller".encode("cp1252"))
    with DecodedText(path, EncodingGuess("utf-8", "UTF-8", 1.0), block_size=5) as text:
        out = "".join(text)
    assert out == content + "Müller"
    assert text.repaired_count == 1


def test_lines_split_on_the_given_newline_only(tmp_path):
    path = tmp_path / "lines.csv"
    path.write_bytes(b"a,b\r\n1,x\ry\n2,z")
    guess = EncodingGuess("utf-8", "UTF-8", 1.0)
    with open_text(path, guess) as text:
        assert list(text) == ["a,b\r\n", "1,x\ry\n", "2,z"]
    path.write_bytes(b"a,b\r1,2\r")
    with open_text(path, guess, newline="\r") as text:
        assert text.readline() == "a,b\r"
        assert text.read() == "1,2\r"


def test_utf16_stream_decodes_through_open_text(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes(REVIEWS_CHINESE.encode("utf-16"))
    guess = detect_encoding(path.read_bytes())
    with open_text(path, guess) as text:
        assert "".join(text) == REVIEWS_CHINESE
    assert text.repaired_count == 0


def test_decode_sample_counts_repairs_and_respects_a_cut_end():
    sample = "naïve".encode("cp1252") + " café".encode("utf-8")
    text, repaired = decode_sample(sample, EncodingGuess("utf-8", "UTF-8", 0.7), complete=True)
    assert (text, repaired) == ("naïve café", 1)
    text, repaired = decode_sample("café".encode("utf-8")[:-1], EncodingGuess("utf-8", "UTF-8", 1), complete=False)
    assert (text, repaired) == ("caf", 0)


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n" + bytes(200),
    bytes(range(256)) * 20,
    b"\x00\x01\x02\x03" * 500,
    b"%PDF-1.7\n...",
])
def test_binary_is_detected(data):
    assert looks_binary(data)


@pytest.mark.parametrize("data", [
    REVIEWS_LATIN.encode("utf-8"),
    REVIEWS_LATIN.encode("cp1252"),
    REVIEWS_CHINESE.encode("gbk"),
    REVIEWS_CHINESE.encode("utf-16"),
    REVIEWS_LATIN.encode("utf-16-le"),
    b"",
])
def test_text_is_not_binary(data):
    assert not looks_binary(data)
