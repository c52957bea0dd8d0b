"""The physical limit: a bare WSGI application returning the same bytes as
the benchmark's static row, served by the same gunicorn with the same
settings (``gunicorn -c gunicorn.conf.py benchmarks.bare:application``).
No Django, no middleware: what gunicorn and the machine can do at best.

:func:`versions_application` is the same plus the one thing every response
served from the club's cache must do, whatever serves it: read the versions
of its tags from the database (``reviews.content_version.current_versions``,
one query), so that a change committed by any process retires it at once.
Still outside Django's request handler: the ceiling of any hit that asks the
database, on this machine.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable


def _blob() -> bytes:
    path = os.environ.get("BENCH_BLOB_PATH", "")
    if path and os.path.exists(path):
        with open(path, "rb") as blob:
            return blob.read()
    return b'{"meta": {"total_count": 0}, "items": []}'


BLOB = _blob()
HEADERS = [
    ("Content-Type", "application/json"),
    ("Content-Length", str(len(BLOB))),
]


def application(
    environ: dict, start_response: Callable[[str, list[tuple[str, str]]], object]
) -> Iterable[bytes]:
    start_response("200 OK", HEADERS)
    return [BLOB]


#: The v2 list the benchmark's cached-list row asks for (benchmarks.endpoints).
V2_LIST = "/api/v2/pages/?type=reviews.ReviewPage&fields=*&limit=20"


@functools.cache
def hit_tags() -> tuple[str, ...]:
    """The tags a hit of the cached v2 list reads: its route's, and the
    content version's (``reviews.response_cache.store.freshness``)."""
    import django

    django.setup()
    from django.http import QueryDict
    from django.urls import resolve

    from reviews import cache_tags

    path, _, query = V2_LIST.partition("?")
    match = resolve(path)
    tags = cache_tags.for_route(match.view_name or "", match.kwargs, QueryDict(query))
    return (*sorted(tags), cache_tags.ALL)


def versions_application(
    environ: dict, start_response: Callable[[str, list[tuple[str, str]]], object]
) -> Iterable[bytes]:
    from reviews.content_version import current_versions

    current_versions(hit_tags())
    start_response("200 OK", HEADERS)
    return [BLOB]
