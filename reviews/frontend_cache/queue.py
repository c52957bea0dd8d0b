"""Purging the edge of what the database's triggers retired.

The app purges the edge itself once a change it hears of commits
(:func:`reviews.frontend_cache.purge_retired`). A write that sends no
Django signal (a ``bulk_create``, an ``update()``, plain SQL from a script
or another program) is caught by the database's triggers (migrations
0016, 0018 and 0019), which retire its tags for every app process and
queue them in
:class:`~reviews.models.EdgePurge` (migration 0017). ``manage.py
purge_edge`` runs :func:`follow`: it says that it runs
(:class:`~reviews.models.EdgePurger`; the triggers queue nothing
otherwise), and purges whatever is queued from every edge purged by key,
then deletes it.

Queued tags are committed: the triggers write them in the writing
transaction, so a purge never reaches the edge before the change is
visible to the app nodes (which would let the edge fetch the old state
again).

Why a table and a poll, not a message broker: the triggers can reach
nothing but the database, and the queue holds only what they retire (an
ordinary publish fires some of them too, and is purged once more, which
is harmless); a poll of an empty table every half second costs one
indexed read. Several
purgers (one per app server) may run: on PostgreSQL each queued tag goes
to one of them (``SKIP LOCKED``); elsewhere a tag may be purged twice,
which is harmless.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from django.db import (
    DatabaseError,
    close_old_connections,
    connections,
    router,
    transaction,
)
from django.db.models.functions import Now

from ..models import EdgePurge, EdgePurger
from .backends import XkeyBackend, key_backends

logger = logging.getLogger(__name__)

#: How often a running purger says so, by the database's clock (an app
#: server's clock may be behind it). The triggers queue while one was seen
#: in the last hour (migration 0017 says why that long).
BEAT_SECONDS = 5.0
#: The most tags one round takes from the queue.
BATCH = 1000
#: A tag queued longer ago than this is deleted unpurged: the edge keeps an
#: answer for its max-age plus grace (70 s with deploy/varnish/), so one
#: stored before the write has expired by then. Left by a purger that died,
#: or queued while none was draining.
STALE_AFTER = timedelta(minutes=10)


def purger_name() -> str:
    """This process's name as a purger: its host and pid, and a random part
    (two containers may share both)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def beat(name: str) -> None:
    """Say that the purger ``name`` runs: the triggers queue from now on.
    Dated by the database's clock, which the triggers compare it with."""
    if not EdgePurger.objects.filter(name=name).update(seen_at=Now()):
        EdgePurger.objects.create(name=name, seen_at=Now())


def leave(name: str) -> None:
    EdgePurger.objects.filter(name=name).delete()


def prune() -> int:
    """Delete the tags queued longer ago than :data:`STALE_AFTER`."""
    deleted, _ = EdgePurge.objects.filter(queued_at__lt=Now() - STALE_AFTER).delete()
    return deleted


def drain(backends: list[XkeyBackend] | None = None, batch: int = BATCH) -> int:
    """Purge up to ``batch`` queued tags from ``backends`` (every edge
    purged by key, by default), then delete them; the number taken.

    An edge that does not answer is logged by the backend, as for the
    app's own purges, and its tags are not queued again: a purger that
    retried for ever would hold up every later change.
    """
    backends = key_backends() if backends is None else backends
    queued = EdgePurge.objects.order_by("pk")
    database = connections[router.db_for_write(EdgePurge)]
    if not database.features.has_select_for_update_skip_locked:
        # SQLite: no transaction around the purges, which would hold its
        # one write lock (IMMEDIATE transactions) while the edge answers.
        return _purge(list(queued.values_list("pk", "tag")[:batch]), backends)
    with transaction.atomic(using=database.alias):
        # Locked while they are purged: another purger takes the next ones.
        # The triggers only insert, so no writer waits for these locks.
        taken = queued.select_for_update(skip_locked=True)
        return _purge(list(taken.values_list("pk", "tag")[:batch]), backends)


def _purge(rows: list[tuple[int, str]], backends: list[XkeyBackend]) -> int:
    if not rows:
        return 0
    tags = sorted({tag for _, tag in rows})
    for backend in backends:
        try:
            backend.purge_keys(tags)
        except Exception:  # one edge's failure must not stop the others
            logger.exception("Could not purge %d keys from the edge", len(tags))
    EdgePurge.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
    logger.info("Purged %d keys the database retired: %s", len(tags), " ".join(tags))
    return len(rows)


def follow(
    name: str,
    *,
    interval: float = 0.5,
    stop: threading.Event | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Purge what is queued every ``interval`` seconds until ``stop`` is set;
    say that ``name`` runs every :data:`BEAT_SECONDS`, also while a backlog
    is purged. A database that goes away is logged and tried again; on the
    way out the purger says it no longer runs."""
    stop = stop or threading.Event()
    last_beat: float | None = None
    try:
        while not stop.is_set():
            try:
                while not stop.is_set():
                    if last_beat is None or clock() - last_beat >= BEAT_SECONDS:
                        beat(name)
                        prune()
                        last_beat = clock()
                    if not drain():
                        break
            except DatabaseError:
                logger.exception("The edge purger could not read its queue")
                last_beat = None
                close_old_connections()
            stop.wait(interval)
    finally:
        try:
            leave(name)
        except DatabaseError:
            logger.exception("The edge purger could not sign off")
