"""A bounded schemathesis run over API v2 (pages, images and documents:
listing, detail and find), described by the club's v2 document
(``/api/v2/openapi.json``): whatever a client sends, the answer is never a
500, always matches the document, and every error is the one problem shape;
anonymously and with a member's token, for whom schemathesis's coverage
phase runs too (tests/api/fuzzing.py)."""

from __future__ import annotations

import pytest

from reviews.api.v2_openapi import v2_openapi
from tests.api.fuzzing import (  # fuzz_club: the fixture the tests use
    anonymous_fuzz_test,
    api_schema,
    fuzz_club,  # noqa: F401
    token_fuzz_test,
)

test_no_server_errors_anonymous = anonymous_fuzz_test(
    api_schema(v2_openapi(), coverage=False)
)
test_no_server_errors_for_a_member = token_fuzz_test(
    api_schema(v2_openapi(), coverage=False), "member"
)
# v2 only reads; the member's run (a token, reader-dependent answers) gets the
# coverage phase (`make test-deep`).
test_no_server_errors_at_any_boundary_for_a_member = token_fuzz_test(
    api_schema(v2_openapi(), coverage=True), "member", deep=True
)


@pytest.mark.django_db
def test_the_document_is_served_and_valid(client):
    from openapi_spec_validator import validate

    response = client.get("/api/v2/openapi.json")
    assert response.status_code == 200
    validate(response.json())
    assert response.json() == v2_openapi()


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ["pages", "images", "documents"])
@pytest.mark.parametrize("value", ["abc", "null", "0", "99999999999999999999"])
def test_find_with_an_id_that_is_no_id_is_a_400(client, endpoint, value):
    response = client.get(f"/api/v2/{endpoint}/find/", {"id": value})
    assert response.status_code == 400, response.content
    assert response.json()["param"] == "id"
