"""The benchmark's ceiling rows measure what they say: the bare app's
version read is the very read a cached v2 list's hit makes, the
no-middleware server has no middleware, and the libraries' server has the
club's middleware of Django and the libraries, none of its own."""

from __future__ import annotations

import importlib
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.bare import BLOB, V2_LIST, hit_tags, versions_application
from benchmarks.endpoints import ENDPOINTS, V2_FIELDS
from tests.factories import make_review


def test_the_ceiling_rows_read_the_v2_list_that_the_cached_list_row_reads():
    v2_list = next(e for e in ENDPOINTS if e.key == "v2_list")
    assert V2_LIST == f"/api/v2/pages/?{V2_FIELDS}" == v2_list.candidates[0]


@pytest.mark.django_db
def test_the_bare_apps_read_is_a_cached_v2_list_hits_read(client):
    make_review()
    assert client.get(V2_LIST).status_code == 200
    with CaptureQueriesContext(connection) as hit:
        assert client.get(V2_LIST).status_code == 200
    (read,) = hit.captured_queries

    statuses = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "wsgi.input": io.BytesIO()}
    with CaptureQueriesContext(connection) as ceiling:
        body = versions_application(environ, lambda status, _: statuses.append(status))
    (same,) = ceiling.captured_queries

    assert statuses == ["200 OK"] and b"".join(body) == BLOB
    assert same["sql"] == read["sql"]
    assert all(f"'{tag}'" in read["sql"] for tag in hit_tags())


def test_the_no_middleware_server_has_no_middleware(monkeypatch):
    import bookclub.settings.bench as bench

    monkeypatch.setenv("BENCH_MIDDLEWARE", "none")
    assert importlib.reload(bench).MIDDLEWARE == []
    monkeypatch.delenv("BENCH_MIDDLEWARE")
    assert len(importlib.reload(bench).MIDDLEWARE) > 10


def test_the_libraries_server_has_only_django_and_library_middleware(monkeypatch):
    import bookclub.settings.bench as bench

    everything = list(importlib.reload(bench).MIDDLEWARE)
    monkeypatch.setenv("BENCH_MIDDLEWARE", "libraries")
    libraries = importlib.reload(bench).MIDDLEWARE
    monkeypatch.delenv("BENCH_MIDDLEWARE")
    importlib.reload(bench)

    assert libraries == [
        m for m in everything if m.split(".")[0] not in ("reviews", "bookclub")
    ]
    assert "django.middleware.csrf.CsrfViewMiddleware" in libraries
    assert "axes.middleware.AxesMiddleware" in libraries
    assert len(everything) - len(libraries) >= 8
