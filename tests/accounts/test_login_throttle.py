"""Login throttling and lockout with django-axes, on the site and the admin."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from wagtail.models import APIToken

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dora(db):
    return UserFactory(username="dora", password="the right one 1941", is_staff=False)


def fail(client: Client, url: str, times: int, username: str = "dora"):
    response = None
    for _ in range(times):
        response = client.post(url, {"username": username, "password": "wrong"})
    return response


def test_site_login_locks_out_after_the_failure_limit(client, dora):
    limit = settings.AXES_FAILURE_LIMIT
    response = fail(client, "/accounts/login/", limit - 1)
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content

    response = fail(client, "/accounts/login/", 1)
    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    assert b"/accounts/password-reset/" in response.content
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()

    # Even the right password is refused now, with the same friendly page.
    response = client.post(
        "/accounts/login/", {"username": "dora", "password": "the right one 1941"}
    )
    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_from_an_address(client, dora):
    UserFactory(username="eve", password="eve's own 1941")
    fail(client, "/accounts/login/", settings.AXES_FAILURE_LIMIT)
    response = client.post(
        "/accounts/login/", {"username": "eve", "password": "eve's own 1941"}
    )
    assert response.status_code == 302


def test_a_successful_login_resets_the_count(client, dora):
    fail(client, "/accounts/login/", settings.AXES_FAILURE_LIMIT - 1)
    response = client.post(
        "/accounts/login/", {"username": "dora", "password": "the right one 1941"}
    )
    assert response.status_code == 302
    client.logout()
    response = fail(client, "/accounts/login/", settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 200


def test_wagtail_admin_login_is_throttled_too(client, dora):
    response = fail(client, "/admin/login/", settings.AXES_FAILURE_LIMIT)
    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    # The site's login shares the count: the pair is locked out everywhere.
    response = client.post(
        "/accounts/login/", {"username": "dora", "password": "the right one 1941"}
    )
    assert response.status_code == 429


def test_bearer_tokens_keep_working_for_a_locked_out_username(client, dora):
    fail(client, "/accounts/login/", settings.AXES_FAILURE_LIMIT)
    _, plaintext = APIToken.create_token(user=dora, name="tests")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}").get("/api/v3/progress/")
    assert response.status_code == 200


def test_logins_without_a_request_still_authenticate(client, dora):
    """Management commands and the test client call authenticate() bare."""
    assert client.login(username="dora", password="the right one 1941")


def test_a_password_reset_by_email_lifts_the_lockout(client, mailoutbox, dora):
    """The lockout page sends a member to "Reset it by email"; once the reset
    says "Log in with it", the new password logs them in."""
    dora.email = "dora@example.org"
    dora.save()
    fail(client, "/accounts/login/", settings.AXES_FAILURE_LIMIT)
    response = client.post("/accounts/password-reset/", {"email": "dora@example.org"})
    assert response.status_code == 302
    (message,) = mailoutbox
    link = next(line for line in message.body.splitlines() if "://" in line)
    response = client.get(link.split("testserver", 1)[1], follow=True)
    response = client.post(
        response.redirect_chain[-1][0],
        {
            "new_password1": "a quiet harbour 1941",
            "new_password2": "a quiet harbour 1941",
        },
    )
    assert response.status_code == 302

    response = client.post(
        "/accounts/login/", {"username": "dora", "password": "a quiet harbour 1941"}
    )
    assert response.status_code == 302
    assert client.get("/reading/").status_code == 200


def test_a_reset_lifts_only_its_own_members_lockout(client, mailoutbox, dora):
    UserFactory(username="eve", password="eve's own 1941", email="eve@example.org")
    fail(client, "/accounts/login/", settings.AXES_FAILURE_LIMIT)
    fail(client, "/accounts/login/", settings.AXES_FAILURE_LIMIT, username="eve")
    dora.email = "dora@example.org"
    dora.save()
    client.post("/accounts/password-reset/", {"email": "dora@example.org"})
    (message,) = mailoutbox
    link = next(line for line in message.body.splitlines() if "://" in line)
    response = client.get(link.split("testserver", 1)[1], follow=True)
    client.post(
        response.redirect_chain[-1][0],
        {
            "new_password1": "a quiet harbour 1941",
            "new_password2": "a quiet harbour 1941",
        },
    )
    response = client.post(
        "/accounts/login/", {"username": "eve", "password": "eve's own 1941"}
    )
    assert response.status_code == 429
