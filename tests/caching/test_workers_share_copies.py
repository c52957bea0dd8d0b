"""Two gunicorn workers sharing Redis build a retired copy once between them.

Each worker keeps the copies it served in its own memory, in front of the
shared cache. After a publish every worker found its own copy retired; the
first to be asked rebuilt it and shared it, and the other built it again
instead of taking that one: every page a publish retires was built once per
worker. The workers log each miss of a shared copy at DEBUG
(``reviews.response_cache``), which says who built what.

Real processes: gunicorn with two sync workers and the benchmark's settings
(production behaviour on 127.0.0.1), on a copy of the test database, with
Redis (database 4 of ``REDIS_URL``'s server) as the shared cache; without
Redis there is nothing shared to take, and the test is skipped.
"""

from __future__ import annotations

import http.client
import json
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from benchmarks.runtime import Gunicorn, base_env, run_django
from benchmarks.traffic import Browser, publish_form
from tests.fixtures.database import migrated_copy

# django_db: the server starts from a copy of the test database.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

LISTING = "/api/v3/reviews/?limit=9"


def _redis_url() -> str | None:
    url = os.environ.get("REDIS_URL", "")
    return urlunsplit(urlsplit(url)._replace(path="/4")) if url else None


@pytest.fixture(scope="module")
def server(tmp_path_factory, django_db_setup, django_db_blocker):
    redis_url = _redis_url()
    if not redis_url:
        pytest.skip("without Redis the workers share no copies to take")
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    workdir = tmp_path_factory.mktemp("shared")
    with migrated_copy(django_db_blocker, "shared_scratch", workdir) as database_url:
        env = base_env(
            database_url,
            REDIS_URL=redis_url,
            STATIC_ROOT=str(workdir / "static"),
            CACHE_LOG_LEVEL="DEBUG",
        )
        out = workdir / "club.json"
        run_django(["-m", "benchmarks.edge", "prepare", str(out), "12"], env)
        club = json.loads(out.read_text())
        with Gunicorn(env, workers=2, log=workdir / "gunicorn.log") as gunicorn:
            yield gunicorn, club


def _get(port: int, path: str) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        assert response.status == 200, (path, response.status)
        return response.read()
    finally:
        conn.close()


def _both_workers_read(port: int, path: str) -> list[bytes]:
    """Eight reads at once, twice: each worker serves some of them."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        return [
            body
            for _ in range(2)
            for body in pool.map(lambda _: _get(port, path), range(8))
        ]


def _built(log: Path, start: int, path: str) -> int:
    """How many times a worker logged building ``path`` after byte ``start``."""
    with log.open("rb") as lines:
        lines.seek(start)
        records = [json.loads(line) for line in lines if line.startswith(b"{")]
    return sum(
        1
        for record in records
        if record.get("message") == "shared copy built" and record.get("path") == path
    )


def test_a_listing_a_publish_retired_is_built_once_by_two_workers(server):
    gunicorn, club = server
    port = gunicorn.port
    _both_workers_read(port, LISTING)  # each worker keeps it in its memory
    review = club["reviews"][0]
    editor = Browser(port)
    assert editor.login(club["editor"], club["password"])
    since = gunicorn.log_path.stat().st_size
    marker = f"Edited {uuid.uuid4().hex[:10]}"

    form = publish_form(review, marker)
    form["csrfmiddlewaretoken"] = editor.cookies.get("csrftoken", "")
    status, headers, _ = editor.request(
        "POST", f"/admin/pages/{review['id']}/edit/", form
    )
    assert status == 302 and "/login/" not in headers.get("Location", "")
    assert marker.encode() in _get(port, LISTING)  # one worker rebuilds it
    reads = _both_workers_read(port, LISTING)  # the other takes that copy

    assert all(marker.encode() in body for body in reads)
    assert _built(gunicorn.log_path, since, LISTING) == 1
