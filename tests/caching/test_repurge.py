"""The second purge of a change's keys (``XkeyBackend(REPURGE_AFTER)``)
reaches the edge even from a process that ends right after the change:
``publish_scheduled`` from cron (a scheduled expiry unpublishes), an
``import_goodreads --publish``, a shell. Without it, an answer Varnish was
inserting as the first purge came stays until its max-age runs out."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from reviews.frontend_cache.backends import MAX_HEADER_LENGTH, XkeyBackend
from tests.caching.test_purge_on_commit import RecordingEdge, bound_edge
from tests.http_servers import serve_in_thread

#: Ports of this file's recording edge.
EDGE_PORTS = range(8890, 8900)
ROOT = Path(__file__).resolve().parents[2]


def test_a_process_that_ends_still_sends_the_second_purge():
    server = bound_edge(EDGE_PORTS)
    serve_in_thread(server)
    RecordingEdge.received = []
    location = f"http://127.0.0.1:{server.server_address[1]}"
    script = textwrap.dedent(
        f"""
        import django
        django.setup()
        from reviews.frontend_cache.backends import XkeyBackend
        XkeyBackend({{"LOCATION": {location!r}, "REPURGE_AFTER": 0.3}}).purge_keys(
            ["page-1", "reviews"]
        )
        """
    )
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "bookclub.settings.test"}
    try:
        subprocess.run(  # noqa: S603 (this interpreter, this file's script)
            [sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=60
        )
        deadline = time.monotonic() + 2
        while len(RecordingEdge.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        keys = [keys for _, _, keys in RecordingEdge.received]
        assert keys == ["page-1 reviews", "page-1 reviews"]
    finally:
        server.shutdown()
        server.server_close()


def test_a_garbled_reply_to_a_purge_is_logged_and_the_rest_still_go(caplog):
    """``_send`` logs an edge's error and never raises: an answer that is
    not HTTP at all (a proxy or load balancer in between misbehaving) raised
    http.client's BadStatusLine out of it, which skipped the change's other
    key chunks and the second purge."""
    listener = None
    for port in EDGE_PORTS:
        candidate = socket.socket()
        try:
            candidate.bind(("127.0.0.1", port))
        except OSError:
            candidate.close()
            continue
        listener = candidate
        break
    if listener is None:
        raise OSError(socket.errno.EADDRINUSE, "no free port for the garbling edge")
    listener.listen()
    received: list[bytes] = []

    def garble() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with client:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = client.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                received.append(data)
                client.sendall(b"garbage\r\n\r\n")

    threading.Thread(target=garble, daemon=True).start()
    location = f"http://127.0.0.1:{listener.getsockname()[1]}"
    # Two header values: more keys than fit one.
    keys = [f"page-{n}" for n in range(MAX_HEADER_LENGTH // 6)]
    try:
        XkeyBackend({"LOCATION": location, "REPURGE_AFTER": 0.2}).purge_keys(keys)
        deadline = time.monotonic() + 3
        while len(received) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(received) == 4  # two chunks, twice
        assert "Couldn't purge keys" in caplog.text
    finally:
        listener.close()
