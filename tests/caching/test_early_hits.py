"""A shared page is served before the session, CSRF, authentication, messages
and clickjacking middleware, with exactly the headers the full stack gives;
a request that may be reader-dependent always goes through the full stack."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.test import override_settings

from tests.factories import make_review

pytestmark = pytest.mark.django_db

SKIPPED = [
    (SessionMiddleware, "process_request"),
    (CsrfViewMiddleware, "process_request"),
    (AuthenticationMiddleware, "process_request"),
    (MessageMiddleware, "process_request"),
    (XFrameOptionsMiddleware, "process_response"),
]
SECURITY = {
    "SECURE_CONTENT_TYPE_NOSNIFF": True,
    "SECURE_REFERRER_POLICY": "same-origin",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
    "X_FRAME_OPTIONS": "SAMEORIGIN",
}


@contextmanager
def counting() -> Iterator[list[str]]:
    """The names of the skipped middleware's hooks that ran."""
    ran: list[str] = []
    with_patches = []
    for klass, name in SKIPPED:
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


@pytest.fixture
def review():
    return make_review(title="Early Bird", slug="early-bird")


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
    ],
    ids=["session", "message", "token", "read", "spoilers"],
)
def test_a_request_that_may_depend_on_the_reader_takes_the_full_stack(
    client, review, extra
):
    client.get(review.url)
    client.get(review.url)
    with counting() as ran:
        client.generic("GET", review.url, **extra)
    assert "SessionMiddleware" in ran and "AuthenticationMiddleware" in ran


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
