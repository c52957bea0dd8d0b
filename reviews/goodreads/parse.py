"""Read a Goodreads library export into rows (:mod:`.rows`).

A management command turns :class:`GoodreadsRow` objects into models. A row
that cannot be read becomes a :class:`RowError` naming the physical line
where the record starts (the header is line 1; a review with embedded
newlines makes its record span several lines) and the import goes on with
the next row.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import IO, Any

from .cell_values import (
    parse_bool,
    parse_date,
    parse_isbn,
    parse_optional_int,
    parse_rating,
)
from .rows import (
    CLUB_REVIEW_NOTE,
    REQUIRED_COLUMNS,
    GoodreadsRow,
    ParseResult,
    RowError,
    split_series,
)

EXCERPT_LENGTH = 80
_PRIVATE_COLUMNS = frozenset({"My Review", "Private Notes"})

_SPACES = re.compile(r"\s+")
# C0 controls other than tab and newlines: never meant, and PostgreSQL rejects NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _RowInvalid(Exception):
    pass


#: What a byte that is not UTF-8 decodes to (Python's ``surrogateescape``):
#: a row holding one is reported, and the rows around it still import.
_UNDECODABLE = re.compile("[\udc80-\udcff]")
NOT_UTF8 = (
    "Not UTF-8 text: a byte on this row cannot be read. Save the export as UTF-8."
)


def read_text(source: str | bytes | IO[str] | IO[bytes]) -> str:
    """The export's text: UTF-8 (with or without a BOM) from text, bytes or a
    file object. A byte that is not UTF-8 is kept as a lone surrogate
    (:func:`undecodable`), for the row that holds it to be reported on its
    own: one stray Latin-1 byte used to stop the whole import."""
    data: Any = source
    if hasattr(source, "read"):
        data = source.read()
    if isinstance(data, bytes | bytearray):
        data = bytes(data).decode("utf-8-sig", errors="surrogateescape")
    if not isinstance(data, str):
        raise TypeError(f"Expected text, bytes or a file object, got {type(data)!r}.")
    return data.removeprefix("\ufeff")


def undecodable(text: str) -> int | None:
    """Where in ``text`` (from :func:`read_text`) the first byte that is not
    UTF-8 is, or None."""
    found = _UNDECODABLE.search(text)
    return found.start() if found else None


#: What separates the columns: Goodreads writes commas; a spreadsheet set to
#: a European locale saves the file again with semicolons, some with tabs.
_DELIMITERS = (",", ";", "\t")


def _delimiter(text: str) -> str:
    """The separator under which the header names every required column; a
    comma when none does (the missing columns are then reported by name)."""
    for delimiter in _DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            header = next(fields for fields in reader if any(map(str.strip, fields)))
        except (StopIteration, csv.Error):
            continue
        names = {name.strip().removeprefix("\ufeff").strip() for name in header}
        if names.issuperset(REQUIRED_COLUMNS):
            return delimiter
    return ","


def _records(
    text: str, delimiter: str = ","
) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """Yield (first physical line, fields, csv error) for each non-blank record.

    ``csv.reader.line_num`` counts physical lines read so far, so the line where a
    record starts is one past the count after the previous record.
    """
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, strict=False
    )
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
    or binary file object (e.g. an uploaded file); UTF-8 with or without a BOM,
    its columns separated by commas, or by the semicolons or tabs of a
    spreadsheet that saved it again.
    Raises ``ValueError`` if the file has no header or lacks a required column;
    problems with single rows are collected in ``ParseResult.errors``.
    """
    text = read_text(fileobj_or_text)
    records = _records(text, _delimiter(text))
    header: list[str] | None = None
    for _line, fields, error in records:
        if error is not None or fields is None:
            raise ValueError(f"The export's header cannot be read: {error}")
        if undecodable(",".join(fields)) is not None:
            raise ValueError("The export's header is not UTF-8 text.")
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
        if undecodable("".join(fields)) is not None:
            readable = [_UNDECODABLE.sub("\ufffd", field) for field in fields]
            result.errors.append(RowError(line, NOT_UTF8, _excerpt(readable, private)))
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
    goodreads_id = check(parse_optional_int, "Book Id")
    warnings: list[str] = []
    isbn13 = parse_isbn(get("ISBN13"), get("ISBN"), problems, warnings)
    rating = check(parse_rating, "My Rating")
    original_year = check(parse_optional_int, "Original Publication Year")
    published_year = check(parse_optional_int, "Year Published")
    date_read = check(parse_date, "Date Read")
    date_added = check(parse_date, "Date Added")
    is_spoiler = check(parse_bool, "Spoiler")
    read_count = check(parse_optional_int, "Read Count")
    club = CLUB_REVIEW_NOTE.search(get("Private Notes"))
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
