"""The resilience scripts' readers: paced ones (``--pause``, the short form
CI runs) wait between reads; unpaced ones read as fast as the server
answers."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks.traffic import drive
from tests.http_servers import serve_in_thread


class Page(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn answers the readers
    # The head and the body go out in two writes: without this, each answer
    # waited for the client's delayed acknowledgement (about 40 ms).
    disable_nagle_algorithm = True

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def port():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    serve_in_thread(httpd)
    yield httpd.server_address[1]
    httpd.shutdown()


def reads(port: int, pause: float) -> list[int]:
    run = drive(port, {"accounts": []}, 0.5, readers=2, writers=0, pause=pause)
    return [outcome.status for outcome in run.outcomes if outcome.kind == "read"]


def test_paced_readers_wait_between_reads(port):
    paced = reads(port, pause=0.1)
    # Each read is followed by 0.1 s of waiting: in 0.5 s a reader reads at
    # most six times, however fast the server is.
    assert 2 <= len(paced) <= 2 * 6
    assert set(paced) == {200}

    unpaced = reads(port, pause=0.0)
    assert len(unpaced) > 2 * 6
    assert set(unpaced) == {200}
