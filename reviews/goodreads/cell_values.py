"""Reading one cell of a Goodreads export: numbers, ratings, dates, flags and
ISBNs, each with the reason a value is refused (a ``ValueError`` whose
message names the value), so a bad row is reported, never guessed at."""

from __future__ import annotations

import re
from datetime import date

from ..isbn import normalise_isbn

_DATE = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_INTEGER = re.compile(r"^-?\d+$")


def parse_isbn(
    isbn13: str, isbn10: str, problems: list[str], warnings: list[str]
) -> str | None:
    """Prefer the ISBN13 column; fall back to ISBN (converted to 13 digits).

    Goodreads writes a product code (UPC or another EAN, or ``0000000000000``)
    in ISBN13 for some editions, and a spreadsheet that saved the export again
    writes a 13-digit ISBN rounded (``9.78014E+12``): neither is a typo in an
    ISBN, so the row is read with the ISBN-10 (or none) and a warning, not
    rejected. The same spreadsheet drops an ISBN-10's leading zero, which is
    put back when the check digit then holds.
    """
    isbn10 = _with_leading_zero(isbn10)
    unusable = (
        "is a product code, not an ISBN"
        if _is_product_code(isbn13)
        else "was rounded by a spreadsheet"
        if _is_rounded(isbn13)
        else None
    )
    if unusable:
        code = _unwrap_excel(isbn13)
        try:
            normalised = normalise_isbn(isbn10)
        except ValueError as error:
            problems.append(f"ISBN: {error}")
            return None
        if normalised:
            warnings.append(
                f"ISBN13 {code!r} {unusable}: "
                f"the ISBN column ({_unwrap_excel(isbn10)}) is used."
            )
        else:
            warnings.append(
                f"ISBN13 {code!r} {unusable}: the book is matched by title and author."
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


#: How a spreadsheet writes a number of 12 digits or more: 9.78014E+12, or
#: 9,78014E+12 where a comma is the decimal sign. The last digits are gone.
_ROUNDED = re.compile(r"^\d[.,]\d*E\+?\d+$", re.IGNORECASE)


def _is_rounded(value: str) -> bool:
    return bool(_ROUNDED.match(_unwrap_excel(value).replace(" ", "")))


def _with_leading_zero(isbn10: str) -> str:
    """An ISBN-10 of nine digits with its leading zero back, when that makes a
    valid ISBN (a spreadsheet read 0141046201 as the number 141046201)."""
    code = _unwrap_excel(isbn10)
    if len(code) == 9 and _DIGITS.match(code):
        try:
            normalise_isbn("0" + code)
        except ValueError:
            return isbn10
        return "0" + code
    return isbn10


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


def parse_optional_int(value: str) -> int | None:
    if not value:
        return None
    if not _INTEGER.match(value):
        raise ValueError(f"{value!r} is not a whole number.")
    return int(value)


def parse_rating(value: str) -> int | None:
    if not value:
        return None
    if value not in {"0", "1", "2", "3", "4", "5"}:
        raise ValueError(f"{value!r} is not a rating from 0 (unrated) to 5.")
    return int(value) or None


def parse_date(value: str) -> date | None:
    if not value:
        return None
    match = _DATE.match(value)
    if not match:
        raise ValueError(f"{value!r} is not a date in the form YYYY/MM/DD.")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError as error:
        raise ValueError(f"{value!r} is not a valid date ({error}).") from None


def parse_bool(value: str) -> bool:
    lowered = value.lower()
    if lowered in {"", "false"}:
        return False
    if lowered == "true":
        return True
    raise ValueError(f"{value!r} is neither 'true' nor 'false'.")
