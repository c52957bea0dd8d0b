"""The OpenAPI document describes every club endpoint, with typed responses.

Regenerate the snapshot after an intended change with
``UPDATE_OPENAPI_SNAPSHOT=1 pytest tests/api/test_openapi.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from wagtail.api.v3.urls import api

from reviews.api.openapi import club_openapi, make_valid

#: Serving a document reads the cache tags in the database.
pytestmark = pytest.mark.django_db

SNAPSHOT = Path(__file__).parent / "snapshots" / "club_openapi.json"

CLUB_OPERATIONS = {
    ("get", "/api/v3/books/"),
    ("get", "/api/v3/books/{book_id}/"),
    ("get", "/api/v3/reviews/"),
    ("post", "/api/v3/reviews/"),
    ("get", "/api/v3/reviews/{review_id}/"),
    ("patch", "/api/v3/reviews/{review_id}/"),
    ("post", "/api/v3/reviews/{review_id}/submit/"),
    ("get", "/api/v3/series/"),
    ("get", "/api/v3/series/{series_id}/"),
    ("get", "/api/v3/discussions/"),
    ("get", "/api/v3/discussions/{discussion_id}/"),
    ("get", "/api/v3/progress/"),
    ("get", "/api/v3/progress/{book_id}/"),
    ("put", "/api/v3/progress/{book_id}/"),
    ("patch", "/api/v3/progress/{book_id}/"),
    ("get", "/api/v3/preview/"),
    ("get", "/api/v3/discussions/{discussion_id}/rsvps/"),
    ("put", "/api/v3/discussions/{discussion_id}/rsvp/"),
}


def _document() -> dict:
    return json.loads(json.dumps(club_openapi(api), sort_keys=True))


def test_served_document_lists_the_club_endpoints(client):
    response = client.get("/api/v3/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for method, path in CLUB_OPERATIONS:
        assert method in paths[path], (method, path)
    # Wagtail's own endpoints are still there, in the same document.
    assert "/api/v3/pages/" in paths


def test_every_club_operation_has_a_typed_success_response():
    document = _document()
    found = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            found.add((method, path))
            success = next(
                response
                for status, response in operation["responses"].items()
                if status.startswith("2")
            )
            schema = success["content"]["application/json"]["schema"]
            typed = [schema] if "$ref" in schema else schema.get("anyOf", [])
            assert typed, (method, path)
            assert all("$ref" in option for option in typed), (method, path)
    assert CLUB_OPERATIONS <= found


def test_openapi_snapshot():
    document = _document()
    if os.environ.get("UPDATE_OPENAPI_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    if not SNAPSHOT.exists():
        pytest.fail(f"Missing {SNAPSHOT}; set UPDATE_OPENAPI_SNAPSHOT=1 to create it.")
    assert document == json.loads(SNAPSHOT.read_text())


def test_response_codes_are_strings_however_the_document_was_built():
    """Ninja keys responses by int; a document read back from JSON has str
    keys. Made valid either way (and made valid twice, as club_openapi does
    when the first document a process builds came from the unwrapped
    method), every status is the str OpenAPI names, never a mix that cannot
    be sorted."""
    built = {
        "paths": {
            "/api/v3/books/{book_id}/": {
                "get": {"responses": {200: {"description": "OK"}}}
            }
        }
    }
    read_back = json.loads(json.dumps(built))
    for document in (built, read_back):
        make_valid(document)
        make_valid(document)
        responses = document["paths"]["/api/v3/books/{book_id}/"]["get"]["responses"]
        assert list(responses) == ["200", "400", "404"]
        json.dumps(document, sort_keys=True)


def test_one_bearer_scheme_however_many_auth_classes_read_it(client):
    """Wagtail's bearer class and the club's subclass of it read the same
    token: the document names one scheme, so a generated client asks for the
    token once, and every operation's requirement names that scheme."""
    document = client.get("/api/v3/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert list(schemes.values()) == [{"type": "http", "scheme": "bearer"}]
    (name,) = schemes
    named = {
        scheme
        for operations in document["paths"].values()
        for operation in operations.values()
        for requirement in operation.get("security", [])
        for scheme in requirement
    }
    assert named == {name}
    club = _document()["components"]["securitySchemes"]
    assert club == schemes
