"""A change saved while its review is submitted is what the moderator sees.

The lock on a review waiting for moderation (tests/api/test_v3_moderation_lock.py)
was asked before the change was saved, outside its transaction: a submit
that came between them started the workflow on the revision before, and
the change was saved after it. The moderator approved the submitted
revision, and Wagtail published the latest: text nobody had moderated.
Found with two servers, PostgreSQL, and a PATCH and a submit sent at once.
The writes to one review now take its row in turn.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from wagtail.models import WorkflowState

from reviews.api.routers import review_writes
from reviews.models import ReviewPage
from reviews.roles import ensure_groups
from tests.factories import BookFactory, review_index, token_client, user_in

from .test_v3_writes import new_review, patch, post

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_db"),
]


def _in_thread(send, results: dict, key: str) -> threading.Thread:
    def run() -> None:
        try:
            results[key] = send()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_submit_during_a_change_moderates_that_change(monkeypatch):
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite runs one write transaction at a time (IMMEDIATE): a "
            "submit cannot come between a change's check and its save"
        )
    from reviews.roles import MEMBERS

    groups = ensure_groups(review_index())
    member = user_in(groups[MEMBERS], "bea")
    api = token_client(member)
    review_id = post(api, "/api/v3/reviews/", new_review(BookFactory())).json()["id"]

    inside, go_on = threading.Event(), threading.Event()
    set_body = review_writes._set_body

    def slow_set_body(page, items, user) -> None:
        set_body(page, items, user)
        inside.set()
        go_on.wait(10)

    monkeypatch.setattr(review_writes, "_set_body", slow_set_body)
    results: dict = {}
    change = {
        "summary": "CHANGED WHILE SUBMITTED",
        "body": [{"type": "paragraph", "value": "<p>Later words.</p>"}],
    }
    changing = _in_thread(
        lambda: patch(token_client(member), f"/api/v3/reviews/{review_id}/", change),
        results,
        "change",
    )
    assert inside.wait(10)
    submitting = _in_thread(
        lambda: post(token_client(member), f"/api/v3/reviews/{review_id}/submit/"),
        results,
        "submit",
    )
    time.sleep(0.5)  # the submit, unless it waits, is done by now
    go_on.set()
    changing.join(20)
    submitting.join(20)

    assert results["change"].status_code == 200, results["change"].content
    assert results["submit"].status_code == 200, results["submit"].content
    page = ReviewPage.objects.get(pk=review_id)
    state = WorkflowState.objects.get(object_id=str(review_id))
    moderated = state.current_task_state.revision
    assert moderated == page.get_latest_revision()
    assert moderated.as_object().summary == "CHANGED WHILE SUBMITTED"
