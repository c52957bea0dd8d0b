"""Wagtail's v3 revisions listing filters by ``user_id``, which its
OpenAPI document gives as a whole number or a string: any other string
reached the database lookup and was a 500. A member reaches the listing
for her own reviews with her token."""

from __future__ import annotations

import pytest

from tests.factories import make_review, token_client

pytestmark = pytest.mark.django_db

PROBLEM_JSON = "application/problem+json"


@pytest.mark.parametrize("value", ["me", "", "1e3", "3:", "[]"])
def test_a_user_id_that_is_no_id_is_a_400_not_a_500(club_member, value):
    review = make_review(owner=club_member)
    api = token_client(club_member)
    api.raise_request_exception = False

    response = api.get(f"/api/v3/pages/{review.pk}/revisions/", {"user_id": value})

    assert response.status_code == 400, (response.status_code, response.content)
    assert response["Content-Type"] == PROBLEM_JSON
    assert response.json()["status"] == 400


def test_a_whole_number_user_id_still_filters(club_member):
    review = make_review(owner=club_member)
    api = token_client(club_member)

    response = api.get(
        f"/api/v3/pages/{review.pk}/revisions/", {"user_id": club_member.pk}
    )

    assert response.status_code == 200
