"""Two app nodes behind a real Varnish, shared by the edge tests.

The nodes are gunicorn subprocesses (benchmark settings: production
behaviour on 127.0.0.1) sharing one scratch database, a copy of the
worker's migrated test database: PostgreSQL on the server ``DATABASE_URL``
names, when it names one, else an SQLite file; and
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
from benchmarks.runtime import Varnish
from tests.fixtures.database import migrated_copy

INSTALL = "apt-get install varnish varnish-modules"
#: The nodes purge each change's keys once more this much later (production:
#: 1 s); a test waits for the second purge of the test before it
#: (test_varnish.py) rather than see it drop what it has just stored.
REPURGE_SECONDS = 0.3
#: How often the stack's ``manage.py purge_edge`` looks at its queue.
PURGE_INTERVAL = 0.1


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
def edge(tmp_path_factory, django_db_setup, django_db_blocker):
    require_varnish()
    workdir = tmp_path_factory.mktemp("edge")
    with migrated_copy(django_db_blocker, "edge_scratch", workdir) as database_url:
        stack = EdgeStack(
            database_url,
            workdir,
            redis_url=_redis_url(),
            extra_env={"VARNISH_REPURGE_SECONDS": str(REPURGE_SECONDS)},
            purge_interval=PURGE_INTERVAL,
        )
        stack.prepare(reviews=30)
        with stack:
            yield stack
