"""deploy/varnish/bookclub.vcl on its own: a real varnishd in front of a
small origin that tags its answers, purged by reviews.frontend_cache."""

from __future__ import annotations

import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from benchmarks.runtime import Varnish
from reviews.frontend_cache import XkeyBackend
from tests.http_servers import serve_in_thread

from .conftest import require_varnish


class Origin(BaseHTTPRequestHandler):
    """``/tagged?keys=a+b&cc=…&delay=…&cookie=1&vary=…``: an answer tagged
    with ``keys`` that counts how often it was built."""

    built: dict[str, int] = {}
    #: Set once the origin has started building a ``delay=`` answer.
    building = threading.Event()

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        query = parse_qs(urlsplit(self.path).query)
        Origin.built[self.path] = Origin.built.get(self.path, 0) + 1
        if "delay" in query:
            Origin.building.set()
        time.sleep(float(query.get("delay", ["0"])[0]))
        body = f"build {Origin.built[self.path]} of {self.path}".encode()
        self.send_response(int(query.get("status", ["200"])[0]))
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", query.get("cc", ["public, max-age=60"])[0])
        if "keys" in query:
            self.send_header("Surrogate-Key", query["keys"][0])
        if "cookie" in query:
            self.send_header("Set-Cookie", "csrftoken=abc; Path=/")
        if "vary" in query:
            self.send_header("Vary", query["vary"][0])
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def varnish(tmp_path_factory):
    require_varnish()
    origin = ThreadingHTTPServer(("127.0.0.1", 0), Origin)
    serve_in_thread(origin)
    try:
        with Varnish([origin.server_address[1]], tmp_path_factory.mktemp("vcl")) as v:
            yield v
    finally:
        origin.shutdown()


def fetch(varnish, path: str, **headers: str) -> tuple[str, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", varnish.port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        assert "surrogate-key" not in {k.lower() for k, _ in response.getheaders()}
        return response.getheader("X-Cache", ""), body
    finally:
        conn.close()


def purge(varnish, *keys: str) -> None:
    XkeyBackend({"LOCATION": f"http://127.0.0.1:{varnish.port}"}).purge_keys(keys)


def test_a_purge_removes_every_answer_with_the_key_and_only_those(varnish):
    fetch(varnish, "/tagged?keys=page-1+reviews")
    fetch(varnish, "/tagged?keys=page-2+reviews")
    fetch(varnish, "/tagged?keys=page-3")
    assert fetch(varnish, "/tagged?keys=page-1+reviews")[0] == "hit"

    purge(varnish, "reviews")

    # Built again: a "miss", or a "pass" when the fetch began in the very
    # millisecond of the purge (the VCL then keeps nothing, to be safe).
    cache, body = fetch(varnish, "/tagged?keys=page-1+reviews")
    assert cache != "hit" and body == b"build 2 of /tagged?keys=page-1+reviews"
    assert fetch(varnish, "/tagged?keys=page-2+reviews")[0] != "hit"
    assert fetch(varnish, "/tagged?keys=page-3")[0] == "hit"


def test_many_keys_are_purged_over_as_many_requests_as_varnish_accepts(varnish):
    fetch(varnish, "/tagged?keys=page-9000+books")
    assert fetch(varnish, "/tagged?keys=page-9000+books")[0] == "hit"

    purge(varnish, *(f"page-{n}" for n in range(1, 3000)), "page-9000")

    cache, body = fetch(varnish, "/tagged?keys=page-9000+books")
    assert cache != "hit" and body == b"build 2 of /tagged?keys=page-9000+books"


@pytest.mark.parametrize(
    "query",
    [
        "cc=private,+max-age=60&keys=k",
        "cc=public,+max-age=60,+no-store&keys=k",
        "cc=no-cache&keys=k",
        "cc=max-age=60&keys=k",
        "keys=k&cookie=1",
        "keys=k&vary=User-Agent",
        "keys=k&status=404",
        "keys=k&status=301",
        "cc=public,+max-age=60",
    ],
)
def test_answers_the_app_did_not_declare_shareable_and_tagged_are_not_kept(
    varnish, query
):
    path = f"/tagged?{query}"
    for _ in range(3):
        assert fetch(varnish, path)[0] != "hit"


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/tagged?keys=k&n=1", {"Cookie": "sessionid=abc"}),
        ("/tagged?keys=k&n=2", {"Cookie": "anything=1"}),
        ("/tagged?keys=k&n=3", {"Authorization": "Bearer token"}),
        # The charset the app decodes the query with: "+AHM-poilers=show".
        ("/tagged?keys=k&n=4", {"Content-Type": "text/plain; charset=utf-7"}),
        ("/tagged?keys=k&read=5:3", {}),
        ("/tagged?keys=k&spoilers=show", {}),
        ("/tagged?keys=k&reveal=abc", {}),
        ("/tagged?keys=k&reveal_comments=1-5", {}),
        ("/club/reveal/1/abc/?keys=k", {}),
        ("/admin/?keys=k", {}),
    ],
)
def test_requests_that_depend_on_the_reader_go_to_the_app_every_time(
    varnish, path, headers
):
    for _ in range(3):
        assert fetch(varnish, path, **headers)[0] == "pass"
    if headers:  # nor did they leave a copy for the next anonymous reader
        assert fetch(varnish, path)[1] == f"build 4 of {path}".encode()


def test_an_answer_built_while_a_purge_arrived_is_delivered_but_not_kept(varnish):
    path = "/tagged?keys=slow&delay=1.5"
    results = []
    reader = threading.Thread(target=lambda: results.append(fetch(varnish, path)))
    Origin.building.clear()
    reader.start()
    # The origin is building the answer from what it read when the change lands.
    assert Origin.building.wait(timeout=30)
    purge(varnish, "something-else-changed")
    reader.join()

    assert results[0][1] == f"build 1 of {path}".encode()
    assert fetch(varnish, path)[0] == "miss"
    assert fetch(varnish, path)[0] == "hit"


def test_only_listed_addresses_may_purge(tmp_path):
    require_varnish()
    with Varnish([9], tmp_path, purgers=("10.0.0.11",)) as strict:
        conn = http.client.HTTPConnection("127.0.0.1", strict.port, timeout=10)
        conn.request("PURGE", "/", headers={"xkey-purge": "k"})
        assert conn.getresponse().status == 405
        conn.close()
