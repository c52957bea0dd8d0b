"""Many clients sending the same request at the same moment."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection, connections, transaction
from django.http import HttpRequest
from django.http.response import HttpResponseBase


def at_once(
    middleware: Callable[[HttpRequest], HttpResponseBase],
    make_request: Callable[[], HttpRequest],
    clients: int,
) -> list[tuple[float, HttpResponseBase]]:
    """Each client's response and how many seconds it took, the clients
    released together from a barrier, each on its own thread and
    database connection."""
    answers: list[tuple[float, HttpResponseBase]] = []
    start = threading.Barrier(clients)

    def client() -> None:
        request = make_request()
        start.wait()
        began = time.monotonic()
        try:
            response = middleware(request)
            answers.append((time.monotonic() - began, response))
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


@contextmanager
def another_transaction(
    hold: Callable[[], object],
    then: Callable[[], object] = lambda: None,
    seconds: float = 1.5,
) -> Iterator[list[BaseException]]:
    """A writer on another thread and connection: in one transaction it runs
    ``hold`` (taking the rows it writes or locks), keeps them ``seconds``,
    runs ``then`` and commits. The block runs once ``hold`` has; on leaving,
    the writer is waited for, and what it raised is in the list yielded
    (a deadlock's victim raises)."""
    held, errors = threading.Event(), []

    def writer() -> None:
        try:
            with transaction.atomic():
                hold()
                held.set()
                # Long enough for the block to reach what ``hold`` took.
                threading.Event().wait(seconds)
                then()
        except Exception as error:  # noqa: BLE001 (handed to the test)
            errors.append(error)
        finally:
            held.set()
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert held.wait(10)
    try:
        yield errors
    finally:
        thread.join(30)
