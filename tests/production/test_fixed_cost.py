"""What every request pays in the middleware stack, whatever it asks for,
while everything the middleware does for the requests that need it stays
as it was."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.conf import LazySettings, settings
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template import Context, Template
from django.test import override_settings
from django.urls import include, path
from wagtail.contrib.frontend_cache.backends import HTTPBackend

from reviews import frontend_cache
from reviews.api.middleware import api_prefix

pytestmark = pytest.mark.django_db

FIXED = b'{"items": []}'


def fixed_bytes(request: HttpRequest) -> HttpResponse:
    return HttpResponse(FIXED, content_type="application/json")


def leave_a_message(request: HttpRequest) -> HttpResponse:
    messages.success(request, "Saved.")
    return HttpResponse(b"done")


def show_messages(request: HttpRequest) -> HttpResponse:
    shown = Template("{% for m in messages %}[{{ m }}]{% endfor %}").render(
        Context({"messages": messages.get_messages(request)})
    )
    return HttpResponse(shown)


@contextmanager
def instances_built(klass: type) -> Iterator[mock.Mock]:
    """Records every instance of ``klass`` built inside the block."""
    with mock.patch.object(
        klass, "__init__", autospec=True, side_effect=klass.__init__
    ) as init:
        yield init


urlpatterns = [
    path("fixed.json", fixed_bytes, name="fixed_bytes"),
    path("leave/", leave_a_message, name="leave_a_message"),
    path("show/", show_messages, name="show_messages"),
    path("", include("bookclub.urls")),
]


@pytest.mark.urls(__name__)
def test_a_view_that_reads_no_user_loads_no_session_and_varies_on_no_cookie(client):
    """The admin's page-hiding middleware read ``request.user`` for every
    view, which loaded the session and made every answer vary on
    ``Cookie``; it reads it for the admin's views only."""
    response = client.get("/fixed.json")
    assert response.status_code == 200
    assert response.content == FIXED
    assert not response.wsgi_request.session.accessed
    assert "Vary" not in response
    # The stack's own headers are all still there.
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(FIXED))


def test_a_page_that_shows_the_user_still_varies_on_cookie(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "Cookie" in response["Vary"]


def test_the_admin_still_reads_the_user(client, member):
    client.force_login(member)
    with mock.patch(
        "reviews.admin_privacy.serving_admin_for", autospec=True
    ) as serving:
        client.get("/admin/")
    serving.assert_called_once_with(member)


@pytest.mark.urls(__name__)
def test_a_request_that_uses_no_message_builds_no_message_storage(client):
    with instances_built(FallbackStorage) as built:
        response = client.get("/fixed.json")
    assert response.status_code == 200
    built.assert_not_called()


@pytest.mark.urls(__name__)
def test_a_message_left_is_shown_on_the_next_page_once(client):
    left = client.get("/leave/")
    assert left.status_code == 200
    assert "messages" in left.cookies
    assert client.get("/show/").content == b"[Saved.]"
    assert client.get("/show/").content == b""


@pytest.mark.urls(__name__)
def test_a_request_without_reader_parameters_parses_no_query(client):
    """The reader middleware checks ``spoilers=``, ``read=`` and ``reveal=``
    only where the query string can hold them."""
    with instances_built(QueryDict) as built:
        response = client.get("/fixed.json")
    assert response.status_code == 200
    built.assert_not_called()


@pytest.mark.parametrize("query", ["spoilers=maybe", "%72ead=x", "reveal=%00"])
def test_a_malformed_reader_parameter_is_still_refused(client, query):
    response = client.get(f"/accounts/login/?{query}")
    assert response.status_code == 400


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
