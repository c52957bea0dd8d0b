"""One-click unsubscribe: a signed link, no login, RFC 8058 headers; the
next email does not come."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from reviews.models import Follow, NotificationSettings
from reviews.notifications.unsubscribe import make_token
from tests.factories import make_review, paragraph

from .conftest import parts

pytestmark = pytest.mark.django_db


def publish(book, reviewer, capture, title="A review"):
    with capture(execute=True):
        return make_review(
            book=book, owner=reviewer, reviewer=reviewer, title=title,
            body=[paragraph("Fine.")],
        )  # fmt: skip


def unsubscribe_path(message) -> str:
    header = str(message["List-Unsubscribe"]).strip()
    match = re.fullmatch(r"<https?://[^/]+(/club/unsubscribe/[^>]+/)>", header)
    assert match, header
    return match.group(1)


def test_every_email_carries_one_click_unsubscribe_headers(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks
):
    publish(book, reviewer, django_capture_on_commit_callbacks)
    _raw, message = smtp.only_raw()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe_path(message)
    text, html = parts(message)
    assert path in text and path in html


def test_the_mail_clients_one_click_post_stops_the_next_email(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks
):
    publish(book, reviewer, django_capture_on_commit_callbacks)
    _raw, message = smtp.only_raw()

    # RFC 8058: a POST with this body, no cookie, no CSRF token.
    client = Client(enforce_csrf_checks=True)
    response = client.post(unsubscribe_path(message), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content
    assert response["Cache-Control"] == "no-store"
    assert not Follow.objects.filter(member=reader, book=book).exists()

    publish(book, reviewer, django_capture_on_commit_callbacks, title="Another")
    assert len(smtp.raw) == 1


def test_opening_the_link_asks_with_one_button_and_changes_nothing(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks, client
):
    publish(book, reviewer, django_capture_on_commit_callbacks)
    _raw, message = smtp.only_raw()
    path = unsubscribe_path(message)

    page = client.get(path)  # what a link scanner does too
    assert page.status_code == 200
    assert b"The Siege" in page.content
    assert Follow.objects.filter(member=reader, book=book).exists()

    done = client.post(path)  # the one button
    assert b"You are unsubscribed" in done.content
    assert not Follow.objects.filter(member=reader, book=book).exists()


def test_unsubscribing_from_everything_stops_every_kind(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks, client
):
    client.post(f"/club/unsubscribe/{make_token(reader, 'all')}/")
    assert not NotificationSettings.objects.get(member=reader).email_enabled
    publish(book, reviewer, django_capture_on_commit_callbacks)
    assert smtp.raw == []


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "eyJtIjoxLCJzIjoiYWxsIn0:1abcde:forged",
        "x" * 500,
    ],
)
def test_a_bad_link_is_a_friendly_400_and_changes_nothing(client, reader, token):
    for response in (
        client.get(f"/club/unsubscribe/{token}/"),
        client.post(f"/club/unsubscribe/{token}/"),
    ):
        assert response.status_code == 400
        assert b"This link does not work" in response.content
    assert Follow.objects.filter(member=reader).exists()


def test_a_link_cannot_be_turned_to_another_scope(client, reader, book):
    token = make_token(reader, "replies")
    payload, _sep, signature = token.partition(":")
    forged = make_token(reader, "all").partition(":")[0] + ":" + signature
    assert client.post(f"/club/unsubscribe/{forged}/").status_code == 400
    client.post(f"/club/unsubscribe/{token}/")
    settings = NotificationSettings.objects.get(member=reader)
    assert settings.email_enabled and not settings.replies
