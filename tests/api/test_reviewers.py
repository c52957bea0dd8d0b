"""A reviewer is shown by a public id and display name (never a login or an
email), and the ``reviewer`` filter of both API versions takes that id, or
``me`` for the client's own member."""

from __future__ import annotations

import pytest

from tests.api.conftest import token_client
from tests.factories import UserFactory, make_review

pytestmark = pytest.mark.django_db

V2_REVIEWS = "/api/v2/pages/?type=reviews.ReviewPage&fields=reviewer"


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(item["title"] for item in response.json()["items"])


@pytest.fixture
def ann():
    return UserFactory(
        username="ann-login", first_name="Ann", last_name="Lee", email="ann@x.org"
    )


def test_the_id_a_review_shows_filters_that_reviewer_in_both_apis(client, ann):
    make_review(title="Ann's", reviewer=ann, owner=ann)
    make_review(title="Someone else's", reviewer=UserFactory())

    v3 = client.get("/api/v3/reviews/").json()["items"]
    shown = next(item["reviewer"] for item in v3 if item["title"] == "Ann's")
    v2 = client.get(V2_REVIEWS).json()["items"]
    assert next(i["reviewer"] for i in v2 if i["title"] == "Ann's") == shown
    assert shown["display_name"] == "Ann Lee"

    by_id = client.get("/api/v3/reviews/", {"reviewer": shown["id"]})
    assert _titles(by_id) == ["Ann's"]
    assert _titles(client.get(f"{V2_REVIEWS}&reviewer={shown['id']}")) == ["Ann's"]
    for response in (by_id, client.get(V2_REVIEWS)):
        assert "ann-login" not in response.content.decode()
        assert "ann@x.org" not in response.content.decode()


def test_reviewer_me_on_v2_with_a_token(client, ann):
    make_review(title="Ann's", reviewer=ann, owner=ann)
    make_review(title="Someone else's", reviewer=UserFactory())

    api = token_client(ann)
    assert _titles(api.get(f"{V2_REVIEWS}&reviewer=me")) == ["Ann's"]
    assert _titles(token_client(UserFactory()).get(f"{V2_REVIEWS}&reviewer=me")) == []
    anonymous = client.get(f"{V2_REVIEWS}&reviewer=me")
    assert anonymous.status_code in (400, 401)
