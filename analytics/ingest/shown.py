"""User values quoted in messages: short, so a message never grows with the value it quotes."""
from __future__ import annotations

SHOWN_CHARS = 40


def shorten(text: object, limit: int = SHOWN_CHARS) -> str:
    """The value as text, cut to ``limit`` characters with an ellipsis.

    >>> shorten("x" * 100, 5)
    'xxxx…'
    """
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quoted(text: object, limit: int = SHOWN_CHARS) -> str:
    """The shortened value in single quotes, as messages quote a user's value."""
    return f"'{shorten(text, limit)}'"
