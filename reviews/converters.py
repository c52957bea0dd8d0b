"""Path converters for the plugin's own URLs."""

from __future__ import annotations

from .api.params import MAX_ID
from .chapter_ranges import ChapterRange


class ObjectIdConverter:
    """A database id: like ``<int:…>``, but a number no id column can hold
    does not match, so the URL is a 404 instead of a database error."""

    regex = "[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError(f"{value} is not a valid id.")
        return number

    def to_url(self, value: int) -> str:
        return str(value)


class ChapterRangeConverter:
    """A range of chapters in a URL (``6-10``, ``ending``).

    Matches any path segment and hands the text to the view, which answers a
    malformed range with a 400 that says what is wrong (a converter that
    refused it would make it a bare 404). Reverses a
    :class:`reviews.chapter_ranges.ChapterRange` to its slug.
    """

    regex = "[^/]{1,40}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: ChapterRange | str) -> str:
        return value.slug if isinstance(value, ChapterRange) else str(value)
