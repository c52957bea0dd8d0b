"""How ratings and average ratings are rounded and written: one rule for
every page, feed and API answer.

A review's rating is 1 to 5 in half stars and is shown as it is (``3.5``,
``★★★½``). An average is a number to one decimal on the pages and to two
in the API, and its stars are the nearest half star, so that the stars and
the number beside them agree: a 3.8 is four stars, not three and a half.
Halves round up, as people round.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

#: Decimals of an average in the API's ``average_rating``.
API_DECIMALS = 2
#: Decimals of an average on a page.
PAGE_DECIMALS = 1


def _round(value: float, step: Decimal) -> Decimal:
    # Through its shortest repr: 3.25 stays 3.25, not 3.2499999….
    return Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP)


def average(ratings: Iterable[float | None]) -> float | None:
    """The mean of the ratings given (None and 0 are no rating), or None."""
    given = [rating for rating in ratings if rating]
    return sum(given) / len(given) if given else None


def api_average(value: float | None) -> float | None:
    """An average as API v2 and v3 give it: to two decimals."""
    if value is None:
        return None
    return float(_round(value, Decimal(1).scaleb(-API_DECIMALS)))


def average_text(value: float) -> str:
    """An average as a page writes it: ``"3.8"``, ``"4.0"``."""
    return str(_round(value, Decimal(1).scaleb(-PAGE_DECIMALS)))


def rating_text(value: float) -> str:
    """A review's rating as a page or feed writes it: ``"3.5"``, ``"4"``."""
    return format(value, "g")


def nearest_half(value: float) -> float:
    """``value`` to the nearest half star (3.75 → 4.0, 3.7 → 3.5)."""
    return float(_round(value * 2, Decimal(1)) / 2)


def star_text(value: float | None) -> str:
    """Stars for a rating or an average: ``3.8`` → ``★★★★``, ``4.5`` →
    ``★★★★½``."""
    if not value:
        return ""
    halves = int(nearest_half(value) * 2)
    return "★" * (halves // 2) + ("½" if halves % 2 else "")
