"""Read what a user sees in a Markdown-rendered string the pages send.

The pages escape user text (backslashes before markup characters, a word joiner in links and icon codes), so
tests compare on the text as it reads, not on the Markdown source.
"""
from __future__ import annotations


def as_read(markdown: str) -> str:
    """The text a reader sees: escapes and word joiners removed."""
    return markdown.replace("\\", "").replace("\u2060", "")


def all_read(elements) -> str:
    """Every element's value as read, joined by spaces (captions, infos, warnings)."""
    return " ".join(as_read(element.value) for element in elements)
