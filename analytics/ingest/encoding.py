"""Character-encoding detection and forgiving decoding of uploaded text files."""
from __future__ import annotations

import codecs
import io
import itertools
import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

FALLBACK_ERRORS = "gapsight-cp1252-fallback"
"""Name of the registered codecs error handler that reads undecodable bytes as Windows-1252."""

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32 LE with BOM"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 BE with BOM"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE with BOM"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE with BOM"),
)
_LATIN_CODECS = {"latin_1", "latin-1", "iso8859_1", "iso8859-1", "iso8859_15", "iso8859-15", "cp1252",
                 "windows-1252", "ascii"}
_CHINESE_CODECS = {"gb2312", "gbk", "gb18030", "hz", "cp936", "euc_cn"}
_MULTIBYTE_CODECS = {"cp949", "euc_kr", "johab", "shift_jis", "shift_jis_2004", "cp932", "euc_jp",
                     "euc_jis_2004", "big5", "big5hkscs", "cp950"}
_LABELS = {
    "utf-8": "UTF-8",
    "cp1252": "Windows-1252 (Western European)",
    "gb18030": "GB18030 (Chinese, reads GBK and GB2312)",
    "big5": "Big5 (Traditional Chinese)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "cp1250": "Windows-1250 (Central European)",
    "shift_jis": "Shift-JIS (Japanese)",
    "cp932": "Shift-JIS (Japanese)",
    "euc_kr": "EUC-KR (Korean)",
    "cp949": "EUC-KR (Korean)",
}
_BINARY_MAGIC: tuple[bytes, ...] = (
    b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"\x1f\x8b", b"PK\x03\x04", b"7z\xbc\xaf",
    b"\xd0\xcf\x11\xe0", b"BZh", b"\x7fELF", b"MZ", b"Rar!",
)

_HIGH_RUN = re.compile(rb"[\x80-\xff]+")

# The error handler is global (codecs registry), so the stream being decoded registers itself
# here for the duration of each decode call; that keeps repair counts per stream and per thread.
_active = threading.local()


@dataclass(frozen=True)
class EncodingGuess:
    """How a file's bytes should be turned into text, and how sure the guess is."""

    codec: str
    label: str
    confidence: float
    has_bom: bool = False


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode the offending bytes as Windows-1252 (Latin-1 for its 5 unassigned bytes)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start:error.end]
    text = "".join(bytes([b]).decode("cp1252", errors="strict") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
                   else chr(b) for b in bad)
    sink = getattr(_active, "sink", None)
    if sink is not None:
        sink.repaired_count += 1
    return text, error.end


codecs.register_error(FALLBACK_ERRORS, _cp1252_fallback)


def _label(codec: str) -> str:
    return _LABELS.get(codec, codec.upper().replace("_", "-"))


def _normal_codec(name: str) -> str:
    """Python's canonical spelling of a codec name (``"utf_8"`` → ``"utf-8"``)."""
    return codecs.lookup(name).name


