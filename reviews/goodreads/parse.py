"""Read and write Goodreads library export CSV files.

Plain Python, no Django: a management command turns :class:`GoodreadsRow` objects
into models. Columns are found by header name, never by position, because
Goodreads has shipped exports with 31 columns (with ``Recommended For``, ``BCID``
and friends) and with 24; anything not needed here may be missing.

A row that cannot be read becomes a :class:`RowError` naming the physical line
where the record starts (the header is line 1; a review with embedded newlines
makes its record span several lines) and the import goes on with the next row.

The club's own exports say which review a row holds in the ``Private Notes``
column, ``[bookclub review=<uuid> revision=<id>]``, which Goodreads keeps and
never shows: importing the file back then finds that review instead of making
a second one.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

from ..isbn import isbn13_to_isbn10, normalise_isbn

__all__ = [
    "EXPORT_COLUMNS",
    "KNOWN_SHELVES",
    "REQUIRED_COLUMNS",
    "GoodreadsRow",
    "ParseResult",
    "RowError",
    "club_review_note",
    "format_title",
    "parse_export",
    "read_text",
    "split_series",
    "write_export",
]

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

EXCERPT_LENGTH = 80
_PRIVATE_COLUMNS = frozenset({"My Review", "Private Notes"})

# "Title (Series, #2)", "Title (Series #2)", "Title (Series, #2.5)". The series
# part may not contain parentheses; the title may ("Foo (Bar) (Series, #1)").
_SERIES = re.compile(
    r"^(?P<title>.*?\S)\s*\((?P<series>[^()]*?[^()\s,])\s*,?\s*#"
    r"(?P<position>\d+(?:\.\d+)?)\)\s*$",
    re.DOTALL,
)
_DATE = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_INTEGER = re.compile(r"^-?\d+$")
_SPACES = re.compile(r"\s+")
# The review a row of the club's own export holds, in the Private Notes column.
_CLUB_REVIEW = re.compile(
    r"\[bookclub review=(?P<review>[0-9a-fA-F-]{32,36}) revision=(?P<revision>\d*)\]"
)
# C0 controls other than tab and newlines: never meant, and PostgreSQL rejects NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class GoodreadsRow:
    """One book from the export.

    ``line`` is left out of equality so that a row survives a round trip through
    :func:`write_export` even though it lands on another line.
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


class _RowInvalid(Exception):
    pass


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


def read_text(source: str | bytes | IO[str] | IO[bytes]) -> str:
    """The export's text: UTF-8 (with or without a BOM) from text, bytes or a
    file object."""
    data: Any = source
    if hasattr(source, "read"):
        data = source.read()
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValueError(
                f"The export is not UTF-8 text (byte {error.start} cannot be read)."
            ) from error
    if not isinstance(data, str):
        raise TypeError(f"Expected text, bytes or a file object, got {type(data)!r}.")
    return data.removeprefix("\ufeff")


