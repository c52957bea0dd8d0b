"""Members make and revoke their own API tokens on the site.

A frontend's sign-in asks a member for a token, and only a superuser could
make one (the admin's API tokens, ``manage.py api_tokens``). Granting
members Wagtail's token permissions was tried and undone: Wagtail 8's token
history and usage views, and the site history report, show every user's
tokens to whoever has them. The club's own page shows a member their own
tokens and nothing else, and the token's text once, when it is made.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.test import Client
from wagtail.models import APIToken

from reviews.views.tokens import MAX_TOKENS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/reading/tokens/"


@pytest.fixture
def alice(member):
    return member


@pytest.fixture
def bruno(other_member):
    return other_member


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


#: The password tests.factories.UserFactory gives every user.
PASSWORD = "password"  # noqa: S105


def _make(client: Client, name: str, password: str = PASSWORD):
    return client.post(URL, {"name": name, "password": password})


def _plaintext(response) -> str:
    return response.context["created_token"]


def test_a_member_makes_a_token_and_reads_the_api_with_it(alice):
    client = _signed_in(alice)
    response = _make(client, "My phone")

    assert response.status_code == 200
    plaintext = _plaintext(response)
    assert plaintext in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api.get("/api/v3/progress/").status_code == 200

    listed = client.get(URL).content.decode()
    assert "My phone" in listed
    assert plaintext not in listed
    assert APIToken.objects.get(user=alice).prefix in listed


def test_a_member_sees_only_their_own_tokens(alice, bruno):
    APIToken.create_token(user=bruno, name="BRUNO-LAPTOP")
    page = _signed_in(alice).get(URL).content.decode()
    assert "BRUNO-LAPTOP" not in page


def test_a_member_revokes_their_token_and_no_one_elses(alice, bruno):
    own, own_text = APIToken.create_token(user=alice, name="Old phone")
    theirs, their_text = APIToken.create_token(user=bruno, name="Laptop")
    client = _signed_in(alice)

    assert client.post(f"{URL}{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"{URL}{own.pk}/revoke/").status_code == 302

    own.refresh_from_db()
    theirs.refresh_from_db()
    assert own.revoked_at is not None and theirs.revoked_at is None
    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {own_text}")
        .get("/api/v3/progress/")
        .status_code
        == 401
    )
    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {their_text}")
        .get("/api/v3/progress/")
        .status_code
        == 200
    )
    assert "Revoked Old phone" in client.get(URL).content.decode()
    assert "Old phone" not in client.get(URL).content.decode()
    assert client.get(f"{URL}{own.pk}/revoke/").status_code == 405


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 256, "at most 255 characters"),
        ("a\x00b", "Null characters are not allowed."),
    ],
)
def test_a_bad_name_is_a_field_error(alice, name, message):
    response = _make(_signed_in(alice), name)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["name"])
    assert not APIToken.objects.exists()
    assert response.context.get("created_token") is None


def test_a_member_holds_a_bounded_number_of_tokens(alice):
    for n in range(MAX_TOKENS):
        APIToken.create_token(user=alice, name=f"Token {n}")
    response = _make(_signed_in(alice), "One more")
    assert response.status_code == 200
    assert "revoke one" in str(response.context["form"].errors)
    assert APIToken.objects.filter(user=alice).count() == MAX_TOKENS


def test_making_a_token_asks_for_the_members_password(alice):
    """A session left open, or taken, must not turn into a lasting key to
    the account: the password is asked, and wrong ones count towards the
    same lockout as the sign-in form's."""
    client = _signed_in(alice)
    wrong = _make(client, "Mine", password="not-it")
    assert wrong.status_code == 200
    assert "not your password" in str(wrong.context["form"].errors["password"])
    assert wrong.context.get("created_token") is None
    for _ in range(5):
        _make(client, "Mine", password="not-it")
    locked = _make(client, "Mine")
    assert "Too many wrong passwords" in str(locked.context["form"].errors["password"])
    assert not APIToken.objects.exists()


def test_visitors_are_sent_to_sign_in_and_make_nothing(client):
    response = client.post(URL, {"name": "Mine"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not APIToken.objects.exists()


def test_making_a_token_needs_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(URL, {"name": "Mine", "password": "password"}).status_code == 403
    assert not APIToken.objects.exists()


def test_my_reading_links_to_the_tokens(alice):
    assert f'href="{URL}"' in _signed_in(alice).get("/reading/").content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_db")
def test_the_token_limit_holds_however_fast_the_forms_come(monkeypatch):
    """The count and the new token are one step: sixteen posts at once took
    members to 11 and 12 tokens. The member's row is taken while a token is
    made; here each count waits a moment before its insert."""
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite runs one write transaction at a time (IMMEDIATE): two "
            "forms cannot count at once"
        )
    from reviews.views import tokens

    member = UserFactory(username="quick")
    for n in range(MAX_TOKENS - 1):
        APIToken.create_token(user=member, name=f"Token {n}")
    clean = tokens.TokenForm.clean

    def slow_clean(form):
        cleaned = clean(form)
        time.sleep(0.5)
        return cleaned

    monkeypatch.setattr(tokens.TokenForm, "clean", slow_clean)
    statuses: list[int] = []

    def post() -> None:
        try:
            statuses.append(_make(_signed_in(member), "Racing").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert statuses == [200, 200, 200]
    active = APIToken.objects.filter(user=member, revoked_at__isnull=True).count()
    assert active == MAX_TOKENS


def test_the_page_reloaded_after_making_a_token_makes_no_second(alice):
    """The token is shown in the answer to the form (the site keeps only its
    hash), so reloading that answer posts the form again: the second post of
    the same form makes nothing and says where the first token is."""
    client = _signed_in(alice)
    page = client.get(URL)
    form_id = page.context["form"]["form_id"].value()
    assert f'<input type="hidden" name="form_id" value="{form_id}"' in page.text
    posted = {"name": "My phone", "password": PASSWORD, "form_id": form_id}
    first = client.post(URL, posted)
    assert first.context["created_token"]
    again = client.post(URL, posted)
    assert again.status_code == 200
    assert again.context.get("created_token") is None
    assert "This form made a token already" in again.content.decode()
    assert APIToken.objects.filter(user=alice).count() == 1
    # A new form (the page opened again) makes another.
    fresh = client.get(URL).context["form"]["form_id"].value()
    assert fresh != posted["form_id"]
    client.post(URL, posted | {"form_id": fresh, "name": "Laptop"})
    assert APIToken.objects.filter(user=alice).count() == 2
