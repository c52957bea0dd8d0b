"""What the club's caches key on: the version of each cache tag, in the database.

A change retires the tags it affects (reviews.cache_tags says which) by
giving their rows in :class:`reviews.models.CacheTag` new versions, in the
same transaction as the change. Whatever cache a process uses (its own
memory by default, Redis in production), it compares a cached value's tag
versions with the database's before using it, so no process serves what
was there before a change once that change has committed.

:func:`content_version` is the version of the tag every change retires
(:data:`reviews.cache_tags.ALL`), read once per request: values derived
from the content (reviews.derived) are kept under it.

Inside :func:`read_once` (one build of a shared response), each tag's
version is read once, all as of the block's first read, which comes before
the build reads any content: what the build keeps is then marked with
versions no newer than what it shows, and a change committed meanwhile
retires it (:class:`Reading`).

Each tag also has a *strict* version, which moves with every change except
the ones a response may show a moment late (``retire(..., late_ok=True)``:
a new comment, a vote, an RSVP; reviews/invalidation.py says which and
reviews/response_cache/builds.py why). A cached response whose strict versions
still match is out of date only by such changes.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import NamedTuple

from asgiref.local import Local
from django.apps import apps
from django.db import InterfaceError, OperationalError, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from . import cache_tags
from .prepared import prepared_cursor

#: The time of a tag that has never been retired.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class TagVersion(NamedTuple):
    version: int
    changed_at: datetime
    #: Moves with :attr:`version` except on changes that may show late.
    strict: int = 0


NEVER_RETIRED = TagVersion(0, EPOCH, 0)


def _tag_model():
    # By name: the models themselves keep derived values under the version
    # (reviews.models.reviews imports this module), so importing the model
    # package from here would be a cycle.
    return apps.get_model("reviews", "CacheTag")


def tag_versions(names: Iterable[str]) -> dict[str, TagVersion]:
    """The current version of each tag in ``names``, in one query; inside
    :func:`read_once`, as of the block's first read, and no query for the
    tags read before.

    Also remembers this request's :func:`content_version` when the query
    reads :data:`~reviews.cache_tags.ALL`, so the request reads it no more.
    """
    wanted = set(names)
    reading = current_reading()
    if reading is not None:
        known = reading.known(wanted)
        if known is not None:
            return known
        # Every read of a block reads ALL: it tells whether anything changed.
        versions = _read_versions(wanted | {cache_tags.ALL})
        reading.add(versions)
    else:
        versions = _read_in_this_request(wanted)
    if cache_tags.ALL in versions:
        _remember(str(versions[cache_tags.ALL].version))
    return {name: versions[name] for name in wanted}


#: The versions as this transaction reads them: the tag table's, but for a
#: transaction with tags still to retire at its commit (PostgreSQL's deferred
#: triggers, reviews/migrations/0016_retire_tags_in_triggers.py), which reads
#: versions of its own until then. Every read of a version goes through it.
VERSIONS_VIEW = "reviews_tagversion"


def _versions_sql(connection: BaseDatabaseWrapper, columns: str, count: int) -> str:
    marks = ", ".join(["%s"] * count)
    view = connection.ops.quote_name(VERSIONS_VIEW)
    # Only the view's own name and placeholders are formatted in.
    return f"SELECT {columns} FROM {view} WHERE name IN ({marks})"  # noqa: S608


def _read_versions(wanted: set[str]) -> dict[str, TagVersion]:
    model = _tag_model()
    names = sorted(wanted)
    connection = connections[router.db_for_read(model)]
    # raw(): the model's converters for the view's columns (a date on SQLite).
    rows = model.objects.raw(
        _versions_sql(
            connection, "name, version, changed_at, strict_version", len(names)
        ),
        names,
    )
    found = {
        row.name: TagVersion(row.version, row.changed_at, row.strict_version)
        for row in rows
    }
    return {name: found.get(name, NEVER_RETIRED) for name in wanted}


class Reading:
    """The tag versions read inside one :func:`read_once` block, each once.

    All are as of the block's first read: a later read adds the tags it
    reads only if :data:`~reviews.cache_tags.ALL`, which every change
    retires, has not moved since; if it has, a change committed after the
    first read (:attr:`changed`), and what the block read since may be
    older than the versions it reads now.
    """

    def __init__(self) -> None:
        self.versions: dict[str, TagVersion] = {}
        #: ALL at the block's first read and at its latest.
        self.first: TagVersion | None = None
        self.latest: TagVersion | None = None

    def known(self, names: set[str]) -> dict[str, TagVersion] | None:
        if names <= self.versions.keys():
            return {name: self.versions[name] for name in names}
        return None

    def add(self, versions: dict[str, TagVersion]) -> None:
        self.latest = versions[cache_tags.ALL]
        if self.first is None:
            self.first = self.latest
        if not self.changed:
            self.versions.update(versions)

    @property
    def changed(self) -> bool:
        """Did a read see a change committed after the first one?"""
        return (
            self.first is not None
            and self.latest is not None
            and self.latest.version != self.first.version
        )

    @property
    def strictly_changed(self) -> bool:
        """Did a read see a change committed after the first one that may
        not show late (see the module's docstring)?"""
        return (
            self.first is not None
            and self.latest is not None
            and self.latest.strict != self.first.strict
        )


#: The reading of the :func:`read_once` block this thread (or task) is in.
_this_build = Local()


def current_reading() -> Reading | None:
    return getattr(_this_build, "reading", None)


def changed_during_build() -> bool:
    """Has the :func:`read_once` block this code runs in seen a change
    commit after its first read? Then the content it read may be older than
    the versions read since: nothing may be kept or dated by them."""
    reading = current_reading()
    return reading is not None and reading.changed


@contextmanager
def read_once() -> Iterator[Reading]:
    """A block in which :func:`tag_versions` reads each tag once, as of the
    block's first read. A block inside another is part of it."""
    outer = current_reading()
    if outer is not None:
        yield outer
        return
    reading = _this_build.reading = Reading()
    try:
        yield reading
    finally:
        _this_build.reading = None


def retired_since(reading: Reading, names: Iterable[str]) -> bool:
    """Has a change committed since ``reading``'s first read retired any of
    ``names``? Read afresh, in one query outside the reading: a build that
    read everything up front sees no change that commits while it renders."""
    if reading.changed:
        return True
    read = reading.versions
    before = {name: read[name] for name in names if name in read}
    if not before:
        return False
    now = _read_versions(set(before))
    return any(now[name].version != version.version for name, version in before.items())


def current_versions(names: Iterable[str]) -> dict[str, tuple[int, int]]:
    """The version and the strict version of each tag in ``names``: what
    :func:`tag_versions` reads, without the dates, in one query written out
    by hand.

    Every response served from a cache pays this read, so it skips the
    ORM's query building, which cost more than the query itself.
    """
    wanted = sorted(set(names))
    connection = connections[router.db_for_read(_tag_model())]
    sql = _versions_sql(connection, "name, version, strict_version", len(wanted))
    rows = _read_as_health_check(connection, sql, wanted)
    found = {name: (version, strict) for name, version, strict in rows}
    never = (NEVER_RETIRED.version, NEVER_RETIRED.strict)
    versions = {name: found.get(name, never) for name in wanted}
    if cache_tags.ALL in versions:
        _remember(str(versions[cache_tags.ALL][0]))
    return versions


def _read_as_health_check(
    connection: BaseDatabaseWrapper, sql: str, params: list[str]
) -> list[tuple]:
    """The rows of ``sql``, a read that stands in for the connection's health
    check.

    With ``CONN_HEALTH_CHECKS`` Django checks a reused connection before a
    request's first query with a ``SELECT 1``: on PostgreSQL a round trip of
    its own, as long as this read. A response served from a cache makes this
    read only, so the read is the check: when it is the request's first
    query and fails as a lost connection does, the connection is closed and
    the read runs once more on a new one, which is what the check would have
    done. Inside a transaction a connection is never replaced, so there the
    check stays Django's.
    """
    # Django's own attributes, which its stubs do not declare.
    checks = connection.health_check_enabled  # type: ignore[attr-defined]
    if (
        checks
        and connection.connection is not None
        and not connection.health_check_done  # type: ignore[attr-defined]
        and not connection.in_atomic_block
    ):
        connection.health_check_done = True  # type: ignore[attr-defined]
        try:
            return _fetch(connection, sql, params)
        except (InterfaceError, OperationalError):
            connection.close()
    return _fetch(connection, sql, params)


def _fetch(connection: BaseDatabaseWrapper, sql: str, params: list[str]) -> list:
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def retire_in_database(tags: Iterable[str], *, late_ok: bool = False) -> None:
    """Give every tag in ``tags`` a new version, in the current transaction;
    a new strict version too unless ``late_ok``.

    Rows are written in name order, so two changes retiring the same tags
    lock them in the same order. The version is random: a value never used
    before, without reading the old one.
    """
    now = timezone.now()
    model = _tag_model()
    rows = []
    for name in sorted(set(tags)):
        version = secrets.randbits(62)
        # A row created by a late-ok change has never had a strict change.
        strict = NEVER_RETIRED.strict if late_ok else version
        rows.append(
            model(name=name, version=version, strict_version=strict, changed_at=now)
        )
    model.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=(
            ["version", "changed_at"]
            if late_ok
            else ["version", "strict_version", "changed_at"]
        ),
    )
    for row in rows:
        if row.name == cache_tags.ALL:
            _remember(str(row.version))


