"""Nested API representations shared by API v2 and v3.

Wagtail's v3 schema generator runs ``APIField(serializer=…)`` fields through
the same ``to_representation``, so both versions show the same shape.
"""

from __future__ import annotations

from typing import Any

from rest_framework.fields import Field

from ..members import display_name


def series_memberships(book) -> list[dict[str, Any]]:
    """The series a book belongs to, using a prefetch when there is one."""
    entries = book.series_entries.all()
    return [
        {
            "id": entry.series_id,
            "title": entry.series.title,
            "position": entry.position_number,
        }
        for entry in entries
        if entry.series.live
    ]


def book_summary(book) -> dict[str, Any]:
    return {
        "id": book.pk,
        "title": book.title,
        "author": book.author,
        "isbn13": book.isbn13,
        "series": series_memberships(book),
    }


class BookSummaryField(Field):
    """``book`` on a review: ``{id, title, author, isbn13, series}``."""

    def __init__(self, **kwargs) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> dict[str, Any]:
        return book_summary(value)


class ReviewerField(Field):
    """``reviewer`` on a review: the display name only, never a login or email."""

    def __init__(self, **kwargs) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> dict[str, Any]:
        return {"display_name": display_name(value)}
