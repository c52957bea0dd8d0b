"""Ports for the servers the tests start: each pytest-xdist worker its own.

``BOOKCLUB_TEST_PORTS=FIRST-LAST`` (default 8100-8499) is shared out in equal
blocks between the workers (``PYTEST_XDIST_WORKER`` gw0, gw1, …), so two
workers never pick the same port before either server has bound it. In a
block, the app nodes and Varnish of ``benchmarks.runtime`` get the ranges it
reads (``BOOKCLUB_APP_PORTS``, ``BOOKCLUB_EDGE_PORTS``); :func:`free_port`
hands out the rest (SMTP, Redis, gunicorn), then any port the system offers.
"""

from __future__ import annotations

import os

from benchmarks.runtime import free_port as _free_port_in

DEFAULT_RANGE = "8100-8499"


def worker_block() -> range:
    """This worker's share of ``BOOKCLUB_TEST_PORTS``."""
    first, _, last = os.environ.get("BOOKCLUB_TEST_PORTS", DEFAULT_RANGE).partition("-")
    start, end = int(first), int(last or first)
    workers = max(int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")), 1)
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    size = (end - start + 1) // workers
    if size < 8:
        raise ValueError(f"BOOKCLUB_TEST_PORTS is too small for {workers} workers")
    return range(start + worker * size, start + (worker + 1) * size)


def _split() -> tuple[range, range, range]:
    block = worker_block()
    quarter, eighth = len(block) // 4, len(block) // 8
    app = block[:quarter]
    edge = block[quarter : quarter + eighth]
    return app, edge, block[quarter + eighth :]


def claim_server_ranges() -> None:
    """Point ``benchmarks.runtime`` at this worker's ranges.

    A run without workers keeps ranges set by hand (docs/deploy.md)."""
    app, edge, _ = _split()
    worker = "PYTEST_XDIST_WORKER" in os.environ
    for variable, ports in (("BOOKCLUB_APP_PORTS", app), ("BOOKCLUB_EDGE_PORTS", edge)):
        if worker or variable not in os.environ:
            os.environ[variable] = f"{ports[0]}-{ports[-1]}"


def free_port() -> int:
    """A port of this worker's that nobody listens on and this process has
    not handed out before."""
    rest = _split()[2]
    return _free_port_in(rest[0], rest[-1])
