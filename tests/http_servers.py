"""Small HTTP servers the tests start in a thread (a recording edge, an
origin for Varnish, a slow server for wrk).

``socketserver``'s ``serve_forever`` checks for ``shutdown()`` every half
second by default, so every server stopped at a test's teardown cost that
test half a second of waiting: 39 of them in ``test_purge_on_commit.py``
alone. :func:`serve_in_thread` polls every 20 ms instead.
"""

from __future__ import annotations

import threading
from socketserver import BaseServer

POLL_SECONDS = 0.02


def serve_in_thread(server: BaseServer) -> threading.Thread:
    """Serve ``server`` from a daemon thread; ``server.shutdown()`` returns
    within :data:`POLL_SECONDS`."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
    )
    thread.start()
    return thread
