"""Password reset with Django's views, mailed through a real SMTP server."""

from __future__ import annotations

import pytest
from wagtail.models import Site

from tests.factories import UserFactory
from tests.fixtures.mail import body_text, link_in

pytestmark = pytest.mark.django_db


def test_password_reset_end_to_end_through_smtp(client, smtp_inbox):
    UserFactory(username="dora", first_name="Dora", email="dora@example.org")

    response = client.get("/accounts/login/")
    assert b'href="/accounts/password-reset/"' in response.content

    response = client.post("/accounts/password-reset/", {"email": "dora@example.org"})
    assert response.status_code == 302
    assert b"Check your email" in client.get(response["Location"]).content

    message = smtp_inbox.only()
    assert message["To"] == "dora@example.org"
    assert "new password" in message["Subject"]
    assert "dora" in body_text(message)

    response = client.get(link_in(message), follow=True)
    assert b"Choose a new password" in response.content
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {
            "new_password1": "a quiet harbour 1941",
            "new_password2": "a quiet harbour 1941",
        },
    )
    assert response.status_code == 302
    assert b"Password changed" in client.get(response["Location"]).content

    response = client.post(
        "/accounts/login/",
        {"username": "dora", "password": "a quiet harbour 1941"},
    )
    assert response.status_code == 302
    assert client.get("/reading/").status_code == 200

    # The link works once.
    response = client.get(link_in(message), follow=True)
    assert b"This link no longer works" in response.content


def test_unknown_address_gets_the_same_answer_and_no_email(client, smtp_inbox):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert smtp_inbox.messages == []


def test_reset_rejects_a_weak_password_with_a_field_error(client, mailoutbox):
    UserFactory(username="dora", email="dora@example.org")
    client.post("/accounts/password-reset/", {"email": "dora@example.org"})
    (message,) = mailoutbox
    link = [line for line in message.body.splitlines() if "://" in line][0]
    response = client.get(link.split("testserver", 1)[1], follow=True)
    form_url = response.redirect_chain[-1][0]
    # The password rules read as text where the site's forms put help text.
    assert b"at least 8 characters" in response.content
    assert b"<ul><li>Your password" not in response.content
    response = client.post(
        form_url, {"new_password1": "12345678", "new_password2": "12345678"}
    )
    assert response.status_code == 200
    assert b"This password is too common" in response.content


def test_reset_emails_to_one_address_are_limited(client, mailoutbox):
    UserFactory(username="dora", email="dora@example.org")
    for _ in range(5):
        response = client.post(
            "/accounts/password-reset/", {"email": "Dora@example.org"}
        )
        assert response.status_code == 302
        assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mailoutbox) == 3


def test_the_reset_email_names_the_club_not_the_host(client, smtp_inbox):
    """The subject and text say which club the account is at: the Site's
    name, not the address the form was sent from."""
    Site.objects.filter(is_default_site=True).update(site_name="The Riverside Readers")
    UserFactory(username="dora", email="dora@example.org")

    client.post("/accounts/password-reset/", {"email": "dora@example.org"})

    message = smtp_inbox.only()
    assert message["Subject"] == "Choose a new password for The Riverside Readers"
    assert "your account at The Riverside Readers." in body_text(message)
    assert "http://testserver/accounts/password-reset/" in body_text(message)
