"""Purging the edge of what the database's triggers retired.

The app purges the edge itself once a change it hears of commits
(:func:`reviews.frontend_cache.purge_retired`). A write that sends no
Django signal (a ``bulk_create``, an ``update()``, plain SQL from a script
or another program) is caught by the database's triggers
(reviews/migrations/0016_retire_tags_in_triggers.py), which retire its
tags for every app process and queue them in
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
nothing but the database, and the queue is empty but for such writes; a
poll of an empty table every half second costs one indexed read. Several
purgers (one per app server) may run: on PostgreSQL each queued tag goes
to one of them (``SKIP LOCKED``); elsewhere a tag may be purged twice,
which is harmless.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable

from django.db import (
    DatabaseError,
    close_old_connections,
    connections,
    router,
    transaction,
)
from django.utils import timezone

from ..models import EdgePurge, EdgePurger
from .backends import XkeyBackend, key_backends

logger = logging.getLogger(__name__)

#: How often a running purger says so. The triggers queue while one was
#: seen in the last minute (migration 0017), so a purger that stops (killed,
#: its machine gone) stops the queue filling within a minute.
BEAT_SECONDS = 10.0
#: The most tags one round takes from the queue.
BATCH = 1000


def purger_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(name: str) -> None:
    """Say that the purger ``name`` runs: the triggers queue from now on."""
    EdgePurger.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})


def leave(name: str) -> None:
    EdgePurger.objects.filter(name=name).delete()


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
    say that ``name`` runs every :data:`BEAT_SECONDS`. A database that goes
    away is logged and tried again; on the way out the purger says it no
    longer runs."""
    stop = stop or threading.Event()
    last_beat: float | None = None
    try:
        while not stop.is_set():
            try:
                if last_beat is None or clock() - last_beat >= BEAT_SECONDS:
                    beat(name)
                    last_beat = clock()
                while drain() and not stop.is_set():
                    pass
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
