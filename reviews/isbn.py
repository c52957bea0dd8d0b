"""ISBN normalisation and validation.

Dependency-free on purpose: the Goodreads importer and the Django model
validation both call :func:`normalise_isbn`, and neither should need the other.

Everything is normalised to ISBN-13 (digits only, no hyphens), because an ISBN-10
is only a different spelling of the ``978``-prefixed ISBN-13 and storing one form
lets the database enforce uniqueness.
"""

from __future__ import annotations

import re

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
_ISBN10 = re.compile(r"^[0-9]{9}[0-9X]$")
_ISBN13 = re.compile(r"^[0-9]{13}$")
# An ISBN-13 is an EAN-13 in the "Bookland" ranges; any other EAN-13 (ISSN,
# music, groceries) is not an ISBN.
_ISBN13_PREFIXES = ("978", "979")


def _unwrap(value: str) -> str:
    text = value.strip()
    match = _EXCEL_FORMULA.match(text)
    return match.group(1).strip() if match else text


def _clean(value: str) -> str:
    """Strip Excel wrapping and separators; upper-case a trailing ``x``."""
    return _SEPARATORS.sub("", _unwrap(value)).upper()


def _isbn10_check_digit(first_nine: str) -> str:
    total = sum((10 - i) * int(d) for i, d in enumerate(first_nine))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _isbn13_check_digit(first_twelve: str) -> str:
    total = sum((3 if i % 2 else 1) * int(d) for i, d in enumerate(first_twelve))
    return str((10 - total % 10) % 10)


def is_valid_isbn10(value: str) -> bool:
    """True if ``value`` (separators allowed) is an ISBN-10 with a valid check digit."""
    text = _clean(value)
    return bool(_ISBN10.match(text)) and _isbn10_check_digit(text[:9]) == text[9]


def is_valid_isbn13(value: str) -> bool:
    """True if ``value`` (separators allowed) is a 978/979 ISBN-13 with a valid
    check digit."""
    text = _clean(value)
    return (
        bool(_ISBN13.match(text))
        and text.startswith(_ISBN13_PREFIXES)
        and _isbn13_check_digit(text[:12]) == text[12]
    )


def isbn10_to_isbn13(value: str) -> str:
    """Convert an ISBN-10 to its ``978``-prefixed ISBN-13 (check digit recomputed).

    Raises ``ValueError`` if ``value`` is not a valid ISBN-10.
    """
    text = _clean(value)
    _check_isbn10(text, value)
    body = "978" + text[:9]
    return body + _isbn13_check_digit(body)


def isbn13_to_isbn10(value: str) -> str | None:
    """Convert a ``978`` ISBN-13 back to ISBN-10; ``None`` for ``979`` ISBNs, which
    have no ISBN-10 form.

    Raises ``ValueError`` if ``value`` is not a valid ISBN-13.
    """
    text = _clean(value)
    _check_isbn13(text, value)
    if not text.startswith("978"):
        return None
    return text[3:12] + _isbn10_check_digit(text[3:12])


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
    if len(text) == 10:
        _check_isbn10(text, value)
        body = "978" + text[:9]
        return body + _isbn13_check_digit(body)
    if len(text) == 13:
        _check_isbn13(text, value)
        return text
    raise ValueError(
        f"ISBN {_unwrap(value)!r} has {len(text)} characters; "
        "an ISBN has 10 or 13 digits."
    )


def _check_isbn10(text: str, original: str) -> None:
    if len(text) != 10:
        raise ValueError(
            f"ISBN-10 {_unwrap(original)!r} has {len(text)} characters, not 10."
        )
    if not _ISBN10.match(text):
        raise ValueError(
            f"ISBN-10 {_unwrap(original)!r} may only contain digits "
            "(and X as the last character)."
        )
    expected = _isbn10_check_digit(text[:9])
    if text[9] != expected:
        raise ValueError(
            f"ISBN-10 {_unwrap(original)!r} has check digit {text[9]}, "
            f"expected {expected}."
        )


def _check_isbn13(text: str, original: str) -> None:
    if len(text) != 13:
        raise ValueError(
            f"ISBN-13 {_unwrap(original)!r} has {len(text)} characters, not 13."
        )
    if not _ISBN13.match(text):
        raise ValueError(f"ISBN-13 {_unwrap(original)!r} may only contain digits.")
    if not text.startswith(_ISBN13_PREFIXES):
        raise ValueError(f"ISBN-13 {_unwrap(original)!r} must start with 978 or 979.")
    expected = _isbn13_check_digit(text[:12])
    if text[12] != expected:
        raise ValueError(
            f"ISBN-13 {_unwrap(original)!r} has check digit {text[12]}, "
            f"expected {expected}."
        )
