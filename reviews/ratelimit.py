"""Fixed-window rate limits kept in the Django cache (Redis in production).

Each limit is a number of actions per window of seconds, counted per member.
Windows are aligned to the clock, so a member who hits a limit learns exactly
when they may try again.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


#: Five comments a minute, thirty an hour: plenty for a conversation, too few
#: for a flood.
DEFAULT_COMMENT_RATES = (Rate(5, 60), Rate(30, 60 * 60))


class RateLimited(Exception):
    """Too many actions: try again in ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Rate limited; retry after {retry_after} seconds.")
        self.retry_after = max(1, retry_after)


def comment_rates() -> tuple[Rate, ...]:
    """The comment limits: ``BOOKCLUB_COMMENT_RATES`` as ``[(count, seconds)]``."""
    configured = getattr(settings, "BOOKCLUB_COMMENT_RATES", None)
    if configured is None:
        return DEFAULT_COMMENT_RATES
    return tuple(Rate(int(count), int(seconds)) for count, seconds in configured)


def hit(scope: str, ident: object, rates: Iterable[Rate]) -> None:
    """Count one action by ``ident``; raise :class:`RateLimited` past a limit."""
    now = time.time()
    retry_after = 0
    for rate in rates:
        window = int(now // rate.seconds)
        key = f"ratelimit:{scope}:{ident}:{rate.seconds}:{window}"
        cache.add(key, 0, timeout=rate.seconds + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=rate.seconds + 1)
            count = 1
        if count > rate.count:
            retry_after = max(retry_after, int((window + 1) * rate.seconds - now) + 1)
    if retry_after:
        raise RateLimited(retry_after)


def describe_wait(seconds: int) -> str:
    """E.g. "30 seconds", "2 minutes", "1 hour", for messages to members."""
    from django.utils.translation import ngettext

    if seconds < 90:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = round(seconds / 60)
    if minutes < 90:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = round(minutes / 60)
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
