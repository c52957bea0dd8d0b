"""Many clients sending the same request at the same moment."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connection
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
