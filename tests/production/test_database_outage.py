"""A database outage answers 503 with Retry-After, never a 500 traceback."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client

from tests.factories import make_review

DB_MIDDLEWARE = "bookclub.middleware.DatabaseUnavailableMiddleware"


@pytest.fixture
def outage_middleware(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, DB_MIDDLEWARE]


def database_down():
    """Every query fails as it does while PostgreSQL restarts."""
    return mock.patch.object(
        connection,
        "cursor",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    )


@pytest.mark.django_db
def test_a_page_answers_503_with_retry_after(outage_middleware):
    # What a reader gets: the caches ask the database before any view runs,
    # so the outage may surface in a middleware and reach handler500.
    client = Client(raise_request_exception=False)
    url = make_review(title="The Siege, reviewed").url
    with database_down():
        response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert response["Cache-Control"] == "no-store"
    assert b"Back in a moment" in response.content
    assert b"Traceback" not in response.content
    # Once the database is back, the same page is served again.
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_the_api_answers_503_as_a_problem(outage_middleware):
    client = Client(raise_request_exception=False)
    make_review()
    with database_down():
        response = client.get("/api/v2/pages/?type=reviews.ReviewPage")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 503
    assert response.json()["code"] == "database_unavailable"
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_other_errors_are_left_alone(outage_middleware, client):
    """Only an unreachable database is a 503: a bug stays a 500 (and is logged)."""
    quiet = Client(raise_request_exception=False)
    url = make_review().url
    with mock.patch(
        "reviews.models.ReviewPage.get_context", side_effect=ZeroDivisionError
    ):
        response = quiet.get(url)
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


class FailingSessionMiddleware:
    """Stands for a middleware that queries the database outside any view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError("could not connect to server")


@pytest.mark.django_db
def test_an_outage_outside_a_view_is_still_a_503(settings):
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "tests.production.test_database_outage.FailingSessionMiddleware",
    ]
    client = Client(raise_request_exception=False)
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    response = client.get("/api/v2/pages/")
    assert response.json()["code"] == "database_unavailable"
