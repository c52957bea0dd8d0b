"""How the importer recognises books and rows it has seen before.

Pure Python, no Django: book matching compares titles and authors without case,
accents, punctuation or spacing, and digests tell an unchanged row or review
from a changed one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import unicodedata
from typing import Any

from .rows import GoodreadsRow

__all__ = [
    "book_match_key",
    "digest",
    "normalise_text",
    "row_digest",
    "source_key",
]

_NOT_WORD = re.compile(r"[\W_]+")


def normalise_text(text: str) -> str:
    """Case, accents, punctuation and spacing removed: ``"Le Guin, Ursula K."``
    and ``"le guin ursula k"`` compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", bare.casefold()).strip()


def book_match_key(title: str, author: str) -> tuple[str, str]:
    return normalise_text(title), normalise_text(author)


def digest(data: Any) -> str:
    encoded = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def row_digest(row: GoodreadsRow) -> str:
    values = {f.name: getattr(row, f.name) for f in dataclasses.fields(row)}
    # Where the row came from, not what it says: an unchanged row stays one.
    for name in ("line", "club_review", "club_revision", "warnings"):
        values.pop(name)
    return digest(values)


def source_key(row: GoodreadsRow) -> str:
    """How a row is recognised when the same export is imported again."""
    if row.goodreads_id is not None:
        return f"goodreads:{row.goodreads_id}"
    if row.isbn13:
        return f"isbn:{row.isbn13}"
    title, author = book_match_key(row.title, row.author)
    return "title:" + hashlib.sha256(f"{title}\0{author}".encode()).hexdigest()[:40]