def content_changed_at(tags: Iterable[str] = (cache_tags.ALL,)) -> datetime:
    """When any of ``tags`` was last retired (to the second)."""
    changed = max(version.changed_at for version in tag_versions(tags).values())
    return changed.replace(microsecond=0)


class _SeenVersion:
    """The version of :data:`~reviews.cache_tags.ALL` one request has seen,
    and the tags' versions it read with it."""

    __slots__ = ("read", "version")

    def __init__(self) -> None:
        self.version: str | None = None
        #: Every tag's version read outside a build, with ALL's among them:
        #: good while ALL's is still :attr:`version`.
        self.read: dict[str, TagVersion] = {}


#: The version a request has seen, so that it reads it once, not once for
#: every derived value it uses. Set only between Django's
#: ``request_started`` and ``request_finished``: a worker or a command
#: outside a request always asks the database. A context variable, not an
#: ``asgiref.local.Local``: every request sets it twice, and setting a
#: ``Local``'s attribute costs about twenty times as much.
_this_request: ContextVar[_SeenVersion | None] = ContextVar(
    "content_version_request", default=None
)


def _remember(version: str) -> None:
    seen = _this_request.get()
    if seen is not None:
        seen.version = version


#: What a request reads with its first version read: the tags that most of
#: the values worked out from the content are kept under (reviews.derived's
#: users), so that after a change it asks once, not once per value.
READ_TOGETHER = (
    cache_tags.ALL,
    cache_tags.SITE,
    cache_tags.LINKED,
    cache_tags.SERIES,
    cache_tags.PUBLIC_REVIEWS,
)


