"""A shared page or API response is served before the session, CORS, CSRF,
authentication, messages and clickjacking middleware, with exactly the
headers the full stack gives; a request that may be reader-dependent always
goes through the full stack."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from corsheaders.middleware import CorsMiddleware
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import JsonResponse, QueryDict
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.test import override_settings
from django.utils import timezone

from bookclub.middleware import LazyMessageMiddleware
from reviews.api.middleware import ProblemDetailsMiddleware
from reviews.models import CacheTag, ReviewPage
from reviews.response_cache.api import APIHeadersMiddleware
from reviews.response_cache.middleware import ResponseCacheMiddleware
from tests.factories import make_review, token_client
from tests.fixtures.database import built_once

pytestmark = pytest.mark.django_db

SKIPPED = [
    (SessionMiddleware, "process_request"),
    (CsrfViewMiddleware, "process_request"),
    (AuthenticationMiddleware, "process_request"),
    (LazyMessageMiddleware, "process_request"),
    (XFrameOptionsMiddleware, "process_response"),
]
#: The API's requests also pass these before the view.
API_SKIPPED = [
    *SKIPPED,
    (CorsMiddleware, "__call__"),
    (ProblemDetailsMiddleware, "__call__"),
]
API_URLS = [
    "/api/v2/pages/?type=reviews.ReviewPage",
    "/api/v2/pages/{review}/",
    "/api/v3/reviews/",
    "/api/v3/reviews/{review}/",
]
ORIGIN = "https://readers.example"
SECURITY = {
    "SECURE_CONTENT_TYPE_NOSNIFF": True,
    "SECURE_REFERRER_POLICY": "same-origin",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
    "X_FRAME_OPTIONS": "SAMEORIGIN",
}


@contextmanager
def counting(skipped=SKIPPED) -> Iterator[list[str]]:
    """The names of the skipped middleware's hooks that ran."""
    ran: list[str] = []
    with_patches = []
    for klass, name in skipped:
        original = getattr(klass, name)

        def hook(self, *args, _original=original, _klass=klass, **kwargs):
            ran.append(_klass.__name__)
            return _original(self, *args, **kwargs)

        with_patches.append(mock.patch.object(klass, name, hook))
    for patch in with_patches:
        patch.start()
    try:
        yield ran
    finally:
        for patch in with_patches:
            patch.stop()


@pytest.fixture(scope="module")
def built_review(django_db_setup, django_db_blocker) -> Iterator[int]:
    """The review every test reads, built once for the module."""
    with built_once(django_db_blocker):
        yield make_review(title="Early Bird", slug="early-bird").pk


@pytest.fixture
def review(built_review: int) -> ReviewPage:
    """A fresh copy of the module's review: what a test writes rolls back
    after it."""
    return ReviewPage.objects.get(pk=built_review)


@override_settings(**SECURITY)
def test_a_hit_has_the_full_stacks_headers_and_skips_its_middleware(client, review):
    with counting() as ran:
        built = client.get(review.url)
        assert built.status_code == 200
        assert set(ran) == {klass.__name__ for klass, _ in SKIPPED}
        ran.clear()
        hit = client.get(review.url)
        assert ran == [], "a hit went through the session/CSRF/auth middleware"
    assert hit.content == built.content
    assert dict(hit.items()) == dict(built.items())
    for name in (
        "Vary",
        "Cache-Control",
        "ETag",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Content-Length",
    ):
        assert name in hit, name
    assert "public" in hit["Cache-Control"]