def _utf16_without_bom(sample: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when NUL bytes sit on every other byte, as in BOM-less UTF-16 text."""
    head = sample[:4096]
    if len(head) < 4:
        return None
    even = head[0::2].count(0) / max(len(head[0::2]), 1)
    odd = head[1::2].count(0) / max(len(head[1::2]), 1)
    codec = "utf-16-le" if odd > 0.15 and even < 0.02 else "utf-16-be" if even > 0.15 and odd < 0.02 else None
    if codec is None:
        return None
    text = head[: len(head) // 2 * 2].decode(codec, errors="replace")
    return codec if is_printable_text(text) else None


def _utf8_counts(sample: bytes, *, complete: bool) -> tuple[int, int]:
    """(valid non-ASCII characters, invalid byte sequences) when reading ``sample`` as UTF-8.

    A character cut by the end of an incomplete sample is not invalid, unless the sample is short
    and that is its only non-ASCII byte sequence: then nothing speaks for UTF-8
    (``b"caf\xe9"`` is Windows-1252 "café", not the start of a cut character).
    """
    text, consumed = codecs.utf_8_decode(sample, "replace", complete)
    invalid = text.count("\ufffd") - sample.count(b"\xef\xbf\xbd")
    valid = len(text) - len(text.encode("ascii", "ignore")) - invalid
    if consumed < len(sample) and valid == 0 and len(sample) < 4096:
        invalid += 1
    return valid, invalid


def _high_byte_isolation(sample: bytes) -> float:
    """Share of non-ASCII bytes in runs of at most two between ASCII bytes (accented Latin letters)."""
    runs = [len(m) for m in _HIGH_RUN.findall(sample)]
    total = sum(runs)
    return sum(r for r in runs if r <= 2) / total if total else 1.0


def _gb2312_share(sample: bytes) -> float:
    """Share of non-ASCII characters that are common simplified Chinese when read as GB18030; 0 if invalid."""
    try:
        text = codecs.getincrementaldecoder("gb18030")().decode(sample, False)
    except UnicodeDecodeError:
        return 0.0
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return 0.0
    common = 0
    for char in non_ascii:
        try:
            char.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass  # not a common simplified character: counts against the GB guess
    return common / len(non_ascii)


def detect_encoding(sample: bytes, *, complete: bool = False) -> EncodingGuess:
    """Guess the encoding of a file from its first bytes.

    Byte-order marks win; then BOM-less UTF-16; then strict UTF-8 (a sample cut in the middle of
    a character still counts); then text that is mostly UTF-8 with a few Windows-1252 bytes; then
    GB18030 for Chinese and Windows-1252 for Western European text; charset-normalizer decides
    the rest.

    Parameters
    ----------
    sample : bytes
        The first bytes of the file (a megabyte is plenty).
    complete : bool
        True when ``sample`` is the whole file, so a character cut at its end is an error and
        not an artefact of sampling.

    Returns
    -------
    EncodingGuess
        A Python codec name, a readable label, a confidence in [0, 1] and whether a BOM was seen.

    Examples
    --------
    >>> detect_encoding("café".encode("utf-8")).codec
    'utf-8'
    >>> detect_encoding("naïve café".encode("cp1252")).codec
    'cp1252'
    """
    for bom, codec, label in _BOMS:
        if sample.startswith(bom):
            return EncodingGuess(codec, label, 1.0, True)
    utf16 = _utf16_without_bom(sample)
    if utf16:
        return EncodingGuess(utf16, f"UTF-16 {utf16[-2:].upper()} (no BOM)", 0.8, False)
    valid, invalid = _utf8_counts(sample, complete=complete)
    if invalid == 0:
        return EncodingGuess("utf-8", "UTF-8", 0.99 if valid else 0.9, False)
    if valid > invalid:
        # Mostly UTF-8: the few bad bytes are read as Windows-1252 by the fallback error handler.
        # (GBK, Big5, Shift-JIS and EUC-KR text gives at most one valid sequence per two invalid ones.)
        return EncodingGuess("utf-8", "UTF-8 (with some Windows-1252 bytes)", 0.7, False)

    matches = list(from_bytes(sample))
    best_chaos = min((m.chaos for m in matches), default=1.0)
    tied = {_normal_codec(m.encoding) for m in matches if m.chaos <= best_chaos + 0.02}
    high_bytes = sum(map(len, _HIGH_RUN.findall(sample)))
    sure = 0.9 if high_bytes >= 40 else 0.7
    foreign_multibyte = tied & {_normal_codec(c) for c in _MULTIBYTE_CODECS}
    if _gb2312_share(sample) >= 0.9 and ("gb18030" in tied or not foreign_multibyte):
        return EncodingGuess("gb18030", _label("gb18030"), sure, False)
    if _high_byte_isolation(sample) >= 0.75:
        # Western European text: accented letters between ASCII letters ("café", "Müller").
        return EncodingGuess("cp1252", _label("cp1252"), round(sure - 0.05, 2), False)
    best = min(matches, key=lambda m: m.chaos, default=None)
    if best is None:
        return EncodingGuess("cp1252", _label("cp1252") + " (unsure)", 0.1, False)
    codec = _normal_codec(best.encoding)
    if codec in {_normal_codec(c) for c in _LATIN_CODECS}:
        codec = "cp1252"
    elif codec in {_normal_codec(c) for c in _CHINESE_CODECS}:
        codec = "gb18030"
    elif codec.startswith(("utf-16", "utf-32")):
        # Without a BOM or the NUL pattern of UTF-16, such a guess is noise from a short sample.
        codec = "cp1252"
    return EncodingGuess(codec, _label(codec), round(max(0.1, 1.0 - best.chaos) * sure, 2), False)


def looks_binary(sample: bytes) -> bool:
    """Whether a sample looks like binary data rather than text.

    Parameters
    ----------
    sample : bytes
        The first bytes of the file.

    Returns
    -------
    bool
        True for known binary signatures (images, PDF, archives, executables), NUL bytes outside
        UTF-16/32 text, or a high share of control characters.
    """
    if not sample:
        return False
    if any(sample.startswith(bom) for bom, _, _ in _BOMS) or _utf16_without_bom(sample):
        return False
    if sample.startswith(_BINARY_MAGIC):
        return True
    head = sample[:65536]
    if b"\x00" in head[:512] or head.count(0) > len(head) / 2000:
        return True
    controls = sum(1 for b in head if b < 0x20 and b not in (0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1A, 0x1B))
    return controls / len(head) > 0.05


class DecodedText:
    """A text stream over a file, decoded with a guessed codec, that never fails on bad bytes.

    Bytes that are invalid in the codec are read as Windows-1252 and counted in
    ``repaired_count``. Lines are split on ``newline`` only (``"\\n"``, or ``"\\r"`` for old Mac
    files) and keep their line ending, which is what :mod:`csv` expects from a file opened with
    ``newline=''``; a carriage return inside a line is left for the parser to judge.

    Attributes
    ----------
    repaired_count : int
        Byte sequences read as Windows-1252 so far.
    bytes_read : int
        Bytes consumed from the file so far (for progress bars).
    """

    def __init__(self, path: Path, guess: EncodingGuess, *, newline: str = "\n", block_size: int = 1 << 20):
        if newline not in ("\n", "\r"):
            raise ValueError(f"newline={newline!r} should be '\\n' or '\\r'")
        self.path = Path(path)
        self.guess = guess
        self.newline = newline
        self.repaired_count = 0
        self.bytes_read = 0
        self._block_size = block_size
        self._decoder = codecs.getincrementaldecoder(guess.codec)(errors=FALLBACK_ERRORS)
        self._file = open(self.path, "rb")  # noqa: SIM115 - closed by close()/__exit__
        self._buffer = ""
        self._eof = False

    def _fill(self) -> bool:
        """Decode one more block into the buffer; False once the file is exhausted."""
        if self._eof:
            return False
        data = self._file.read(self._block_size)
        self.bytes_read += len(data)
        self._eof = not data
        previous = getattr(_active, "sink", None)
        _active.sink = self
        try:
            self._buffer += self._decoder.decode(data, final=self._eof)
        finally:
            _active.sink = previous
        return True

    def read(self, size: int = -1) -> str:
        """Read up to ``size`` characters (everything left when negative)."""
        while (size < 0 or len(self._buffer) < size) and self._fill():
            pass
        if size < 0:
            size = len(self._buffer)
        text, self._buffer = self._buffer[:size], self._buffer[size:]
        return text

    def readline(self) -> str:
        """Read one line including its ending; ``""`` at the end of the file."""
        while True:
            end = self._buffer.find(self.newline)
            if end >= 0:
                line, self._buffer = self._buffer[:end + 1], self._buffer[end + 1:]
                return line
            if not self._fill():
                line, self._buffer = self._buffer, ""
                return line

    def __iter__(self) -> Iterator[str]:
        # StringIO splits a block into lines in C; chaining the blocks keeps Python out of the per-line path.
        return itertools.chain.from_iterable(self._line_blocks())

    def _line_blocks(self) -> Iterator[io.StringIO]:
        while self._fill() or self._buffer:
            end = self._buffer.rfind(self.newline)
            if self._eof:
                block, self._buffer = self._buffer, ""
            elif end < 0:
                continue  # a line longer than the block: read on
            else:
                block, self._buffer = self._buffer[:end + 1], self._buffer[end + 1:]
            yield io.StringIO(block, newline=self.newline)

    def close(self) -> None:
        """Close the underlying file."""
        self._file.close()

    def __enter__(self) -> DecodedText:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_text(path: Path, guess: EncodingGuess, *, newline: str = "\n") -> DecodedText:
    """Open a file as text with a guessed encoding, repairing bytes the encoding cannot read.

    Parameters
    ----------
    path : Path
        The file.
    guess : EncodingGuess
        Usually ``detect_encoding(first_megabyte)``.
    newline : {"\\n", "\\r"}
        The line terminator to split lines on (``"\\r\\n"`` endings split on ``"\\n"``).

    Returns
    -------
    DecodedText
        A context manager and iterator of lines; ``repaired_count`` tells how many byte sequences
        were not valid in ``guess.codec`` and were read as Windows-1252 instead.

    Examples
    --------
    >>> with open_text(path, detect_encoding(path.read_bytes()[:1 << 20])) as text:  # doctest: +SKIP
    ...     lines = list(text)
    """
    return DecodedText(path, guess, newline=newline)


def decode_sample(sample: bytes, guess: EncodingGuess, *, complete: bool) -> tuple[str, int]:
    """Decode a sample with the fallback handler; returns the text and the repaired-sequence count.

    Parameters
    ----------
    sample : bytes
        The first bytes of a file.
    guess : EncodingGuess
        The encoding to read them with.
    complete : bool
        True when the sample is the whole file; otherwise a character cut at the end is dropped.

    Returns
    -------
    tuple of (str, int)
    """

    class _Counter:
        repaired_count = 0

    counter = _Counter()
    previous = getattr(_active, "sink", None)
    _active.sink = counter
    try:
        text = codecs.getincrementaldecoder(guess.codec)(errors=FALLBACK_ERRORS).decode(sample, final=complete)
    finally:
        _active.sink = previous
    return text, counter.repaired_count


def is_printable_text(text: str) -> bool:
    """Whether decoded text is mostly printable (a last check against binary read as text).

    Parameters
    ----------
    text : str
        Decoded text; the first 20,000 characters are checked.

    Returns
    -------
    bool
        False when over 5% are control, unassigned or private-use characters or U+FFFD.
    """
    if not text:
        return True
    head = text[:20000]
    bad = sum(1 for c in head if c == "\ufffd" or (unicodedata.category(c) in ("Cc", "Co", "Cn", "Cs")
                                                    and c not in "\t\r\n\x0b\x0c"))
    return bad / len(head) < 0.05
