"""The benchmark's load comes from wrk; a fresh rotation never repeats a path
and says where the next unused one is. A check run (``--requests``) sends a
few requests a row, one at a time, with the same bookkeeping."""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks.load import run_requests
from benchmarks.summary import format_targets, targets
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
def plain_server():
    Slow.seen.clear()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    serve_in_thread(httpd)
    yield httpd.server_address[1]
    httpd.shutdown()


@pytest.fixture
def server(plain_server):
    if not shutil.which("wrk"):
        if os.environ.get("CI") == "true":
            pytest.fail("wrk is missing: apt-get install wrk")
        pytest.skip("wrk is missing: apt-get install wrk")
    return plain_server


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


def test_a_check_sends_its_requests_one_at_a_time_each_fresh_path_once(plain_server):
    paths = [f"/review/{n}/" for n in range(50)]

    result = run_requests(plain_server, paths, 20, fresh_from=10)

    assert result.requests == result.most_by_one_client == 20
    assert result.failures == 0 and result.statuses == Counter({200: 20})
    assert Slow.seen == Counter({f"/review/{n}/": 1 for n in range(10, 30)})
    assert len(result.latencies) == 20 and result.percentile(50) >= 0.02


def test_a_check_rotates_over_few_paths_and_counts_error_statuses(plain_server):
    result = run_requests(plain_server, ["/a/", "/missing/"], 5)

    assert Slow.seen == Counter({"/a/": 3, "/missing/": 2})
    assert result.statuses == Counter({200: 3, 404: 2}) and result.failures == 2


def test_a_check_counts_a_refused_connection_as_an_error():
    result = run_requests(_closed_port(), ["/a/", "/b/"], 2)

    assert result.requests == result.errors == result.failures == 2


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_check_run_judges_only_the_stale_reads():
    rows = [
        {"key": "static", "rps": 10.0},
        {"key": "bare", "rps": 10.0},
        {"key": "hot_writes", "rps": 5.0, "p99_ms": 1.0, "written": {"stale": 0}},
    ]
    run = {"reviews": 200, "endpoints": rows, "check": True}
    run["targets"] = targets(run)

    shown = format_targets(run)

    assert "a check run" in shown and "stale reads" in shown
    assert "static bytes" not in shown and "p99" not in shown
    assert "static bytes" in format_targets(run | {"check": False})
