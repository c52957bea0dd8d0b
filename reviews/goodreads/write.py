"""Write rows as a Goodreads library export, which Goodreads (and
:func:`reviews.goodreads.parse.parse_export`) reads back."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from typing import IO, cast

from ..isbn import isbn13_to_isbn10
from .rows import EXPORT_COLUMNS, GoodreadsRow, club_review_note, format_title


def _excel(value: str) -> str:
    # Goodreads writes ISBNs as Excel formulas so Excel keeps leading zeros.
    return f'="{value}"'


def _format_date(value: date | None) -> str:
    return value.strftime("%Y/%m/%d") if value else ""


def write_export(rows: Iterable[GoodreadsRow], fileobj: IO[str] | IO[bytes]) -> None:
    """Write ``rows`` as a 31-column Goodreads library export.

    ``parse_export`` reads the output back into equal rows. Columns this module
    does not track (publisher, average rating, …) are left empty. A binary file
    object gets UTF-8; a text file object should be opened with ``newline=""``.
    """
    if isinstance(fileobj, io.RawIOBase | io.BufferedIOBase) or (
        "b" in getattr(fileobj, "mode", "")
    ):
        binary = cast(IO[bytes], fileobj)
        wrapper = io.TextIOWrapper(binary, encoding="utf-8", newline="")
        try:
            _write(rows, wrapper)
        finally:
            wrapper.flush()
            wrapper.detach()
        return
    _write(rows, cast(IO[str], fileobj))


def _write(rows: Iterable[GoodreadsRow], fileobj: IO[str]) -> None:
    writer = csv.writer(fileobj, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        isbn10 = isbn13_to_isbn10(row.isbn13) if row.isbn13 else None
        year = "" if row.year_published is None else str(row.year_published)
        values = {
            "Book Id": "" if row.goodreads_id is None else str(row.goodreads_id),
            "Title": format_title(row.title, row.series_name, row.series_position),
            "Author": row.author,
            "ISBN": _excel(isbn10 or ""),
            "ISBN13": _excel(row.isbn13 or ""),
            "My Rating": str(row.rating or 0),
            "Year Published": year,
            "Original Publication Year": year,
            "Date Read": _format_date(row.date_read),
            "Date Added": _format_date(row.date_added),
            # Goodreads lists the exclusive shelf among the shelves, except "read".
            "Bookshelves": "" if row.shelf == "read" else row.shelf,
            "Exclusive Shelf": row.shelf,
            "My Review": row.review_html,
            "Spoiler": "true" if row.review_is_spoiler else "false",
            "Private Notes": (
                club_review_note(row.club_review, row.club_revision)
                if row.club_review
                else ""
            ),
            "Read Count": str(row.read_count),
            "Owned Copies": "0",
        }
        writer.writerow([values.get(name, "") for name in EXPORT_COLUMNS])
