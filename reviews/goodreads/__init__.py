"""Goodreads library export: parsing, review-body conversion and writing.

What this package exports is plain Python with no Django imports, so it can be
used and tested on its own. The modules that touch the database are imported
by name: ``importer`` (``import_export``, used by ``manage.py import_goodreads``
and the admin view in ``admin_views``) and ``export`` (a member's reading as a
Goodreads CSV or JSON).
"""

from .body import (
    DEFAULT_SPOILER_LABEL,
    SpoiledBook,
    review_to_stream,
    stream_to_review_html,
)
from .parse import parse_export
from .rows import EXPORT_COLUMNS, GoodreadsRow, ParseResult, RowError
from .write import write_export

__all__ = [
    "DEFAULT_SPOILER_LABEL",
    "EXPORT_COLUMNS",
    "GoodreadsRow",
    "ParseResult",
    "RowError",
    "SpoiledBook",
    "parse_export",
    "review_to_stream",
    "stream_to_review_html",
    "write_export",
]
