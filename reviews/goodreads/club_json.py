"""Read the club's own JSON reading export back as Goodreads rows.

Plain Python, no Django, like :mod:`.parse`: the JSON that ``export_json``
writes becomes the same :class:`~.parse.GoodreadsRow` objects its CSV twin
would, so one importer handles both and importing either changes nothing for
the member who exported it. Each book is one row with its latest review, as in
the CSV; the review keeps its identity (``key``, ``revision``) and its spoiler
scopes (in ``goodreads_html``).

A book entry that cannot be read is a :class:`~.parse.RowError` whose line is
the entry's position in ``books`` (the first is 1); the others still import.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from .rows import GoodreadsRow, ParseResult, RowError

__all__ = ["FORMAT_NAME", "looks_like_json", "parse_club_json"]

FORMAT_NAME = "bookclub-reading-export"


class _EntryInvalid(Exception):
    pass


def looks_like_json(text: str) -> bool:
    """A Goodreads CSV starts with its header; the club's JSON with ``{``."""
    return text.lstrip().startswith("{")


def parse_club_json(text: str) -> ParseResult:
    """Rows for each book of a club reading export.

    Raises ``ValueError`` when the text is not such an export at all.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"The file is not valid JSON (line {error.lineno}: {error.msg})."
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise ValueError("The JSON file is not a reading export of this club.")
    books = data.get("books")
    if not isinstance(books, list):
        raise ValueError("The reading export has no list of books.")
    result = ParseResult()
    for position, entry in enumerate(books, 1):
        try:
            result.rows.append(_row(position, entry))
        except _EntryInvalid as invalid:
            title = ""
            if isinstance(entry, dict) and isinstance(entry.get("book"), dict):
                title = str(entry["book"].get("title") or "")[:80]
            result.errors.append(RowError(position, str(invalid), title))
    return result


def _row(position: int, entry: Any) -> GoodreadsRow:
    if not isinstance(entry, dict) or not isinstance(entry.get("book"), dict):
        raise _EntryInvalid("book: missing.")
    book = entry["book"]
    title = _text(book, "title")
    author = _text(book, "author")
    problems = [f"{name}: missing." for name, value in
                (("title", title), ("author", author)) if not value]  # fmt: skip
    series = book.get("series") if isinstance(book.get("series"), dict) else None
    reviews = entry.get("reviews") if isinstance(entry.get("reviews"), list) else []
    review = reviews[-1] if reviews and isinstance(reviews[-1], dict) else {}
    try:
        row = GoodreadsRow(
            line=position,
            goodreads_id=_optional_int(entry.get("goodreads_id"), "goodreads_id"),
            title=title,
            author=author,
            isbn13=(str(book["isbn13"]) if book.get("isbn13") else None),
            rating=_stars(entry.get("rating")),
            year_published=_optional_int(book.get("published_year"), "year"),
            date_read=_date(entry.get("date_read"), "date_read"),
            date_added=_date(entry.get("date_added"), "date_added"),
            shelf=str(entry.get("shelf") or ""),
            review_html=str(review.get("goodreads_html") or ""),
            review_is_spoiler=False,
            series_name=(str(series.get("title") or "") or None) if series else None,
            series_position=_position(series.get("position")) if series else None,
            read_count=_optional_int(entry.get("read_count"), "read_count") or 0,
            club_review=str(review["key"]) if review.get("key") else None,
            club_revision=_optional_int(review.get("revision"), "revision"),
        )
    except _EntryInvalid as invalid:
        problems.append(str(invalid))
        row = None
    if problems or row is None:
        raise _EntryInvalid(" ".join(problems))
    return row


def _text(data: dict, name: str) -> str:
    value = data.get(name)
    return " ".join(value.split()) if isinstance(value, str) else ""


def _optional_int(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _EntryInvalid(f"{name}: {value!r} is not a whole number.")
    return value


def _stars(value: Any) -> int | None:
    """The club's half stars in Goodreads' whole ones, as the CSV has them."""
    if value is None:
        return None
    try:
        stars = int(Decimal(str(value)).quantize(Decimal(1), ROUND_HALF_UP))
    except InvalidOperation:
        raise _EntryInvalid(f"rating: {value!r} is not a number.") from None
    if not 0 <= stars <= 5:
        raise _EntryInvalid(f"rating: {value!r} is not from 0 to 5.")
    return stars or None


def _position(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value)).normalize()
    except InvalidOperation:
        raise _EntryInvalid(f"series position: {value!r} is not a number.") from None


def _date(value: Any, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise _EntryInvalid(f"{name}: {value!r} is not a date.") from None