@override_settings(**SECURITY)
def test_a_conditional_hit_answers_304_with_the_same_validator(client, review):
    etag = client.get(review.url)["ETag"]
    with counting() as ran:
        again = client.get(review.url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert ran == []


@pytest.mark.parametrize(
    "extra",
    [
        {"HTTP_COOKIE": "sessionid=abc"},
        {"HTTP_COOKIE": "messages=abc"},
        {"HTTP_AUTHORIZATION": "Bearer nothing"},
        {"QUERY_STRING": "read=1"},
        {"QUERY_STRING": "spoilers=show"},
        {"QUERY_STRING": "%72ead=1"},
        {"QUERY_STRING": "sp%6filers=show"},
    ],
    ids=["session", "message", "token", "read", "spoilers", "read%", "spoilers%"],
)
def test_a_request_that_may_depend_on_the_reader_takes_the_full_stack(
    client, review, extra
):
    client.get(review.url)
    client.get(review.url)
    with counting() as ran:
        client.generic("GET", review.url, **extra)
    assert "SessionMiddleware" in ran and "AuthenticationMiddleware" in ran


@pytest.mark.parametrize(
    "url", ["{page}", "{page}?page=1", "/api/v2/pages/?type=reviews.ReviewPage"]
)
def test_a_hit_builds_no_query_dict(client, review, url):
    """Whether a request names a reader parameter is told from its query
    string as sent when that cannot name one: a hit builds no ``GET``."""
    url = url.format(page=review.get_parent().url)
    client.get(url)
    client.get(url)
    with mock.patch(
        "django.http.request.QueryDict.__init__",
        autospec=True,
        side_effect=QueryDict.__init__,
    ) as built:
        hit = client.get(url)
    assert hit.status_code == 200
    assert "public" in hit["Cache-Control"]
    built.assert_not_called()


def test_a_post_takes_the_full_stack(client, review):
    client.get(review.url)
    with counting() as ran:
        client.post(review.url)
    assert "CsrfViewMiddleware" in ran


def test_a_member_is_never_served_the_shared_copy(client, review, member):
    client.get(review.url)
    client.force_login(member)
    with counting() as ran:
        response = client.get(review.url)
    assert "SessionMiddleware" in ran
    assert "private" in response["Cache-Control"]


def _api_url(template: str, review) -> str:
    return template.format(review=review.pk)


@override_settings(**SECURITY)
@pytest.mark.parametrize("template", API_URLS)
def test_an_api_hit_has_the_full_stacks_headers_and_skips_its_middleware(
    client, review, template
):
    url = _api_url(template, review)
    # Built well after the last change, so that it names it in Last-Modified.
    CacheTag.objects.update(changed_at=timezone.now() - timedelta(hours=1))
    with counting(API_SKIPPED) as ran:
        built = client.get(url)
        assert built.status_code == 200
        assert set(ran) == {klass.__name__ for klass, _ in API_SKIPPED}
        ran.clear()
        hit = client.get(url)
        assert ran == [], "an API hit went through the session/CORS/auth middleware"
    assert hit.content == built.content
    assert dict(hit.items()) == dict(built.items())
    for name in ("Vary", "ETag", "Last-Modified", "X-Frame-Options", "Content-Length"):
        assert name in hit, name
    assert "public" in hit["Cache-Control"]


@override_settings(**SECURITY)
@pytest.mark.parametrize("template", API_URLS)
def test_an_api_head_is_served_the_gets_copy_with_the_full_stacks_headers(
    client, review, template
):
    url = _api_url(template, review)
    # Dated well before either request, so that both name it in
    # Last-Modified: a change under two seconds old is named by neither
    # (store.LAST_MODIFIED_SETTLED), and on a slow machine the GET below can
    # land after that and the HEAD before it.
    CacheTag.objects.update(changed_at=timezone.now() - timedelta(hours=1))
    full_stack = client.head(url)  # nothing kept yet: the whole stack answers
    client.get(url)
    with counting(API_SKIPPED) as ran:
        hit = client.head(url)
    assert ran == []
    assert hit.status_code == 200
    assert hit.content == b""
    assert dict(hit.items()) == dict(full_stack.items())
    assert "Last-Modified" in hit


@override_settings(**SECURITY)
def test_a_conditional_api_hit_answers_304_with_the_same_validator(client, review):
    url = "/api/v3/reviews/"
    etag = client.get(url)["ETag"]
    with counting(API_SKIPPED) as ran:
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert ran == []


@pytest.mark.parametrize("url", ["/api/v3/reviews/", "HTML"])
@pytest.mark.parametrize(
    "precondition, status",
    [
        ({"HTTP_IF_MATCH": '"another"'}, 412),
        ({"HTTP_IF_MATCH": "ETAG"}, 200),
        ({"HTTP_IF_NONE_MATCH": "ETAG"}, 304),
        ({"HTTP_IF_NONE_MATCH": '"another"'}, 200),
        ({"HTTP_IF_UNMODIFIED_SINCE": "Sat, 01 Jan 2000 00:00:00 GMT"}, 412),
        ({"HTTP_IF_MODIFIED_SINCE": "Sat, 01 Jan 2000 00:00:00 GMT"}, 200),
        ({}, 200),
    ],
)
def test_a_hit_answers_every_precondition_as_the_full_stack_does(
    client, review, url, precondition, status
):
    """Only a request with no precondition at all is sent its copy without
    comparing validators; each kind of precondition is still compared."""
    url = review.get_parent().url if url == "HTML" else url
    # Built well after the last change, so that it names it in Last-Modified.
    CacheTag.objects.update(changed_at=timezone.now() - timedelta(hours=1))
    built = client.get(url)
    headers = {
        name: built["ETag"] if value == "ETAG" else value
        for name, value in precondition.items()
    }
    hit = client.get(url, **headers)
    assert hit.status_code == status
    if status == 200:
        assert hit.content == built.content


@override_settings(CORS_ALLOWED_ORIGINS=[ORIGIN])
def test_an_api_copy_carries_the_cors_headers_of_its_own_origin(client, review):
    url = "/api/v3/reviews/"
    plain = client.get(url)
    assert "Access-Control-Allow-Origin" not in plain
    allowed = client.get(url, HTTP_ORIGIN=ORIGIN)
    assert allowed["Access-Control-Allow-Origin"] == ORIGIN
    with counting(API_SKIPPED) as ran:
        again = client.get(url, HTTP_ORIGIN=ORIGIN)
        assert ran == []
        stranger = client.get(url, HTTP_ORIGIN="https://elsewhere.example")
        not_modified = client.get(
            url, HTTP_ORIGIN=ORIGIN, HTTP_IF_NONE_MATCH=allowed["ETag"]
        )
        plain_again = client.get(url)
    assert dict(again.items()) == dict(allowed.items())
    assert "Access-Control-Allow-Origin" not in stranger
    assert "Access-Control-Allow-Origin" not in plain_again
    assert not_modified.status_code == 304
    assert not_modified["Access-Control-Allow-Origin"] == ORIGIN


@pytest.mark.parametrize(
    "extra",
    [
        {"HTTP_COOKIE": "sessionid=abc"},
        {"HTTP_AUTHORIZATION": "Bearer nothing"},
        {"QUERY_STRING": "read=1"},
        {"QUERY_STRING": "spoilers=show"},
        {"QUERY_STRING": "%72ead=1"},
        {"QUERY_STRING": "sp%6filers=show"},
    ],
    ids=["session", "token", "read", "spoilers", "read%", "spoilers%"],
)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_an_api_request_that_may_depend_on_the_reader_takes_the_full_stack(
    client, review, extra, method
):
    url = "/api/v3/reviews/"
    client.get(url)
    client.get(url)
    with counting(API_SKIPPED) as ran:
        client.generic(method, url, **extra)
    assert "SessionMiddleware" in ran and "AuthenticationMiddleware" in ran


def test_a_member_with_a_token_or_a_session_never_gets_the_shared_api_copy(
    client, review, member
):
    url = "/api/v3/reviews/"
    client.get(url)
    client.get(url)
    client.force_login(member)
    with counting(API_SKIPPED) as ran:
        client.get(url)
    assert "SessionMiddleware" in ran
    with counting(API_SKIPPED) as ran:
        token_client(member).get(url)
    assert "AuthenticationMiddleware" in ran


def test_an_api_response_that_sets_a_cookie_is_never_shared(rf):
    builds = []

    def view(request):
        builds.append(1)
        response = JsonResponse({"builds": len(builds)})
        response.set_cookie("csrftoken", "given-to-this-client-only")
        return response

    middleware = ResponseCacheMiddleware(APIHeadersMiddleware(view))
    for _ in range(2):
        request = rf.get("/api/v3/reviews/")
        request.user = AnonymousUser()
        response = middleware(request)
    assert len(builds) == 2
    assert response.cookies["csrftoken"].value == "given-to-this-client-only"
