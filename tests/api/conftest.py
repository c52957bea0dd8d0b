"""Shared set-up for the API tests: token clients, a club with roles."""

from __future__ import annotations

import pytest
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from wagtail.models import APIToken

from reviews.roles import EDITORS, MEMBERS, MODERATORS
from tests.factories import (
    BookFactory,
    UserFactory,
    make_discussion,
    make_image,
    make_review,
    make_series,
    spoiler,
    token_client,
    user_in,
)


@pytest.fixture
def club_member(groups):
    return user_in(groups[MEMBERS], "bea", first_name="Bea", last_name="Lane")


@pytest.fixture
def other_member(groups):
    return user_in(groups[MEMBERS], "carl", first_name="Carl", last_name="Noor")


@pytest.fixture
def member_api(club_member) -> Client:
    return token_client(club_member)


@pytest.fixture
def keep_the_test_connection():
    """Like Django's test client: a request must not close the connection that
    holds the test's transaction (the WSGI handler does so on PostgreSQL)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_club(db):
    book = BookFactory(chapter_count=12)
    make_series("Fuzzed series", [(book, 1)])
    make_review(book=book, body=[spoiler(book, 3, "Three", "hidden text")])
    make_discussion(book=book)
    make_image("Fuzzed photo")
    return book


@pytest.fixture
def member_bearer(fuzz_club, club_member) -> dict[str, str]:
    """A token of a member of the club (who may draft reviews)."""
    _, plaintext = APIToken.create_token(user=club_member, name="fuzz")
    return {"Authorization": f"Bearer {plaintext}"}


@pytest.fixture
def editor_bearer(fuzz_club, groups) -> dict[str, str]:
    """A token of an editor as the demo makes one (Editors and Moderators:
    publishes, moves, copies and deletes pages)."""
    user = UserFactory(username="fuzz-editor")
    user.groups.add(groups[EDITORS], groups[MODERATORS])
    _, plaintext = APIToken.create_token(user=user, name="fuzz")
    return {"Authorization": f"Bearer {plaintext}"}


@pytest.fixture
def user_bearer(fuzz_club) -> dict[str, str]:
    """A token of a user in no group (who may write nothing)."""
    _, plaintext = APIToken.create_token(user=UserFactory(), name="fuzz")
    return {"Authorization": f"Bearer {plaintext}"}
