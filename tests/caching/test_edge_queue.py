"""Writes that send no signal reach the edge too.

The database's triggers retire the tags of a write no signal reports
(tests/caching/test_writes_without_signals.py), and queue them for the
edge while a purger runs (``manage.py purge_edge``, migration 0017). The
purger sends the queued tags to the edge as surrogate-key purges and
deletes them. tests/edge/test_varnish.py runs it against a real Varnish
with the write made by another process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.test import override_settings
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from reviews import cache_tags
from reviews.frontend_cache import queue
from reviews.frontend_cache.queue import beat, drain, follow, leave
from reviews.models import EdgePurge, EdgePurger
from tests.caching.test_purge_on_commit import _key_purges, _recording
from tests.factories import make_discussion, make_review
from tests.factories.discussions import MeetingRSVPFactory

# Committed: on PostgreSQL the triggers run at the commit.
pytestmark = pytest.mark.django_db(transaction=True)

PURGER = "test-purger"


@pytest.fixture
def edge() -> Iterator[list[tuple[str, str, str]]]:
    with _recording("reviews.frontend_cache.XkeyBackend") as received:
        yield received


def _queued() -> set[str]:
    return set(EdgePurge.objects.values_list("tag", flat=True))


def _purged(received) -> set[str]:
    return {key for header in _key_purges(received) for key in header.split()}


def test_a_write_without_signals_is_queued_while_a_purger_runs_and_then_purged(edge):
    review = make_review(title="Queued Review")
    beat(PURGER)
    edge.clear()  # the review's own publish

    Page.objects.filter(pk=review.pk).update(live=False)

    queued = _queued()
    assert {cache_tags.page(review.pk), cache_tags.ALL, cache_tags.REVIEWS} <= queued
    assert not _purged(edge), "nothing reaches the edge until the purger runs"

    rows = EdgePurge.objects.count()
    assert drain() == rows
    assert _purged(edge) == queued
    assert EdgePurge.objects.count() == 0
    assert drain() == 0


def test_a_restriction_by_bulk_create_queues_the_structure(edge):
    review = make_review()
    beat(PURGER)

    PageViewRestriction.objects.bulk_create(
        [PageViewRestriction(page_id=review.pk, restriction_type="login")]
    )

    assert set(cache_tags.retired_by_structure()) <= _queued()


def test_nothing_is_queued_while_no_purger_runs():
    review = make_review()
    Page.objects.filter(pk=review.pk).update(live=False)
    assert _queued() == set()

    # One that has not said so for over an hour (killed) counts as gone.
    EdgePurger.objects.create(
        name=PURGER, seen_at=timezone.now() - timedelta(seconds=3601)
    )
    Page.objects.filter(pk=review.pk).update(live=True)
    assert _queued() == set()

    beat(PURGER)
    leave(PURGER)
    Page.objects.filter(pk=review.pk).update(live=False)
    assert _queued() == set()


def test_a_write_rolled_back_queues_nothing():
    review = make_review()
    beat(PURGER)

    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack), transaction.atomic():
        Page.objects.filter(pk=review.pk).update(live=False)
        raise RolledBack

    assert _queued() == set()


def test_what_only_the_app_is_told_of_is_not_queued(edge):
    """An answer to a meeting, through Django's models, on a table no
    trigger watches: its signal handlers purge the edge; the queue stays
    empty. (A publish fires the triggers too, and is purged again by the
    purger: more purges, never a stale copy.)"""
    discussion = make_discussion()
    beat(PURGER)
    edge.clear()

    MeetingRSVPFactory(page=discussion)

    assert cache_tags.rsvps(discussion.pk) in _purged(edge)
    assert _queued() == set()


def test_the_purger_purges_as_writes_come_and_signs_off(edge):
    review = make_review()
    edge.clear()  # the review's own publish
    stop = threading.Event()
    purger = threading.Thread(
        target=follow, args=(PURGER,), kwargs={"interval": 0.05, "stop": stop}
    )
    purger.start()
    try:
        for _ in range(200):
            if EdgePurger.objects.filter(name=PURGER).exists():
                break
            stop.wait(0.02)
        Page.objects.filter(pk=review.pk).update(live=False)
        for _ in range(200):
            if cache_tags.page(review.pk) in _purged(edge):
                break
            stop.wait(0.02)
    finally:
        stop.set()
        purger.join(10)
    assert cache_tags.page(review.pk) in _purged(edge)
    assert not purger.is_alive()
    assert not EdgePurger.objects.exists(), "a purger that stops says so"
    assert _queued() == set()


def test_the_command_refuses_to_run_without_an_edge_purged_by_key():
    with override_settings(WAGTAILFRONTENDCACHE={}), pytest.raises(CommandError):
        call_command("purge_edge")
    with (
        _recording("wagtail.contrib.frontend_cache.backends.HTTPBackend"),
        pytest.raises(CommandError, match="purged by key"),
    ):
        call_command("purge_edge")


@pytest.mark.postgresql
def test_two_purgers_take_different_tags():
    """On PostgreSQL a tag one purger is purging is skipped by another."""
    review = make_review()
    beat(PURGER)
    Page.objects.filter(pk=review.pk).update(live=False)
    queued = EdgePurge.objects.count()
    assert queued

    class Recorder:
        def __init__(self) -> None:
            self.keys: list[str] = []

        def purge_keys(self, keys) -> None:
            self.keys += keys

    first, second = Recorder(), Recorder()
    assert connection.vendor == "postgresql"
    with transaction.atomic():
        # The first purger holds its rows, as while the edge answers.
        held = list(
            EdgePurge.objects.select_for_update().values_list("pk", flat=True)[:2]
        )

        def take() -> None:
            try:
                drain([second])
            finally:
                connections.close_all()

        other = threading.Thread(target=take)
        other.start()
        other.join(10)
    assert drain([first]) == 2
    assert len(second.keys) == queued - 2
    assert len(held) == 2 and len(first.keys) == 2
    assert not set(first.keys) & set(second.keys)


def test_a_purger_said_to_run_half_an_hour_ago_still_counts():
    """A transaction reads the purger's word as of its start (SQLite's
    write lock also keeps the purger from saying it again): a long
    transaction's writes are still queued."""
    review = make_review()
    EdgePurger.objects.create(
        name=PURGER, seen_at=timezone.now() - timedelta(minutes=30)
    )
    Page.objects.filter(pk=review.pk).update(live=False)
    assert cache_tags.page(review.pk) in _queued()


