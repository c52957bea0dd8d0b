"""The read-only documents (the OpenAPI documents, the API docs page, the
feed and the sitemap) answer a write method with a 405 and an ``Allow``
header, not as a GET; the API's in its problem shape, as its other 405s."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import make_review

pytestmark = pytest.mark.django_db

API_DOCUMENTS = ["/api/v3/openapi.json", "/api/v2/openapi.json", "/api/v3/docs/"]
SITE_DOCUMENTS = ["/feeds/reviews/", "/sitemap.xml", "/club/meetings.ics"]
WRITES = ["post", "put", "patch", "delete"]


@pytest.fixture
def csrf_client() -> Client:
    """A client that is refused a write without a CSRF token, as a browser."""
    return Client(enforce_csrf_checks=True)


def _allowed(response) -> set[str]:
    return {method.strip() for method in response["Allow"].split(",")}


@pytest.mark.parametrize("method", WRITES)
@pytest.mark.parametrize("url", API_DOCUMENTS)
def test_an_api_document_refuses_a_write_as_a_problem(csrf_client, url, method):
    response = getattr(csrf_client, method)(url)
    assert response.status_code == 405, (url, method, response.status_code)
    assert "GET" in _allowed(response)
    assert method.upper() not in _allowed(response)
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 405


@pytest.mark.parametrize("method", WRITES)
@pytest.mark.parametrize("url", SITE_DOCUMENTS)
def test_a_feed_or_sitemap_refuses_a_write(csrf_client, url, method):
    make_review(title="Listed")
    response = getattr(csrf_client, method)(url)
    assert response.status_code == 405, (url, method, response.status_code)
    assert _allowed(response) == {"GET", "HEAD"}
    assert b"Listed" not in response.content
    # A page of the site's, not an empty body a browser shows as its error.
    assert b"This address can only be read" in response.content


@pytest.mark.parametrize("url", API_DOCUMENTS + SITE_DOCUMENTS)
def test_get_and_head_still_answer(client, url):
    make_review(title="Listed")
    assert client.get(url).status_code == 200
    head = client.head(url)
    assert head.status_code == 200
    assert head.content == b""
