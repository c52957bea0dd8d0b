"""A shared copy is served only to requests it was built for. The scheme,
the port and the host decide which Site a request is answered as
(``Site.find_for_request``), and API v2's ``detail_url`` links start at that
Site's root; a copy built for one must never answer another."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from tests.factories import make_review

pytestmark = pytest.mark.django_db

API_URLS = [
    "/api/v2/pages/?type=reviews.ReviewPage&fields=*",
    "/api/v2/pages/{review}/",
    "/api/v2/pages/?child_of={index}",
    "/api/v3/reviews/",
    "/api/v3/reviews/{review}/",
    "/api/v3/books/",
]
PAGE_URLS = ["/reviews/", "/reviews/{slug}/", "/feeds/reviews/"]
DETAIL_URL = re.compile(rb'"detail_url": ?"(https?://[^/"]+)/')
#: How each kind of request reaches the club.
REQUESTS = {
    "http": {},
    "https": {"secure": True},
    "localhost": {"HTTP_HOST": "localhost"},
}


@pytest.fixture
def sites(db) -> dict[str, Site]:
    """One tree served as http://testserver, https://testserver and
    http://localhost: three Sites."""
    default = Site.objects.get(is_default_site=True)
    default.hostname, default.port = "testserver", 80
    default.save()
    root = default.root_page
    return {
        "http": default,
        "https": Site.objects.create(hostname="testserver", port=443, root_page=root),
        "localhost": Site.objects.create(hostname="localhost", port=80, root_page=root),
    }


def _get(client: Client, url: str, kind: str) -> bytes:
    response = client.get(url, **REQUESTS[kind])
    assert response.status_code == 200, (url, kind)
    return response.content


def _check_every_order(client: Client, url: str) -> None:
    with override_settings(
        BOOKCLUB_API_RESPONSE_CACHE=False, BOOKCLUB_PAGE_CACHE=False
    ):
        expected = {kind: _get(client, url, kind) for kind in REQUESTS}
    for first in REQUESTS:
        order = [first, *(kind for kind in REQUESTS if kind != first)]
        with override_settings(BOOKCLUB_API_MAX_AGE=61, BOOKCLUB_PAGE_MAX_AGE=61):
            # A changed setting starts every process's copies afresh.
            for kind in order:
                assert _get(client, url, kind) == expected[kind], (url, first, kind)


@override_settings(WAGTAILAPI_BASE_URL=None)
@pytest.mark.parametrize("path", API_URLS)
def test_an_api_copy_answers_only_its_scheme_and_host(client, sites, path):
    review = make_review()
    url = path.format(review=review.pk, index=review.get_parent().pk)
    _check_every_order(client, url)
    if url.startswith("/api/v2/"):
        for kind, site in sites.items():
            roots = set(DETAIL_URL.findall(_get(client, url, kind)))
            assert roots == {site.root_url.encode()}, (url, kind, roots)


@pytest.mark.parametrize("path", PAGE_URLS)
def test_a_page_copy_answers_only_its_scheme_and_host(client, sites, path):
    review = make_review()
    _check_every_order(client, path.format(slug=review.slug))


#: Ways a client may write the host "localhost" that Django and Wagtail read
#: as that host: its case, a trailing dot, a port in the header (the Site is
#: chosen by the port the request came in on, not the header's).
SAME_HOST = ["LOCALHOST", "LocalHost", "localhost.", "localhost:1", "localhost:8123"]


@pytest.mark.parametrize("path", ["/reviews/", "/api/v3/reviews/", API_URLS[0]])
def test_one_host_written_another_way_shares_its_copy(client, sites, path):
    """Each way of writing a host kept a copy of its own: a client sending
    ``localhost:1``, ``localhost:2``, … filled the cache with copies nobody
    else would ask for."""
    make_review()
    first = client.get(path, HTTP_HOST="localhost")
    with CaptureQueriesContext(connection) as hit:
        again = client.get(path, HTTP_HOST="localhost")
    assert again.content == first.content
    for host in SAME_HOST:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, HTTP_HOST=host)
        assert response.status_code == 200, host
        assert response.content == first.content, host
        assert len(queries) == len(hit), (host, [q["sql"] for q in queries])