def _read_in_this_request(wanted: set[str]) -> dict[str, TagVersion]:
    """The versions of ``wanted`` as this request last read them, while
    nothing since has told it of a newer change; else read afresh, in one
    query with what it read before (with :data:`READ_TOGETHER` the first
    time, or after a newer change).

    A member's page is never shared: after any change each value it works
    out (the restrictions, the site, the navigation, the series) asked
    whether its tags had moved, a query each. They are now read once, as of
    the request's first read, as :func:`content_version` already was. A
    change the request makes itself moves :attr:`_SeenVersion.version`
    (:func:`retire_in_database`), so what it reads after is read again;
    outside a request (a worker, a command) every read asks the database,
    and so does every read inside a transaction (:func:`_in_a_transaction`).
    """
    seen = _this_request.get()
    if seen is None or _in_a_transaction():
        return _read_versions(wanted)
    read = seen.read
    kept = read.get(cache_tags.ALL)
    current = kept is not None and str(kept.version) == seen.version
    if current and wanted <= read.keys():
        return {name: read[name] for name in wanted}
    versions = _read_versions(wanted | (set(read) if current else set(READ_TOGETHER)))
    seen.read = versions
    return versions


def _in_a_transaction() -> bool:
    """Is the versions' database connection inside ``atomic()``?

    A write there that only the database's triggers see (``update()``, SQL)
    retires tags without telling the request, and is not yet committed: a
    value worked out from it and kept under the versions the request read
    before would be used once the transaction rolled back. Read afresh, the
    versions inside the transaction are its own (on PostgreSQL masked until
    the commit, reviews/migrations/0016), which no one reads after a
    rollback.
    """
    blocks = connections[router.db_for_read(_tag_model())].atomic_blocks
    # Django's test cases run each test inside blocks of their own, which
    # stand for the autocommit a request has in production; Django marks
    # them, and its own check of ``durable`` blocks passes over them too.
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


def request_started(**kwargs) -> None:
    _this_request.set(_SeenVersion())


def request_finished(**kwargs) -> None:
    _this_request.set(None)


def request_has_seen_version() -> bool:
    """Has the current request read the content version already (so that
    reading it again costs no query)?"""
    seen = _this_request.get()
    return seen is not None and seen.version is not None


def content_version() -> str:
    """An opaque token that changes with every content change; read from the
    database once per request, and at every call inside a transaction
    (:func:`_in_a_transaction`)."""
    seen = _this_request.get()
    if seen is not None and seen.version is not None and not _in_a_transaction():
        return seen.version
    version = str(tag_versions([cache_tags.ALL])[cache_tags.ALL].version)
    if seen is not None:
        seen.version = version
    return version


def strong_etag(content: bytes) -> str:
    """A strong validator: a hash of the exact bytes sent."""
    return f'"{hashlib.sha256(content).hexdigest()[:40]}"'
