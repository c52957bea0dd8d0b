"""A bounded schemathesis run over the club's v3 endpoints: whatever a client
sends that the OpenAPI document allows (and some it does not), the answer is
never a 500. Runs in process against the WSGI application, a few examples per
operation, for an anonymous client and for a member with a token."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from wagtail.api.v3.urls import api

from reviews.api.openapi import club_openapi
from tests.factories import (
    BookFactory,
    UserFactory,
    make_discussion,
    make_review,
    make_series,
    spoiler,
)

schema = schemathesis.openapi.from_dict(club_openapi(api))
schema.app = get_wsgi_application()

FUZZ_SETTINGS = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Like Django's test client: a request must not close the connection that
    holds the test's transaction (the WSGI handler does so on PostgreSQL)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def club(db):
    book = BookFactory(chapter_count=12)
    make_series("Fuzzed series", [(book, 1)])
    make_review(book=book, body=[spoiler(book, 3, "Three", "hidden text")])
    make_discussion(book=book)
    return book


@pytest.fixture
def bearer(club) -> dict[str, str]:
    from wagtail.models import APIToken

    _, plaintext = APIToken.create_token(user=UserFactory(), name="fuzz")
    return {"Authorization": f"Bearer {plaintext}"}


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_no_server_errors_anonymous(case, club):
    case.call_and_validate(checks=[not_a_server_error])


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_no_server_errors_for_a_member(case, bearer):
    case.call_and_validate(headers=bearer, checks=[not_a_server_error])
