"""Fuzz inputs made by code: clean review exports (CSV, JSON lines, XLSX, Parquet) and mutations of them.

Nothing here is copied from real data; every file comes from a seeded ``random.Random``.
"""
from __future__ import annotations

import gzip
import io
import json
import random
import re
import zipfile
from collections.abc import Callable
from datetime import datetime

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq

WORDS = ("late", "broken", "great", "refund", "support", "fast", "slow", "退款", "très", "bien", "=1+1", "**b**",
         "<b>x</b>", "naïve", "😀", "\u202e", "a,b", 'say "hi"', "line\nbreak", "$x$")
FIXED_TIME = datetime(2024, 1, 1)
HEADER = ["review_id", "date", "rating", "text", "product", "channel", "customer_id", "amount"]
SYMBOL_NAMES = ("%", "#", "!!", "''", "()", "$", "*", "\u200b", "", " ")
ODD_VALUES = ("NaN", "inf", "-inf", "1e999", "9" * 4301, "0000-01-01", "9999-12-31", "0001-01-01", "1969-12-31",
              "\x00", "", "=cmd|' /C calc'!A0", "-0", "5 stars", "½")


def _rows(rng: random.Random, n: int) -> list[list[str]]:
    return [[f"r{i}", f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", str(rng.randint(1, 5)),
             " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 12))), f"P{rng.randint(1, 5)}",
             rng.choice(("email", "chat", "phone")), f"c{rng.randint(1, 30)}", f"{rng.uniform(-50, 500):.2f}"]
            for i in range(n)]


def _csv(header: list[str], rows: list[list[str]], delimiter: str = ",") -> bytes:
    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in f'{delimiter}"\n\r') else value
    return "".join(delimiter.join(cell(v) for v in row) + "\n" for row in [header, *rows]).encode()


def seed_file(rng: random.Random) -> tuple[bytes, str]:
    """One clean export of a few rows, in a random format."""
    rows = _rows(rng, rng.randint(2, 40))
    kind = rng.choice(("csv", "csv", "tsv", "jsonl", "xlsx", "parquet"))
    if kind == "csv":
        return _csv(HEADER, rows, rng.choice((",", ";", "|"))), "reviews.csv"
    if kind == "tsv":
        return _csv(HEADER, rows, "\t"), "reviews.tsv"
    if kind == "jsonl":
        return "".join(json.dumps(dict(zip(HEADER, r)), ensure_ascii=rng.random() < 0.5) + "\n"
                       for r in rows).encode(), "reviews.jsonl"
    if kind == "xlsx":
        workbook = openpyxl.Workbook()
        for row in [HEADER, *rows]:
            workbook.active.append([v.replace("\x00", "") for v in row])
        workbook.properties.created = workbook.properties.modified = FIXED_TIME
        buffer = io.BytesIO()
        workbook.save(buffer)
        return _fixed_zip_times(buffer.getvalue()), "reviews.xlsx"
    buffer = io.BytesIO()
    pq.write_table(pa.table({h: [r[i] for r in rows] for i, h in enumerate(HEADER)}), buffer)
    return buffer.getvalue(), "reviews.parquet"