def test_tags_queued_too_long_ago_are_dropped_unpurged(edge):
    old = timezone.now() - queue.STALE_AFTER - timedelta(seconds=5)
    EdgePurge.objects.create(tag="page-1", queued_at=old)
    EdgePurge.objects.create(tag="page-2", queued_at=timezone.now())

    assert queue.prune() == 1
    assert _queued() == {"page-2"}


def test_the_purger_says_it_runs_while_it_purges_a_backlog(monkeypatch):
    """Rounds that each find tags must not keep it from saying so: the
    triggers would stop queueing."""
    now = [0.0]
    beats: list[float] = []
    stop = threading.Event()
    rounds = iter(range(6))

    def drain() -> int:
        now[0] += queue.BEAT_SECONDS  # each round as long as a beat
        if next(rounds) == 5:
            stop.set()
            return 0
        return 1

    monkeypatch.setattr(queue, "drain", drain)
    monkeypatch.setattr(queue, "beat", lambda name: beats.append(now[0]))
    monkeypatch.setattr(queue, "leave", lambda name: None)

    queue.follow(PURGER, interval=0.01, stop=stop, clock=lambda: now[0])

    assert len(beats) >= 5


def test_a_purger_says_it_runs_by_the_databases_clock(monkeypatch):
    """An app server's clock two hours behind the database's must not make
    its word count as stale to the triggers, which read the database's."""
    behind = timezone.now() - timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: behind)
    beat(PURGER)
    beat(PURGER)  # the second says it again, on the row the first wrote
    monkeypatch.undo()

    seen = EdgePurger.objects.get(name=PURGER).seen_at
    assert abs(seen - timezone.now()) < timedelta(minutes=1)
    review = make_review()
    Page.objects.filter(pk=review.pk).update(live=False)
    assert cache_tags.page(review.pk) in _queued()
