"""What a Goodreads library export holds, read or written: its columns, one
book's row, the errors of rows that cannot be read, and the conventions the
club relies on in its cells (a series in the title, the club's note in
``Private Notes``).

Plain Python, no Django. Columns are found by header name, never by
position, because Goodreads has shipped exports with 31 columns (with
``Recommended For``, ``BCID`` and friends) and with 24; anything not needed
here may be missing.

The club's own exports say which review a row holds in the ``Private Notes``
column, ``[bookclub review=<uuid> revision=<id>]``, which Goodreads keeps and
never shows: importing the file back then finds that review instead of making
a second one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# The 31-column header of a Goodreads export, in Goodreads' order.
EXPORT_COLUMNS: tuple[str, ...] = (
    "Book Id", "Title", "Author", "Author l-f", "Additional Authors", "ISBN",
    "ISBN13", "My Rating", "Average Rating", "Publisher", "Binding",
    "Number of Pages", "Year Published", "Original Publication Year", "Date Read",
    "Date Added", "Bookshelves", "Bookshelves with positions", "Exclusive Shelf",
    "My Review", "Spoiler", "Private Notes", "Read Count", "Recommended For",
    "Recommended By", "Owned Copies", "Original Purchase Date",
    "Original Purchase Location", "Condition", "Condition Description", "BCID",
)  # fmt: skip
REQUIRED_COLUMNS: tuple[str, ...] = ("Title", "Author")
KNOWN_SHELVES: tuple[str, ...] = ("read", "currently-reading", "to-read")

# "Title (Series, #2)", "Title (Series #2)", "Title (Series, #2.5)". The series
# part may not contain parentheses; the title may ("Foo (Bar) (Series, #1)").
_SERIES = re.compile(
    r"^(?P<title>.*?\S)\s*\((?P<series>[^()]*?[^()\s,])\s*,?\s*#"
    r"(?P<position>\d+(?:\.\d+)?)\)\s*$",
    re.DOTALL,
)

# The review a row of the club's own export holds, in the Private Notes column.
CLUB_REVIEW_NOTE = re.compile(
    r"\[bookclub review=(?P<review>[0-9a-fA-F-]{32,36}) revision=(?P<revision>\d*)\]"
)


@dataclass(frozen=True)
class GoodreadsRow:
    """One book from the export.

    ``line`` is left out of equality so that a row survives a round trip
    through :func:`reviews.goodreads.write.write_export` even though it lands
    on another line.
    """

    line: int = field(compare=False)
    goodreads_id: int | None
    title: str
    author: str
    isbn13: str | None
    rating: int | None  # 1..5; None = unrated (Goodreads writes 0)
    year_published: int | None
    date_read: date | None
    date_added: date | None
    shelf: str  # "read", "currently-reading", "to-read" or a custom shelf
    review_html: str
    review_is_spoiler: bool
    series_name: str | None
    series_position: Decimal | None
    read_count: int
    # The club's own export: the review (its page's translation key) and the
    # revision it was exported from.
    club_review: str | None = None
    club_revision: int | None = None
    # Read, but with something the member should know (e.g. a UPC for ISBN13).
    warnings: tuple[str, ...] = field(default=(), compare=False)


def club_review_note(review: str, revision: int | None) -> str:
    """What the club writes in Private Notes to find a review again."""
    return f"[bookclub review={review} revision={revision or ''}]"


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str
    excerpt: str


@dataclass
class ParseResult:
    rows: list[GoodreadsRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def split_series(title: str) -> tuple[str, str | None, Decimal | None]:
    """Split ``"The Betrayal (The Siege, #2)"`` into title, series and position.

    Only a trailing parenthesis ending in ``#<number>`` is a series, so titles
    such as ``"Ulysses (Penguin Classics)"`` or omnibus ranges
    (``"(Series, #1-3)"``) stay intact.
    """
    title = title.strip()
    match = _SERIES.match(title)
    if not match:
        return title, None, None
    return (
        match.group("title"),
        match.group("series").strip(),
        Decimal(match.group("position")),
    )


def format_title(
    title: str, series_name: str | None, series_position: Decimal | None
) -> str:
    """The inverse of :func:`split_series`: ``Title (Series, #N)``."""
    if series_name and series_position is not None:
        return f"{title} ({series_name}, #{series_position})"
    return title
