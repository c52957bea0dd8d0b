"""Two app nodes behind a real Varnish, shared by the edge tests.

The nodes are gunicorn subprocesses (benchmark settings: production
behaviour on 127.0.0.1) sharing one scratch database: PostgreSQL on the
server ``DATABASE_URL`` names, when it names one, else an SQLite file; and
Redis (database 3 of ``REDIS_URL``'s server) when ``REDIS_URL`` is set.
Without ``varnishd`` and xkey the tests fail in CI (``CI=true`` or
``BOOKCLUB_REQUIRE_VARNISH=1``) and are skipped elsewhere, like the browser
tests without Chromium.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import pytest

from benchmarks.edge import EdgeStack
from benchmarks.runtime import Varnish, drop_postgres, recreate_postgres
from tests.fixtures.database import scratch_database_name

INSTALL = "apt-get install varnish varnish-modules"


def _scratch_database(tmp_path) -> tuple[str, bool]:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        parts = urlsplit(url)
        name = scratch_database_name("edge_scratch")
        scratch = urlunsplit(parts._replace(path=f"/{name}"))
        recreate_postgres(scratch)
        return scratch, True
    return f"sqlite:///{tmp_path / 'edge.sqlite3'}", False


def _redis_url() -> str | None:
    if os.environ.get("BOOKCLUB_EDGE_REDIS_URL"):
        return os.environ["BOOKCLUB_EDGE_REDIS_URL"]
    url = os.environ.get("REDIS_URL", "")
    return urlunsplit(urlsplit(url)._replace(path="/3")) if url else None


def require_varnish() -> None:
    if not Varnish.available():
        if os.environ.get("CI") == "true" or os.environ.get("BOOKCLUB_REQUIRE_VARNISH"):
            pytest.fail(f"varnishd with the xkey vmod is missing: {INSTALL}")
        pytest.skip(f"varnishd with the xkey vmod is missing: {INSTALL}")


@pytest.fixture(scope="package")
def edge(tmp_path_factory):
    require_varnish()
    workdir = tmp_path_factory.mktemp("edge")
    database_url, postgres = _scratch_database(workdir)
    stack = EdgeStack(database_url, workdir, redis_url=_redis_url())
    try:
        stack.prepare(reviews=30)
        with stack:
            yield stack
    finally:
        if postgres:
            drop_postgres(database_url)
