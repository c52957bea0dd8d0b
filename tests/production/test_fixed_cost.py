"""What every request pays in the middleware stack, whatever it asks for,
while everything the middleware does for the requests that need it stays
as it was."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.conf import LazySettings, settings
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import include, path
from wagtail.contrib.frontend_cache.backends import HTTPBackend

from reviews import frontend_cache
from reviews.api.middleware import api_prefix

pytestmark = pytest.mark.django_db

FIXED = b'{"items": []}'


def fixed_bytes(request: HttpRequest) -> HttpResponse:
    return HttpResponse(FIXED, content_type="application/json")


urlpatterns = [
    path("fixed.json", fixed_bytes, name="fixed_bytes"),
    path("", include("bookclub.urls")),
]


@contextmanager
def unset_settings_read() -> Iterator[list[str]]:
    """The names of settings the site leaves unset that are asked for (each
    ask raises ``AttributeError`` twice inside Django's settings object)."""
    asked: list[str] = []
    original = LazySettings.__getattr__

    def recording(self, name):
        if not name.startswith("_") and not hasattr(settings._wrapped, name):
            asked.append(name)
        return original(self, name)

    with mock.patch.object(LazySettings, "__getattr__", recording):
        yield asked


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    "url", ["/fixed.json", "/", "/api/v2/pages/?type=reviews.ReviewPage"]
)
def test_a_request_reads_no_unset_setting_again(client, url):
    client.get(url)
    client.get(url)
    with unset_settings_read() as asked:
        response = client.get(url)
    assert response.status_code == 200
    assert asked == []


def test_a_changed_setting_is_read_at_once():
    assert api_prefix() == "/api/"
    assert not frontend_cache.purges_by_url_only()
    edge = {
        "cdn": {
            "BACKEND": f"{HTTPBackend.__module__}.{HTTPBackend.__name__}",
            "LOCATION": "http://127.0.0.1:9",
        }
    }
    with override_settings(BOOKCLUB_API_PREFIX="/data/", WAGTAILFRONTENDCACHE=edge):
        assert api_prefix() == "/data/"
        assert frontend_cache.purges_by_url_only()
    assert api_prefix() == "/api/"
    assert not frontend_cache.purges_by_url_only()
