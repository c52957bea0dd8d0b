"""Every club read declares the reader's parameters it takes.

The comments, RSVP and next-book reads took ``read`` and ``spoilers`` (the
reader context every club endpoint understands) without the OpenAPI
document saying so, so a generated client could not send them; and the
comment listing took any parameter at all (``?bogus=1``), where every other
club listing answers a 400 naming it.
"""

from __future__ import annotations

import pytest

from tests.factories import make_discussion

pytestmark = pytest.mark.django_db

READS = [
    "list_discussion_comments",
    "get_discussion_comment",
    "club_rsvps",
    "list_next_book_rounds",
    "get_next_book_round",
]


@pytest.mark.parametrize("operation_id", READS)
def test_the_document_declares_read_and_spoilers(client, operation_id):
    document = client.get("/api/v3/openapi.json").json()
    operation = next(
        operation
        for path in document["paths"].values()
        for operation in path.values()
        if operation.get("operationId") == operation_id
    )
    names = {param["name"] for param in operation.get("parameters", [])}
    assert {"read", "spoilers"} <= names, names


def test_the_comment_listing_refuses_a_parameter_it_does_not_take(client):
    discussion = make_discussion()
    url = f"/api/v3/discussions/{discussion.pk}/comments/"
    response = client.get(url, {"bogus": "1"})
    assert response.status_code == 400
    assert "bogus" in response.json()["detail"]
    assert client.get(url, {"reveal_comments": "ending", "read": ""}).status_code == 200
