"""Shared set-up for the API tests: token clients, a club with roles."""

from __future__ import annotations

import pytest
from django.core import signals
from django.db import close_old_connections
from django.test import Client

from reviews.roles import MEMBERS
from tests.api.fuzzing import build_the_operation_test
from tests.factories import (
    token_client,
    user_in,
)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A fuzz test's operation is built when it runs, not at collection
    (``tests.api.fuzzing``)."""
    build_the_operation_test(item)


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
def endpoint():
    """A webhook endpoint listening for every event, registered once the
    club's review index is published (that publish announces nothing)."""
    from reviews.models import Webhook
    from tests.factories import review_index

    review_index()
    return Webhook.objects.create(
        name="Frontend", url="https://frontend.example/hooks", secret="s3cret"
    )
