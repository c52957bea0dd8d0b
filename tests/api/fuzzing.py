"""What the schemathesis runs over API v2 and v3 share: bounded, repeatable
settings, the checks every answer must pass, and the two tests (anonymous,
and with a member's token). Their fixtures (a small club, a member's token,
the test's connection kept across requests) are in ``conftest.py``."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from reviews.api.problems import PROBLEM_JSON

FUZZ_SETTINGS = settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


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


def token_fuzz_test(schema, bearer: str):
    """A test of every operation of ``schema`` with the headers the fixture
    named ``bearer`` gives (a token's ``Authorization``)."""

    @pytest.mark.django_db
    @pytest.mark.usefixtures("keep_the_test_connection")
    @schema.parametrize()
    @FUZZ_SETTINGS
    def with_token(case, request):
        headers = request.getfixturevalue(bearer)
        case.call_and_validate(headers=headers, checks=CHECKS)

    return with_token


def fuzz_tests(schema, bearer: str = "member_bearer") -> tuple:
    """The anonymous and the token's test of every operation of ``schema``
    (a schemathesis schema with its ``app`` set), for a test module to bind
    to its own test names; ``bearer`` names the fixture giving the token's
    headers."""

    @pytest.mark.django_db
    @pytest.mark.usefixtures("keep_the_test_connection")
    @schema.parametrize()
    @FUZZ_SETTINGS
    def anonymous(case, fuzz_club):
        case.call_and_validate(checks=CHECKS)

    return anonymous, token_fuzz_test(schema, bearer)
