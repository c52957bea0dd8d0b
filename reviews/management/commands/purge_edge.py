"""Purge the edge caches of what the database's triggers retired: writes
that send no Django signal (a ``bulk_create``, an ``update()``, plain SQL).

    manage.py purge_edge       # a service beside each app server, until SIGTERM

reviews/frontend_cache/queue.py says how it works."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reviews.frontend_cache import key_backends
from reviews.frontend_cache.queue import beat, follow, purger_name


class Command(BaseCommand):
    help = (
        "Purge from the edge caches (Varnish, purged by key) the cache tags "
        "the database's triggers retired for writes that send no signal."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=0.5,
            help="Seconds between two looks at the queue (0.5).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not key_backends():
            raise CommandError(
                "No edge cache purged by key is configured (VARNISH_URLS, or a "
                "WAGTAILFRONTENDCACHE backend reviews.frontend_cache.XkeyBackend): "
                "there is nothing to purge."
            )
        if options["interval"] <= 0:
            raise CommandError("--interval must be a positive number of seconds.")
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        name = purger_name()
        beat(name)  # the triggers queue from here on
        self.stdout.write(f"Purging the edge as {name}; stop with SIGTERM.")
        self.stdout.flush()
        follow(name, interval=options["interval"], stop=stop)
