"""Editors invite by email; the link is signed, expires, and works once."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from reviews.invitations import make_token
from reviews.models import Invitation, ReadingProgress
from reviews.roles import EDITORS, MEMBERS
from tests.factories import BookFactory, UserFactory
from tests.fixtures.mail import body_text, link_in

pytestmark = pytest.mark.django_db

PASSWORD = "a lantern in the snow 1941"


@pytest.fixture
def editor_client(groups) -> Client:
    editor = UserFactory(username="edna", first_name="Edna", last_name="Park")
    editor.groups.add(groups[EDITORS])
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def invitation(groups) -> Invitation:
    return Invitation.objects.create(email="nina@example.org")


def join_url(invitation: Invitation) -> str:
    return f"/club/join/{make_token(invitation)}/"


def join_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Nina Vale",
        "username": "nina",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def test_invite_open_link_set_password_and_arrive_as_a_member(
    editor_client, smtp_inbox
):
    book = BookFactory(title="The Siege", chapter_count=30)
    assert b"/admin/invitations/" in editor_client.get("/admin/").content
    response = editor_client.post(
        "/admin/invitations/new/", {"email": "nina@example.org"}
    )
    assert response.status_code == 302
    listing = editor_client.get("/admin/invitations/")
    assert b"nina@example.org" in listing.content
    assert b"Edna Park" in listing.content

    message = smtp_inbox.only()
    assert message["To"] == "nina@example.org"
    assert "invited" in message["Subject"]
    assert "Edna Park has invited you" in body_text(message)

    invitee = Client()
    response = invitee.get(link_in(message))
    assert response.status_code == 200
    assert b"Join the club" in response.content
    assert b"nina@example.org" in response.content
    assert "no-store" in response["Cache-Control"]
    # The token stays off other sites' logs; the form still posts an Origin.
    assert response["Referrer-Policy"] == "same-origin"

    response = invitee.post(link_in(message), join_data())
    assert response.status_code == 302
    assert response["Location"] == "/reading/"

    member = get_user_model().objects.get(username="nina")
    assert member.email == "nina@example.org"
    assert member.first_name == "Nina Vale"
    assert list(member.groups.values_list("name", flat=True)) == [MEMBERS]
    assert member.check_password(PASSWORD)
    invitation = Invitation.objects.get()
    assert invitation.accepted and invitation.member == member

    page = invitee.get("/reading/")
    assert page.status_code == 200
    assert b"Welcome to the club, Nina Vale" in page.content

    response = invitee.post(f"/reading/{book.pk}/", {"chapter": "4", "next": "/"})
    assert response.status_code == 302
    assert ReadingProgress.objects.get(member=member, book=book).chapter == 4

    # The new member logs in again later with the password they chose.
    again = Client()
    response = again.post(
        "/accounts/login/", {"username": "nina", "password": PASSWORD}
    )
    assert response.status_code == 302


def test_only_people_who_manage_members_may_invite(groups, client):
    member = UserFactory(username="mo")
    member.groups.add(groups[MEMBERS])
    client.force_login(member)
    assert b"/admin/invitations/" not in client.get("/admin/").content
    response = client.post("/admin/invitations/new/", {"email": "x@example.org"})
    assert response.status_code in (302, 403)
    assert not Invitation.objects.exists()


def test_an_existing_members_address_is_refused(editor_client, mailoutbox):
    UserFactory(username="olga", email="olga@example.org")
    response = editor_client.post(
        "/admin/invitations/new/", {"email": "OLGA@example.org"}
    )
    assert response.status_code == 200
    assert b"already a member" in response.content
    assert mailoutbox == []


def test_invitations_are_not_edited_only_withdrawn(editor_client, invitation):
    response = editor_client.get(f"/admin/invitations/edit/{invitation.pk}/")
    assert response.status_code in (302, 403)
    response = editor_client.post(f"/admin/invitations/delete/{invitation.pk}/")
    assert response.status_code == 302
    assert not Invitation.objects.exists()


def test_a_mail_server_that_is_down_leaves_the_link_for_the_editor(editor_client):
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=9,  # discard: nothing listens
        EMAIL_TIMEOUT=2,
    ):
        response = editor_client.post(
            "/admin/invitations/new/", {"email": "nina@example.org"}, follow=True
        )
    assert response.status_code == 200
    assert b"could not be sent" in response.content
    assert b"/club/join/" in response.content
    assert Invitation.objects.filter(email="nina@example.org").exists()


def test_an_expired_link_shows_a_friendly_page(client, invitation, monkeypatch):
    url = join_url(invitation)
    eight_days_later = time.time() + 8 * 24 * 60 * 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: eight_days_later)
    for response in (client.get(url), client.post(url, join_data())):
        assert response.status_code == 410
        assert b"This invitation has expired" in response.content
    assert not get_user_model().objects.filter(username="nina").exists()


@override_settings(BOOKCLUB_INVITATION_MAX_AGE=60 * 60)
def test_the_lifetime_comes_from_settings(client, invitation, monkeypatch):
    url = join_url(invitation)
    two_hours_later = time.time() + 2 * 60 * 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: two_hours_later)
    assert client.get(url).status_code == 410


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "x" + token,
        lambda token: "not-a-token",
        lambda token: token.split(":")[0],
    ],
)
def test_a_tampered_link_shows_a_friendly_page(client, invitation, mangle):
    url = f"/club/join/{mangle(make_token(invitation))}/"
    for response in (client.get(url), client.post(url, join_data())):
        assert response.status_code == 404
        assert b"This invitation link does not work" in response.content
    assert not get_user_model().objects.filter(username="nina").exists()


def test_a_link_works_once(client, invitation):
    url = join_url(invitation)
    assert client.post(url, join_data()).status_code == 302
    other = Client()
    response = other.get(url)
    assert response.status_code == 410
    assert b"already been used" in response.content
    response = other.post(url, join_data(username="nina2"))
    assert response.status_code == 410
    assert get_user_model().objects.filter(email="nina@example.org").count() == 1


def test_a_withdrawn_invitation_no_longer_works(client, invitation):
    url = join_url(invitation)
    invitation.delete()
    response = client.get(url)
    assert response.status_code == 404
    assert b"This invitation link does not work" in response.content


def test_weak_or_mismatched_passwords_are_field_errors(client, invitation):
    url = join_url(invitation)
    response = client.post(url, join_data(password1="password", password2="password"))
    assert response.status_code == 200
    assert b"This password is too common" in response.content
    response = client.post(url, join_data(password2="something else 1941"))
    assert response.status_code == 200
    assert b"The two passwords differ" in response.content
    invitation.refresh_from_db()
    assert not invitation.accepted
    assert "_auth_user_id" not in client.session


def test_a_taken_username_is_a_field_error(client, invitation):
    UserFactory(username="Nina")
    response = client.post(join_url(invitation), join_data(username="nina"))
    assert response.status_code == 200
    assert b"That username is taken" in response.content


@pytest.mark.parametrize("spelling", ["\uff41lice", "\uff21LICE", "ALICE"])
def test_a_taken_username_written_in_other_letters_is_a_field_error(
    client, invitation, spelling
):
    """Django stores a username in its NFKC form: a fullwidth "ａlice" is
    "alice". It was checked as typed, so it passed the check and failed at
    the database (a 500), and "ＡLICE" became a second Alice."""
    UserFactory(username="alice")
    response = client.post(join_url(invitation), join_data(username=spelling))
    assert response.status_code == 200
    assert b"That username is taken" in response.content
    assert get_user_model().objects.filter(username__iexact="alice").count() == 1


def test_bad_input_never_gives_a_500(client, invitation):
    url = join_url(invitation)
    for data in (
        {},
        {"name": " ", "username": "a b/c", "password1": "", "password2": ""},
        join_data(name="x" * 500, username="y" * 500),
    ):
        response = client.post(url, data)
        assert response.status_code == 200
    assert client.put(url).status_code == 405
