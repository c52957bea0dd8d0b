"""The benchmark's load comes from wrk; a fresh rotation never repeats a path
and says where the next unused one is."""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks.wrk import run_wrk
from tests.http_servers import serve_in_thread


class Slow(BaseHTTPRequestHandler):
    seen: Counter = Counter()

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        Slow.seen[self.path] += 1
        time.sleep(0.02)
        try:
            self.send_response(404 if self.path.startswith("/missing") else 200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        except (BrokenPipeError, ConnectionResetError):
            # wrk hangs up when its time is over, mid-answer: not an error of
            # what is tested, and its traceback filled the suite's output.
            pass

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    if not shutil.which("wrk"):
        if os.environ.get("CI") == "true":
            pytest.fail("wrk is missing: apt-get install wrk")
        pytest.skip("wrk is missing: apt-get install wrk")
    Slow.seen.clear()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    serve_in_thread(httpd)
    yield httpd.server_address[1]
    httpd.shutdown()


def test_a_fresh_rotation_sends_each_path_at_most_once(server):
    paths = [f"/review/{n}/" for n in range(5000)]

    result = run_wrk(server, paths, concurrency=4, seconds=1, fresh_from=100)

    assert result.requests > 10 and result.failures == 0
    assert max(Slow.seen.values()) == 1
    reached = max(int(path.split("/")[2]) for path in Slow.seen)
    assert min(int(path.split("/")[2]) for path in Slow.seen) >= 100
    assert 100 + 4 * result.most_by_one_client > reached
    assert result.percentile(50) >= 0.02


def test_error_statuses_count_as_failures(server):
    result = run_wrk(server, ["/missing/"], concurrency=2, seconds=1)

    assert result.requests > 0 and result.failures == result.requests
