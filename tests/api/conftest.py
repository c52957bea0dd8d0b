"""Shared set-up for the API tests: token clients, a club with roles."""

from __future__ import annotations

import pytest
from django.test import Client
from wagtail.models import APIToken

from reviews.roles import MEMBERS, MODERATORS, ensure_groups
from tests.factories import UserFactory, review_index


def token_client(user) -> Client:
    """A test client that sends ``Authorization: Bearer <token>`` for ``user``."""
    _, plaintext = APIToken.create_token(user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


@pytest.fixture
def groups(db):
    return ensure_groups(review_index())


@pytest.fixture
def club_member(groups):
    user = UserFactory(username="bea", first_name="Bea", last_name="Lane")
    user.groups.add(groups[MEMBERS])
    return user


@pytest.fixture
def other_member(groups):
    user = UserFactory(username="carl", first_name="Carl", last_name="Noor")
    user.groups.add(groups[MEMBERS])
    return user


@pytest.fixture
def editor(groups):
    user = UserFactory(username="edna", first_name="Edna", last_name="Park")
    user.groups.add(groups[MODERATORS])
    return user


@pytest.fixture
def member_api(club_member) -> Client:
    return token_client(club_member)
