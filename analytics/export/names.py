"""File names for downloads built from user-chosen names (dataset names can hold any character)."""
from __future__ import annotations

import re
import unicodedata

SLUG_LENGTH = 60


def file_slug(name: str, *, fallback: str = "dataset") -> str:
    """A lower-case slug of letters and digits joined by hyphens: safe in a file name on every system.

    Accents are dropped, letters of other scripts kept (a Chinese dataset keeps its name), everything else (path
    separators, quotes, spaces, ``_``) becomes one hyphen; at most 60 characters; ``fallback`` when nothing is left.

    >>> file_slug("Café reviews (Q1).csv")
    'cafe-reviews-q1-csv'
    >>> file_slug("../../etc/passwd"), file_slug("京东 评论"), file_slug("<>")
    ('etc-passwd', '京东-评论', 'dataset')
    """
    decomposed = unicodedata.normalize("NFKD", str(name))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    slug = re.sub(r"[\W_]+", "-", plain.lower()).strip("-")
    return slug[:SLUG_LENGTH].strip("-") or fallback
