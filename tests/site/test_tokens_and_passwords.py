"""A new password ends a member's API tokens.

A member who resets their password because someone else had it expects
that person to be locked out, as Django logs out every other session when
a password changes. A token made with the old password (the token page
asks for it) would otherwise stay a key to their account. Any save of the
user with a new password hash counts: the site's reset, the admin's
password form, ``manage.py changepassword``, a script's ``set_password``.
A save that leaves the password alone (a login, a renamed member) keeps
the tokens.
"""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core import mail
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.db.models.signals import pre_save
from django.test import Client
from wagtail.models import APIToken

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

#: The password tests.factories.UserFactory gives every user.
PASSWORD = "password"  # noqa: S105
NEW_PASSWORD = "a much newer passphrase 42"  # noqa: S105


def _status(token_text: str) -> int:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_text}")
    return client.get("/api/v3/progress/").status_code


def test_a_password_reset_revokes_the_members_tokens(member, other_member):
    _, phone = APIToken.create_token(user=member, name="Phone")
    _, laptop = APIToken.create_token(user=member, name="Laptop")
    _, theirs = APIToken.create_token(user=other_member, name="Theirs")
    assert _status(phone) == _status(laptop) == _status(theirs) == 200

    client = Client()
    client.post("/accounts/password-reset/", {"email": member.email})
    (message,) = mail.outbox
    link = re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+/)", message.body)
    assert link is not None
    form = client.get(link.group(1), follow=True)
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302

    assert _status(phone) == _status(laptop) == 401
    assert _status(theirs) == 200
    assert not APIToken.objects.filter(user=member, revoked_at__isnull=True).exists()


def test_a_password_set_anywhere_revokes_the_tokens(member):
    _, by_script = APIToken.create_token(user=member, name="Script")
    member.set_password(NEW_PASSWORD)
    member.save()
    assert _status(by_script) == 401

    _, same_again = APIToken.create_token(user=member, name="Same again")
    member.set_password(NEW_PASSWORD)  # as Django's sessions, a change all the same
    member.save(update_fields=["password"])
    assert _status(same_again) == 401


def test_changepassword_revokes_the_tokens(member, monkeypatch):
    _, token = APIToken.create_token(user=member, name="Phone")
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", member.get_username(), stdout=io.StringIO())
    assert _status(token) == 401


def test_saves_that_keep_the_password_keep_the_tokens(member):
    _, token = APIToken.create_token(user=member, name="Phone")

    assert Client().login(username=member.get_username(), password=PASSWORD)
    member.refresh_from_db()
    member.first_name = "Renamed"
    member.save()

    assert _status(token) == 200


def test_a_hash_upgraded_at_login_keeps_the_tokens(member, settings):
    """Django hashes a password again when its hasher or iterations are
    outdated, at the next login: the member set nothing."""
    old = PBKDF2PasswordHasher().encode(PASSWORD, "pepper", iterations=2)
    get_user_model().objects.filter(pk=member.pk).update(password=old)
    _, token = APIToken.create_token(user=member, name="Phone")
    settings.PASSWORD_HASHERS = [
        *settings.PASSWORD_HASHERS,
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]

    assert Client().login(username=member.get_username(), password=PASSWORD)

    member.refresh_from_db()
    assert member.password != old and member.check_password(PASSWORD)
    assert _status(token) == 200
    page = Client()
    page.force_login(member)
    assert "A new password revokes them all." in page.get("/reading/tokens/").text


def test_a_new_user_and_a_rolled_back_password_revoke_nothing(member):
    _, token = APIToken.create_token(user=member, name="Phone")
    UserFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        member.set_password(NEW_PASSWORD)
        member.save()
        raise RuntimeError("the change is abandoned")

    assert _status(token) == 200


def test_a_password_made_unusable_revokes_the_tokens(member):
    """What a script does to lock a taken account out."""
    _, token = APIToken.create_token(user=member, name="Phone")
    member.set_unusable_password()
    member.save()
    assert _status(token) == 401


def test_no_new_password_is_saved_while_old_tokens_still_work(member, monkeypatch):
    """The tokens go before the password is written: should revoking them
    fail, the save fails with it, rather than leave a new password beside
    the old tokens."""
    _, token = APIToken.create_token(user=member, name="Phone")
    old_hash = member.password

    def refuse(*args, **kwargs):
        raise DatabaseError("canceling statement due to statement timeout")

    monkeypatch.setattr(type(APIToken.objects.all()), "update", refuse)
    member.set_password(NEW_PASSWORD)
    with pytest.raises(DatabaseError):
        member.save()
    monkeypatch.undo()

    member.refresh_from_db()
    assert member.password == old_hash
    assert _status(token) == 200


def test_a_token_made_while_the_password_is_saved_is_revoked_too(member):
    """Another request that still holds the old password (a session, a
    form posted a moment before) may make a token between the revocation
    and the save: the save revokes again once it is written."""
    made = {}

    def another_request(sender, instance, **kwargs):
        if instance.pk == member.pk and "text" not in made:
            made["text"] = APIToken.create_token(user=member, name="Racing")[1]

    pre_save.connect(another_request, sender=type(member), weak=False)
    try:
        member.set_password(NEW_PASSWORD)
        member.save()
    finally:
        pre_save.disconnect(another_request, sender=type(member))

    assert _status(made["text"]) == 401
