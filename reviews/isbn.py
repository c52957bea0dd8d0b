"""ISBN normalisation and validation.

python-stdnum checks the check digits and the Bookland prefix and converts
between the two forms; this module adds what the club needs around it: the
Goodreads importer's Excel wrapping, the separators people paste, ASCII digits
only, and error messages fit to show a user. Both the importer and the Django
model validation call :func:`normalise_isbn`, and neither needs the other.

Everything is normalised to ISBN-13 (digits only, no hyphens), because an ISBN-10
is only a different spelling of the ``978``-prefixed ISBN-13 and storing one form
lets the database enforce uniqueness.
"""

from __future__ import annotations

import re

from stdnum import ean, isbn
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError

__all__ = [
    "is_valid_isbn10",
    "is_valid_isbn13",
    "isbn10_to_isbn13",
    "isbn13_to_isbn10",
    "normalise_isbn",
]

# Separators people (and publishers) put inside ISBNs: hyphens, spaces, the odd
# non-breaking space or en dash pasted from a web page.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]+")
# Goodreads exports ISBNs as an Excel formula (="0141046201") so that Excel
# keeps the leading zero; ="" is an empty value.
_EXCEL_FORMULA = re.compile(r'^=\s*"(.*)"$', re.DOTALL)
# stdnum reads full-width and other look-alike digits as ASCII ones; an ISBN
# stored by the club is ASCII, so anything else is refused before stdnum sees it.
_ISBN_CHARACTERS = {10: re.compile(r"[0-9]{9}[0-9X]"), 13: re.compile(r"[0-9]{13}")}


def _unwrap(value: str) -> str:
    text = value.strip()
    match = _EXCEL_FORMULA.match(text)
    return match.group(1).strip() if match else text


def _clean(value: str) -> str:
    """Strip Excel wrapping and separators; upper-case a trailing ``x``."""
    return _SEPARATORS.sub("", _unwrap(value)).upper()


def _expected_check_digit(text: str) -> str:
    if len(text) == 13:
        return ean.calc_check_digit(text[:12])
    # stdnum works out an ISBN-10's check digit only while converting to it.
    bookland = "978" + text[:9]
    return isbn.to_isbn10(bookland + ean.calc_check_digit(bookland))[-1]


def _validate(text: str, original: str, length: int) -> str:
    """Return ``text`` (already cleaned) if it is a valid ISBN of ``length``
    digits; raise ``ValueError`` saying what is wrong otherwise."""
    name = f"ISBN-{length} {_unwrap(original)!r}"
    if len(text) != length:
        raise ValueError(f"{name} has {len(text)} characters, not {length}.")
    if not _ISBN_CHARACTERS[length].fullmatch(text):
        raise ValueError(
            f"{name} may only contain digits"
            + (" (and X as the last character)." if length == 10 else ".")
        )
    try:
        return isbn.validate(text)
    except InvalidComponent:
        raise ValueError(f"{name} must start with 978 or 979.") from None
    except InvalidChecksum:
        raise ValueError(
            f"{name} has check digit {text[-1]}, "
            f"expected {_expected_check_digit(text)}."
        ) from None


def _is_valid(value: str, length: int) -> bool:
    text = _clean(value)
    try:
        _validate(text, value, length)
    except (ValueError, ValidationError):
        return False
    return True


def is_valid_isbn10(value: str) -> bool:
    """True if ``value`` (separators allowed) is an ISBN-10 with a valid check digit."""
    return _is_valid(value, 10)


def is_valid_isbn13(value: str) -> bool:
    """True if ``value`` (separators allowed) is a 978/979 ISBN-13 with a valid
    check digit."""
    return _is_valid(value, 13)


def isbn10_to_isbn13(value: str) -> str:
    """Convert an ISBN-10 to its ``978``-prefixed ISBN-13 (check digit recomputed).

    Raises ``ValueError`` if ``value`` is not a valid ISBN-10.
    """
    return isbn.to_isbn13(_validate(_clean(value), value, 10))


def isbn13_to_isbn10(value: str) -> str | None:
    """Convert a ``978`` ISBN-13 back to ISBN-10; ``None`` for ``979`` ISBNs, which
    have no ISBN-10 form.

    Raises ``ValueError`` if ``value`` is not a valid ISBN-13.
    """
    text = _validate(_clean(value), value, 13)
    return isbn.to_isbn10(text) if text.startswith("978") else None


def normalise_isbn(value: str | None) -> str | None:
    """Return the ISBN-13 for an ISBN-10 or ISBN-13, or ``None`` if empty.

    Accepts hyphens and spaces, and Goodreads' Excel wrapping (``="0141046201"``,
    ``=""``). Raises ``ValueError`` with a message fit to show a user when the
    length, characters or check digit are wrong.
    """
    if value is None:
        return None
    text = _clean(value)
    if not text:
        return None
    if len(text) not in _ISBN_CHARACTERS:
        raise ValueError(
            f"ISBN {_unwrap(value)!r} has {len(text)} characters; "
            "an ISBN has 10 or 13 digits."
        )
    return isbn.to_isbn13(_validate(text, value, len(text)))