def _records(text: str) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """Yield (first physical line, fields, csv error) for each non-blank record.

    ``csv.reader.line_num`` counts physical lines read so far, so the line where a
    record starts is one past the count after the previous record.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    previous_end = 0
    while True:
        start = previous_end + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            previous_end = reader.line_num
            yield start, None, str(error)
            continue
        previous_end = reader.line_num
        if not fields or all(not f.strip() for f in fields):
            continue
        yield start, fields, None


def _excerpt(fields: list[str], private: frozenset[int]) -> str:
    """The start of the row for an error report, without the review and private
    notes: error reports are shown in places where a spoiler must not be."""
    kept = [value for i, value in enumerate(fields) if i not in private]
    while kept and not kept[-1].strip():
        kept.pop()
    text = _SPACES.sub(" ", ",".join(kept)).strip()
    if len(text) > EXCERPT_LENGTH:
        text = text[: EXCERPT_LENGTH - 1].rstrip() + "…"
    return text


def parse_export(fileobj_or_text: str | bytes | IO[str] | IO[bytes]) -> ParseResult:
    """Parse a Goodreads library export.

    Accepts the CSV as ``str`` (the text itself, not a path), ``bytes``, or a text
    or binary file object (e.g. an uploaded file); UTF-8 with or without a BOM.
    Raises ``ValueError`` if the file has no header or lacks a required column;
    problems with single rows are collected in ``ParseResult.errors``.
    """
    text = read_text(fileobj_or_text)
    records = _records(text)
    header: list[str] | None = None
    for _line, fields, error in records:
        if error is not None or fields is None:
            raise ValueError(f"The export's header cannot be read: {error}")
        header = [name.strip().removeprefix("\ufeff").strip() for name in fields]
        break
    if header is None:
        raise ValueError("The export is empty: no header line.")
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ValueError(
            "The export lacks required column(s): "
            + ", ".join(missing)
            + ". Is this a Goodreads library export?"
        )
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(name, position)
    private = frozenset(
        position for position, name in enumerate(header) if name in _PRIVATE_COLUMNS
    )

    result = ParseResult()
    for line, fields, error in records:
        if error is not None or fields is None:
            result.errors.append(RowError(line, f"Unreadable CSV: {error}", ""))
            continue
        if len(fields) != len(header):
            result.errors.append(
                RowError(
                    line,
                    f"Expected {len(header)} fields as in the header, "
                    f"found {len(fields)}.",
                    _excerpt(fields, private),
                )
            )
            continue
        values = {
            name: _CONTROL.sub("", fields[position]) for name, position in index.items()
        }
        try:
            result.rows.append(_parse_row(line, values))
        except _RowInvalid as invalid:
            excerpt = _excerpt(fields, private)
            result.errors.append(RowError(line, str(invalid), excerpt))
    return result


def _parse_row(line: int, values: dict[str, str]) -> GoodreadsRow:
    problems: list[str] = []

    def get(name: str) -> str:
        return values.get(name, "").strip()

    def check(parse: Any, name: str, *args: Any) -> Any:
        try:
            return parse(get(name), *args)
        except ValueError as error:
            problems.append(f"{name}: {error}")
            return None

    raw_title = get("Title")
    title, series_name, series_position = split_series(raw_title)
    if not title:
        problems.append("Title: missing.")
    author = _SPACES.sub(" ", get("Author"))
    if not author:
        problems.append("Author: missing.")
    goodreads_id = check(_parse_optional_int, "Book Id")
    warnings: list[str] = []
    isbn13 = _parse_isbn(get("ISBN13"), get("ISBN"), problems, warnings)
    rating = check(_parse_rating, "My Rating")
    original_year = check(_parse_optional_int, "Original Publication Year")
    published_year = check(_parse_optional_int, "Year Published")
    date_read = check(_parse_date, "Date Read")
    date_added = check(_parse_date, "Date Added")
    is_spoiler = check(_parse_bool, "Spoiler")
    read_count = check(_parse_optional_int, "Read Count")
    club = _CLUB_REVIEW.search(get("Private Notes"))
    if read_count is not None and read_count < 0:
        problems.append(f"Read Count: {read_count} is negative.")
    if problems:
        raise _RowInvalid(" ".join(problems))
    return GoodreadsRow(
        line=line,
        goodreads_id=goodreads_id,
        title=title,
        author=author,
        isbn13=isbn13,
        rating=rating,
        year_published=original_year if original_year is not None else published_year,
        date_read=date_read,
        date_added=date_added,
        shelf=get("Exclusive Shelf"),
        review_html=values.get("My Review", ""),
        review_is_spoiler=bool(is_spoiler),
        series_name=series_name,
        series_position=series_position,
        read_count=read_count or 0,
        club_review=club.group("review").lower() if club else None,
        club_revision=int(club.group("revision"))
        if club and club["revision"]
        else None,
        warnings=tuple(warnings),
    )


def _parse_isbn(
    isbn13: str, isbn10: str, problems: list[str], warnings: list[str]
) -> str | None:
    """Prefer the ISBN13 column; fall back to ISBN (converted to 13 digits).

    Goodreads writes a product code (UPC or another EAN, or ``0000000000000``)
    in ISBN13 for some editions: that is no typo in an ISBN, so the row is read
    with the ISBN-10 (or none) and a warning, not rejected.
    """
    if _is_product_code(isbn13):
        code = _unwrap_excel(isbn13)
        try:
            normalised = normalise_isbn(isbn10)
        except ValueError as error:
            problems.append(f"ISBN: {error}")
            return None
        if normalised:
            warnings.append(
                f"ISBN13 {code!r} is a product code, not an ISBN: "
                f"the ISBN column ({_unwrap_excel(isbn10)}) is used."
            )
        else:
            warnings.append(
                f"ISBN13 {code!r} is a product code, not an ISBN: "
                "the book is matched by title and author."
            )
        return normalised
    for name, value in (("ISBN13", isbn13), ("ISBN", isbn10)):
        try:
            normalised = normalise_isbn(value)
        except ValueError as error:
            problems.append(f"{name}: {error}")
            return None
        if normalised:
            return normalised
    return None


_DIGITS = re.compile(r"^\d+$")


def _unwrap_excel(value: str) -> str:
    value = value.strip()
    if value.startswith('="') and value.endswith('"'):
        return value[2:-1].strip()
    return value


def _is_product_code(value: str) -> bool:
    """A 12-digit UPC, or 13 digits outside the ISBN (978/979) ranges."""
    code = _unwrap_excel(value).replace(" ", "").replace("-", "")
    if not _DIGITS.match(code):
        return False
    return len(code) == 12 or (len(code) == 13 and not code.startswith(("978", "979")))


def _parse_optional_int(value: str) -> int | None:
    if not value:
        return None
    if not _INTEGER.match(value):
        raise ValueError(f"{value!r} is not a whole number.")
    return int(value)


def _parse_rating(value: str) -> int | None:
    if not value:
        return None
    if value not in {"0", "1", "2", "3", "4", "5"}:
        raise ValueError(f"{value!r} is not a rating from 0 (unrated) to 5.")
    return int(value) or None


def _parse_date(value: str) -> date | None:
    if not value:
        return None
    match = _DATE.match(value)
    if not match:
        raise ValueError(f"{value!r} is not a date in the form YYYY/MM/DD.")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError as error:
        raise ValueError(f"{value!r} is not a valid date ({error}).") from None


def _parse_bool(value: str) -> bool:
    lowered = value.lower()
    if lowered in {"", "false"}:
        return False
    if lowered == "true":
        return True
    raise ValueError(f"{value!r} is neither 'true' nor 'false'.")


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
        wrapper = io.TextIOWrapper(fileobj, encoding="utf-8", newline="")
        try:
            _write(rows, wrapper)
        finally:
            wrapper.flush()
            wrapper.detach()
        return
    _write(rows, fileobj)


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