def _fixed_zip_times(data: bytes) -> bytes:
    """The zip with every member dated FIXED_TIME: openpyxl stamps the clock, and a length that changes with it
    would change what the seeded generator draws next (a seed must give the same files in every run)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            body = source.read(member)
            if member.filename == "docProps/core.xml":  # openpyxl writes the save time as "modified"
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-01-01T00:00:00Z", body)
            target.writestr(zipfile.ZipInfo(member.filename, FIXED_TIME.timetuple()[:6]), body)
    return out.getvalue()


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _flip(data, rng):
    out = bytearray(data)
    for _ in range(rng.randint(1, 12)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _insert(data, rng, piece: bytes, times: int):
    out = bytearray(data)
    for _ in range(times):
        at = rng.randrange(len(out) + 1)
        out[at:at] = piece
    return bytes(out)


def _header(data, rng, names):
    lines = _lines(data)
    lines[0] = ",".join(names).encode()
    return b"\n".join(lines)


def _odd_cells(data, rng):
    lines = _lines(data)
    for i in range(1, len(lines) - 1):
        cells = lines[i].split(b",")
        cells[rng.randrange(len(cells))] = rng.choice(ODD_VALUES).encode()
        lines[i] = b",".join(cells)
    return b"\n".join(lines)


def _wide(rng):
    width = rng.choice((rng.randint(900, 1000), rng.randint(1001, 1300)))
    names = ["text", *(f"q{i}" for i in range(width - 1))]
    rows = [[f"review {r}", *(str(rng.randint(1, 5)) for _ in range(width - 1))] for r in range(rng.randint(2, 6))]
    return _csv(names, rows)


def _broken_xlsx(data, rng):
    if not data.startswith(b"PK"):
        return data
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename.endswith(".xml") and rng.random() < 0.5:
                body = body[: rng.randrange(len(body) + 1)] + rng.choice((b"", b"<x", b"&bogus;", b"\x00"))
            out.writestr(item, body)
    return target.getvalue()


def _zipped(data, rng):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("reviews.csv", FIXED_TIME.timetuple()[:6]), data)
    return buffer.getvalue()


def _deep_json(data, rng):
    depth = rng.choice((30, 70, 1500, 100_000))
    return data + ('{"text": "deep", "x": ' + "[" * depth + "]" * depth + "}\n").encode()


def _many_keys(data, rng):
    return "".join(json.dumps({f"k{i}_{j}": j for j in range(rng.randint(2, 4))} | {"text": "t"}) + "\n"
                   for i in range(rng.randint(300, 1200))).encode()


def _reencode(data, rng):
    text = data.decode("utf-8", "replace")
    codec = rng.choice(("utf-16", "utf-16-be", "cp1252", "latin-1", "gb18030", "shift_jis", "utf-8-sig"))
    if rng.random() < 0.5:
        return text.encode(codec, "replace")
    half = len(text) // 2
    return text[:half].encode("utf-8") + text[half:].encode(codec, "replace")


def _long_value(data, rng):
    lines = _lines(data)
    if len(lines) > 2:
        cells = lines[1].split(b",")
        cells[rng.randrange(len(cells))] = rng.choice((b"x", b"9", b"2024-")) * rng.randint(10_000, 300_000)
        lines[1] = b",".join(cells)
    return b"\n".join(lines)


MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "clean": lambda d, r: d,
    "byte_flips": _flip,
    "truncated": lambda d, r: d[: r.randrange(len(d) + 1)],
    "delimiter": lambda d, r: d.replace(b",", r.choice((b";", b"\t", b"|", b":", b" ", b"\x00", b""))),
    "quote_imbalance": lambda d, r: _insert(d, r, b'"', r.randint(1, 5)),
    "nul_bytes": lambda d, r: _insert(d, r, b"\x00", r.randint(1, 50)),
    "bom_in_middle": lambda d, r: _insert(d, r, r.choice((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")), 3),
    "mixed_encoding": _reencode,
    "duplicate_header": lambda d, r: _header(d, r, ["text", "text", "Text", "rating", "rating"] + ["x"] * 3),
    "empty_header": lambda d, r: _header(d, r, [""] * 8),
    "symbol_header": lambda d, r: _header(d, r, [r.choice(SYMBOL_NAMES) for _ in range(8)]),
    "header_only": lambda d, r: _lines(d)[0] + b"\n",
    "zero_bytes": lambda d, r: b"",
    "binary": lambda d, r: bytes(r.randrange(256) for _ in range(r.randint(1, 5000))),
    "png": lambda d, r: b"\x89PNG\r\n\x1a\n" + bytes(r.randrange(256) for _ in range(200)),
    "zip_renamed": _zipped,
    "gzip": lambda d, r: gzip.compress(d, mtime=0),
    "broken_xlsx": _broken_xlsx,
    "deep_json": _deep_json,
    "many_keys": _many_keys,
    "odd_cells": _odd_cells,
    "surrogates": lambda d, r: b'{"text": "bad \\ud800 x", "rat\\udfffing": 5}\n{"text": "ok", "rating": 4}\n',
    "very_wide": lambda d, r: _wide(r),
    "long_value": _long_value,
    "cr_only": lambda d, r: d.replace(b"\n", b"\r"),
    "blank_lines": lambda d, r: d.replace(b"\n", b"\n\n \n"),
    "splice": lambda d, r: d[: len(d) // 2] + seed_file(r)[0][len(d) // 2:],
}
NAMES = (None, None, None, "评" * 100 + ".csv", "../../etc/passwd", "a b?*.csv", "x.xlsx", "data.jsonl", "noext")


def fuzz_file(rng: random.Random) -> tuple[bytes, str, str]:
    """One fuzz input: (content, file name, mutation name), content under 1 MB."""
    data, name = seed_file(rng)
    mutation = rng.choice(list(MUTATIONS))
    mutated = MUTATIONS[mutation](data, rng)[: 1 << 20]
    return mutated, rng.choice(NAMES) or name, mutation
