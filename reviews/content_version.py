"""What the club's caches key on: the version of the content the site shows.

Signals (reviews/signal_handlers.py) call :func:`mark_content_changed` on
every publish, unpublish, move or delete of a page and on every edit of a
book, series entry, comment, round, vote, RSVP, view restriction, image or
site. The API's response cache (reviews/caching.py) and the HTML page cache
(reviews/page_cache.py) both put :func:`content_version` in their keys, so
one change retires every cached response at once.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

T = TypeVar("T")
#: How long a value derived from the content is kept under one version; a
#: cache that is not shared between processes learns of a change this late.
DERIVED_TIMEOUT = 60
_MISSING = object()

CHANGED_AT_KEY = "reviews:api:changed-at"
VERSION_KEY = "reviews:api:version"


def content_changed_at() -> datetime:
    """When the content the site shows last changed (to the second).

    If the cache lost the time, "now" is the safe answer: clients fetch once
    more and keep their ETag.
    """
    changed_at = cache.get(CHANGED_AT_KEY)
    if changed_at is None:
        changed_at = timezone.now().replace(microsecond=0)
        cache.add(CHANGED_AT_KEY, changed_at, timeout=None)
        changed_at = cache.get(CHANGED_AT_KEY, changed_at)
    return changed_at


def mark_content_changed() -> None:
    """Retire everything cached for the current version, now and again when
    the transaction commits: a request that read the database between the
    signal and the commit may have cached what was there before."""
    _new_version()
    transaction.on_commit(_new_version)


def _new_version() -> None:
    cache.set(CHANGED_AT_KEY, timezone.now().replace(microsecond=0), timeout=None)
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def content_version() -> str:
    """An opaque token that changes with every content change (finer than
    ``Last-Modified``'s whole seconds)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY, "lost")
    return version


def for_this_version(name: str, compute: Callable[[], T]) -> T:
    """``compute()``, remembered until the content changes (or for
    :data:`DERIVED_TIMEOUT` seconds)."""
    key = f"reviews:derived:{content_version()}:{name}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, timeout=DERIVED_TIMEOUT)
    return value


def strong_etag(content: bytes) -> str:
    """A strong validator: a hash of the exact bytes sent."""
    return f'"{hashlib.sha256(content).hexdigest()[:40]}"'
