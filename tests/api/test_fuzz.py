"""A bounded schemathesis run over every operation of API v3 (Wagtail's own
endpoints and the club's routers, every method): whatever a client sends that
the OpenAPI document allows (and some it does not), the answer is never a 500,
always matches its documented schema, and every error is the one problem
shape. Runs in process against the WSGI application, a few derandomized
examples per operation, for an anonymous client and for a member with a
token."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from wagtail.api.v3.urls import api

import bookclub.urls  # noqa: F401 (registers the club's routers on the API)
from reviews.api.problems import PROBLEM_JSON
from tests.factories import (
    BookFactory,
    UserFactory,
    make_discussion,
    make_review,
    make_series,
    spoiler,
)

# As served: lazy translations (help texts) become strings. Wagtail's snippet
# revision and action operations take a revisable snippet type, and the club
# registers none: the document offers no value a client could send there.
schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(api.get_openapi_schema(), default=str))
).exclude(path_regex=r"^/api/v3/snippets/\{type\}/\{pk\}/(revisions|actions)/")
schema.app = get_wsgi_application()

FUZZ_SETTINGS = settings(
    max_examples=3,
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


@schemathesis.check
def one_problem_shape(ctx, response, case) -> bool | None:
    """Every error is an RFC 9457 problem with the one shape, and no value a
    client got wrong is a 422."""
    if response.status_code < 400:
        return None
    headers = {name.lower(): values for name, values in response.headers.items()}
    content_type = headers.get("content-type", [""])[0]
    assert content_type == PROBLEM_JSON, (response.status_code, content_type)
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body), body
    assert body["status"] == response.status_code != 422, body
    return None


CHECKS = [not_a_server_error, response_schema_conformance, one_problem_shape]


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_no_server_errors_anonymous(case, club):
    case.call_and_validate(checks=CHECKS)


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_no_server_errors_for_a_member(case, bearer):
    case.call_and_validate(headers=bearer, checks=CHECKS)
