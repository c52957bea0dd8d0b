"""The project's URLs plus two baselines, mounted for the benchmark only:

* ``/bench/stock/v2/`` — stock Wagtail: a plain ``PagesAPIViewSet`` with none
  of the club's additions, over the same content and fields;
* ``/bench/static.json`` — pre-rendered bytes of the same size as the v2
  review list, served through the same middleware stack: the physical limit;
* ``/bench/versions.json`` — the same bytes after the one read every cached
  response makes, its tags' versions (served with no middleware, it is the
  ceiling of a hit inside Django's handler: ``benchmarks.endpoints``).
"""

from __future__ import annotations

import os
from functools import cache

from django.http import HttpRequest, HttpResponse
from django.urls import path
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

from bookclub.urls import handler500  # noqa: F401
from bookclub.urls import urlpatterns as project_urlpatterns

stock_router = WagtailAPIRouter("benchstockapi")
stock_router.register_endpoint("pages", PagesAPIViewSet)


@cache
def _blob() -> bytes:
    blob_path = os.environ.get("BENCH_BLOB_PATH")
    if blob_path and os.path.exists(blob_path):
        with open(blob_path, "rb") as blob:
            return blob.read()
    return b'{"meta": {"total_count": 0}, "items": []}'


def static_blob(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_blob(), content_type="application/json")


def versions_blob(request: HttpRequest) -> HttpResponse:
    from benchmarks.bare import hit_tags
    from reviews.content_version import current_versions

    current_versions(hit_tags())
    return HttpResponse(_blob(), content_type="application/json")


urlpatterns = [
    path("bench/stock/v2/", stock_router.urls),
    path("bench/static.json", static_blob, name="bench_static_blob"),
    path("bench/versions.json", versions_blob, name="bench_versions_blob"),
    *project_urlpatterns,
]
