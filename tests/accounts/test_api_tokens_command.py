"""``manage.py api_tokens``: input the database cannot hold is reported as
the command's error, on SQLite and PostgreSQL alike, and nothing is made."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.models import APIToken

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


def test_a_name_longer_than_the_column_is_refused(alice):
    with pytest.raises(CommandError, match="--name") as caught:
        call_command("api_tokens", "create", "--user", "alice", "--name", "n" * 256)
    assert "255" in str(caught.value)
    assert not APIToken.objects.exists()


def test_a_name_as_long_as_the_column_is_taken(alice, capsys):
    call_command("api_tokens", "create", "--user", "alice", "--name", "n" * 255)
    assert APIToken.objects.get().name == "n" * 255


def test_a_blank_name_is_refused(alice):
    with pytest.raises(CommandError, match="--name"):
        call_command("api_tokens", "create", "--user", "alice", "--name", "")
    assert not APIToken.objects.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["create", "--user", "alice", "--name", "a\x00b"],
        ["create", "--user", "al\x00ice", "--name", "app"],
        ["list", "--user", "al\x00ice"],
        ["revoke", "--user", "alice", "--prefix", "ab\x00"],
    ],
)
def test_a_null_character_is_refused(alice, args):
    with pytest.raises(CommandError, match="(?i)null"):
        call_command("api_tokens", *args)
    assert not APIToken.objects.exists()


@pytest.mark.parametrize("token_id", ["99999999999999999999", "-1", "0"])
def test_an_id_no_token_can_have_is_not_found(alice, token_id):
    APIToken.create_token(user=alice, name="app")
    with pytest.raises(CommandError, match="No active token"):
        call_command("api_tokens", "revoke", "--id", token_id)
    assert APIToken.objects.get().revoked_at is None


def test_a_long_username_or_prefix_is_not_found(alice):
    with pytest.raises(CommandError, match="No user"):
        call_command("api_tokens", "create", "--user", "u" * 300, "--name", "app")
    with pytest.raises(CommandError, match="No active token"):
        call_command("api_tokens", "revoke", "--user", "alice", "--prefix", "p" * 300)
