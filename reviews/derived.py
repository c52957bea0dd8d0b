"""Values derived from the content, kept until the content changes.

A listing's totals, the series map, the view restrictions: values that
many requests read and few changes alter. Each is kept in the cache under
the version of what it depends on (reviews.content_version: the content
version, or one cache tag's), which is read from the database, so a change
committed in any process retires it at once. The small ones read many
times per request are also kept in the process's memory
(:func:`for_this_version_in_process`, :func:`for_tags_in_process`), checked
against the same versions.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import NamedTuple, TypeVar

from django.core.cache import cache

from . import cache_tags
from .content_version import (
    content_version,
    current_reading,
    request_has_seen_version,
    tag_versions,
)

T = TypeVar("T")
#: How long a value derived from the content is kept under one version. The
#: version itself is always read from the database, so this only bounds
#: memory and values that move with the clock alone.
DERIVED_TIMEOUT = 60
_MISSING = object()


def for_this_version(name: str, compute: Callable[[], T]) -> T:
    """``compute()``, remembered until the content changes (or for
    :data:`DERIVED_TIMEOUT` seconds)."""
    return _kept(f"reviews:derived:{content_version()}:{name}", compute)


def _kept(key: str, compute: Callable[[], T]) -> T:
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, timeout=DERIVED_TIMEOUT)
    return value


def for_tag_version(tag: str, name: str, compute: Callable[[], T]) -> T:
    """``compute()``, remembered until ``tag`` is retired (or for
    :data:`DERIVED_TIMEOUT` seconds): for a value that most changes leave
    alone (reviews.cache_tags.PUBLIC_REVIEWS).

    The tag's version is read from the database like every other (inside a
    build, the one read before the content; else with the content version,
    in one query), so a change committed in any process retires the value.
    """
    if current_reading() is None and not request_has_seen_version():
        version = tag_versions({tag, cache_tags.ALL})[tag].version
    else:
        version = tag_versions({tag})[tag].version
    return _kept(f"reviews:derived:{tag}:{version}:{name}", compute)


#: Values kept in this process's memory: the version each belongs to, when
#: it expires, the value.
_in_process: dict[str, tuple[str, float, object]] = {}
IN_PROCESS_MAX_VALUES = 1000


def for_this_version_in_process(name: str, compute: Callable[[], T]) -> T:
    """:func:`for_this_version`, also kept in this process's memory.

    For small values read many times per request (a listing of 20 books
    asks for the series map 20 times): no cache round trip and no
    unpickling after the first use under a version. Kept no longer than
    :data:`DERIVED_TIMEOUT`, like the shared copy.
    """
    version = content_version()
    now = time.monotonic()
    kept = _in_process.get(name)
    if kept is not None and kept[0] == version and kept[1] > now:
        return kept[2]  # type: ignore[return-value]
    value = for_this_version(name, compute)
    if len(_in_process) >= IN_PROCESS_MAX_VALUES:
        _in_process.clear()  # names made from requests (a Host header)
    _in_process[name] = (version, now + DERIVED_TIMEOUT, value)
    return value


class _KeptForTags(NamedTuple):
    #: The version of ALL read with the tags': while a request's content
    #: version is still this one, no tag has been retired since.
    checked_at: int
    #: The tags' versions the value was computed under.
    key: str
    expires: float
    value: object


_in_process_for_tags: dict[str, _KeptForTags] = {}


def for_tags_in_process(tags: Iterable[str], name: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept in this process's memory (and shared through the
    cache) until one of ``tags`` is retired, or for :data:`DERIVED_TIMEOUT`
    seconds.

    For a small value read many times per request that most changes leave
    alone: :func:`for_this_version_in_process` computes it again after every
    change, a comment or a review's new revision too. ``tags`` must name
    every change that can alter it (every change retires ALL as well, so
    while a request's content version is the one last checked, nothing is
    read; after a change, one query reads the tags' versions). The versions
    are read before ``compute()`` runs, so a change that commits meanwhile
    leaves what it returns marked with the versions before it.
    """
    wanted = frozenset(tags)
    now = time.monotonic()
    kept = _in_process_for_tags.get(name)
    if (
        kept is not None
        and kept.expires > now
        and str(kept.checked_at) == content_version()
    ):
        return kept.value  # type: ignore[return-value]
    versions = tag_versions(wanted | {cache_tags.ALL})
    key = ",".join(f"{tag}={versions[tag].version}" for tag in sorted(wanted))
    if kept is not None and kept.expires > now and kept.key == key:
        value, expires = kept.value, kept.expires
    else:
        value = _kept(f"reviews:derived:{key}:{name}", compute)
        expires = now + DERIVED_TIMEOUT
    if len(_in_process_for_tags) >= IN_PROCESS_MAX_VALUES:
        _in_process_for_tags.clear()
    _in_process_for_tags[name] = _KeptForTags(
        versions[cache_tags.ALL].version, key, expires, value
    )
    return value  # type: ignore[return-value]


def forget_in_process() -> None:
    """Drop the values :func:`for_this_version_in_process` and
    :func:`for_tags_in_process` keep (tests start afresh: a value kept by an
    earlier test expires on its own clock, so a test could see it expire
    between two of its own requests)."""
    _in_process.clear()
    _in_process_for_tags.clear()
