"""An approval publishes the revision its moderator saw.

Wagtail published the page's latest revision when a workflow finished. A
member who reverted their review through Wagtail's own API while it waited
(``POST /api/v3/pages/{id}/actions/revert/`` asks no lock) had the reverted
text published by the moderator's approval of the text before; so did a
write that raced the submit through ``PATCH /api/v3/pages/{id}/``. Found
by an attack with two servers on PostgreSQL.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings
from wagtail.models import WorkflowState

from reviews.models import ReviewPage
from tests.factories import BookFactory, token_client

from .test_v3_writes import new_review, patch, post

pytestmark = pytest.mark.django_db


def _approve(review_id: int, moderator) -> None:
    state = WorkflowState.objects.get(object_id=str(review_id), status="in_progress")
    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, moderator, "approve")


def test_a_revert_while_in_moderation_is_not_what_the_approval_publishes(
    member_api, moderator
):
    created = post(
        member_api,
        "/api/v3/reviews/",
        {**new_review(BookFactory()), "summary": "UNMODERATED TEXT"},
    ).json()
    review_id = created["id"]
    first = ReviewPage.objects.get(pk=review_id).get_latest_revision()
    assert (
        patch(
            member_api, f"/api/v3/reviews/{review_id}/", {"summary": "Moderated text."}
        ).status_code
        == 200
    )
    assert post(member_api, f"/api/v3/reviews/{review_id}/submit/").status_code == 200
    reverted = post(
        member_api,
        f"/api/v3/pages/{review_id}/actions/revert/",
        {"revision_id": first.pk},
    )
    # Refused as Wagtail's own PATCH refuses an edit of a locked page.
    assert reverted.status_code == 403, reverted.content
    assert "locked" in reverted.json()["detail"]

    _approve(review_id, moderator)

    page = ReviewPage.objects.get(pk=review_id)
    assert page.live
    assert page.summary == "Moderated text."
    response = token_client(moderator).get(f"/api/v3/reviews/{review_id}/")
    assert b"UNMODERATED" not in response.content


def test_an_approval_publishes_the_moderated_revision_whatever_came_after(
    member_api, moderator
):
    review_id = post(member_api, "/api/v3/reviews/", new_review(BookFactory())).json()[
        "id"
    ]
    assert post(member_api, f"/api/v3/reviews/{review_id}/submit/").status_code == 200
    # However it got past the lock (a race, a write that asks none).
    page = ReviewPage.objects.get(pk=review_id).get_latest_revision_as_object()
    page.summary = "SLIPPED IN AFTER"
    page.save_revision()

    _approve(review_id, moderator)

    page = ReviewPage.objects.get(pk=review_id)
    assert page.live and page.summary == "A winter in the siege."
    assert page.get_latest_revision_as_object().summary == "SLIPPED IN AFTER"
    assert page.has_unpublished_changes


def test_a_site_on_wagtails_default_is_warned():
    from django.core.management.base import SystemCheckError

    with override_settings(
        WAGTAIL_FINISH_WORKFLOW_ACTION="wagtail.workflows.publish_workflow_state"
    ):
        with pytest.raises(SystemCheckError, match="reviews.W"):
            call_command("check", "--fail-level", "WARNING")
    call_command("check", "--fail-level", "WARNING")
