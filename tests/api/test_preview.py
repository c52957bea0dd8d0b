"""Headless preview: the admin sends the editor to the frontend, which reads
the draft with a short-lived signed token."""

from __future__ import annotations

import time
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings

from tests.api.helpers import SECRET
from tests.factories import BookFactory, make_review, make_series, spoiler

pytestmark = pytest.mark.django_db

FRONTEND = "https://frontend.example/preview"


def preview_token(page) -> str:
    response = page.make_preview_request()
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == FRONTEND
    query = parse_qs(location.query)
    assert query["type"] == [page._meta.label]
    return query["token"][0]


@override_settings(BOOKCLUB_PREVIEW_URL=FRONTEND)
def test_frontend_reads_the_unsaved_draft(client, moderator):
    book = BookFactory(chapter_count=10)
    page = make_review(book=book, title="Published title")
    page.title = "Edited, not saved"
    token = preview_token(page)

    response = client.get("/api/v3/preview/", {"token": token})

    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Edited, not saved"
    assert response.json()["book"]["id"] == book.pk
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


@override_settings(BOOKCLUB_PREVIEW_URL=FRONTEND)
def test_preview_keeps_the_spoiler_rule(client, moderator):
    book = BookFactory(chapter_count=10)
    page = make_review(book=book, body=[spoiler(book, 2, "Two", SECRET)])
    token = preview_token(page)

    assert (
        SECRET not in client.get("/api/v3/preview/", {"token": token}).content.decode()
    )
    shown = client.get("/api/v3/preview/", {"token": token, "spoilers": "show"})
    assert SECRET in shown.content.decode()


@override_settings(BOOKCLUB_PREVIEW_URL=FRONTEND)
def test_series_preview(client, moderator):
    page = make_series("Leningrad", [(BookFactory(title="The Siege"), 1)])
    token = preview_token(page)
    item = client.get("/api/v3/preview/", {"token": token}).json()
    assert item["books"][0]["title"] == "The Siege"


@override_settings(BOOKCLUB_PREVIEW_URL=FRONTEND, BOOKCLUB_PREVIEW_MAX_AGE=60)
def test_preview_token_expires(client, moderator):
    page = make_review(book=BookFactory())
    token = preview_token(page)
    assert client.get("/api/v3/preview/", {"token": token}).status_code == 200

    later = time.time() + 61
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.get("/api/v3/preview/", {"token": token})

    assert response.status_code == 403
    assert "expired" in response.json()["detail"]


@pytest.mark.parametrize("token", ["garbage", "a" * 300, "eyJrZXkiOiJ4In0:1:abc"])
def test_bad_preview_tokens_are_403(client, token):
    response = client.get("/api/v3/preview/", {"token": token})
    assert response.status_code == 403


def test_a_tampered_token_is_403(client, moderator):
    with override_settings(BOOKCLUB_PREVIEW_URL=FRONTEND):
        token = preview_token(make_review(book=BookFactory()))
    response = client.get("/api/v3/preview/", {"token": token[:-2] + "xx"})
    assert response.status_code == 403


def test_without_a_frontend_pages_preview_as_the_site_renders_them(moderator):
    page = make_review(book=BookFactory(), title="Shown by the site")
    response = page.make_preview_request()
    assert response.status_code == 200
    assert "Shown by the site" in response.content.decode()
