"""A review waiting for moderation is what its moderator approves.

A member's ``PATCH /api/v3/reviews/<id>/`` after submitting saved a new
revision while the review stayed in moderation, and the editor's publish
then put the changed text live: text nobody had moderated. The admin and
Wagtail's own ``/api/v3/pages/`` refuse it (the workflow locks the page);
the club's endpoint refuses it too, and a member who wants to change it
withdraws it first, as the admin's *Cancel workflow* does.
"""

from __future__ import annotations

import pytest

from reviews.models import ReviewPage
from tests.factories import BookFactory, token_client

from .test_v3_writes import new_review, patch, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(member_api, moderator) -> int:
    created = post(member_api, "/api/v3/reviews/", new_review(BookFactory()))
    review_id = created.json()["id"]
    assert post(member_api, f"/api/v3/reviews/{review_id}/submit/").status_code == 200
    return review_id


def test_a_review_in_moderation_cannot_be_changed_by_its_member(
    member_api, moderator, submitted
):
    url = f"/api/v3/reviews/{submitted}/"
    response = patch(member_api, url, {"title": "Changed after submitting"})

    assert response.status_code == 409, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert "moderation" in response.json()["detail"]
    assert "<" not in response.json()["detail"]
    page = ReviewPage.objects.get(pk=submitted)
    assert page.get_latest_revision_as_object().title == "Cold and hunger"

    published = post(
        token_client(moderator), f"/api/v3/pages/{submitted}/actions/publish/"
    )
    assert published.status_code == 200, published.content
    assert ReviewPage.objects.get(pk=submitted).title == "Cold and hunger"


def test_a_member_withdraws_a_review_to_change_it(member_api, submitted):
    url = f"/api/v3/reviews/{submitted}/"
    withdrawn = post(member_api, url + "withdraw/")

    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json()["meta"]["status"] == "draft"
    changed = patch(member_api, url, {"title": "Changed, then resubmitted"})
    assert changed.status_code == 200, changed.content
    assert post(member_api, url + "submit/").status_code == 200
    assert post(member_api, url + "withdraw/").status_code == 200
    assert post(member_api, url + "withdraw/").status_code == 409


def test_a_member_cannot_withdraw_another_members_review(
    submitted, other_member, moderator
):
    url = f"/api/v3/reviews/{submitted}/withdraw/"
    assert post(token_client(other_member), url).status_code in (403, 404)
    assert ReviewPage.objects.get(pk=submitted).workflow_in_progress
