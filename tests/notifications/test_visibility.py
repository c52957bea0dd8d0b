"""Drafts, unpublished and restricted pages, and removed comments, are never
mailed — not when the event happens, and not when the email is sent later."""

from __future__ import annotations

import pytest
from wagtail.models import PageViewRestriction

from reviews.models import DiscussionComment, Notification, NotificationSettings
from tests.factories import make_discussion, make_review, paragraph, review_index

pytestmark = pytest.mark.django_db


def run_cron(capture) -> None:
    from django.core.management import call_command

    with capture(execute=True):
        call_command("send_notifications", stdout=None)


def test_a_draft_review_is_never_mailed(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_review(
            book=book, owner=reviewer, live=False, body=[paragraph("DRAFTCANARY")]
        )
    assert smtp.raw == []
    assert not Notification.objects.exists()


def test_a_restricted_review_is_never_mailed(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks
):
    index = review_index()
    PageViewRestriction.objects.create(
        page=index, restriction_type=PageViewRestriction.LOGIN
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_review(book=book, owner=reviewer, body=[paragraph("PRIVATECANARY")])
    assert smtp.raw == []


def test_a_review_unpublished_before_the_digest_is_left_out(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks
):
    NotificationSettings.objects.create(member=reader, delivery="daily")
    with django_capture_on_commit_callbacks(execute=True):
        review = make_review(
            book=book, owner=reviewer, title="GONECANARY", body=[paragraph("x")]
        )
    review.unpublish()
    run_cron(django_capture_on_commit_callbacks)
    assert smtp.raw == []
    assert Notification.objects.get().skipped == "not visible"


def test_a_pending_draft_of_a_live_review_is_not_what_is_mailed(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks
):
    NotificationSettings.objects.create(member=reader, delivery="daily")
    with django_capture_on_commit_callbacks(execute=True):
        review = make_review(book=book, owner=reviewer, body=[paragraph("LIVETEXT")])
    draft = review.get_latest_revision_as_object()
    draft.body = [paragraph("PENDINGCANARY")]
    draft.save_revision(user=reviewer)
    run_cron(django_capture_on_commit_callbacks)
    raw = smtp.raw[0]
    assert b"LIVETEXT" in raw
    assert b"PENDINGCANARY" not in raw


def test_a_reply_removed_before_sending_is_not_mailed(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks
):
    NotificationSettings.objects.create(member=reader, delivery="daily")
    discussion = make_discussion(book=book)
    mine = DiscussionComment.objects.create(page=discussion, author=reader, body="Hi")
    with django_capture_on_commit_callbacks(execute=True):
        reply = DiscussionComment.objects.create(
            page=discussion, author=reviewer, parent=mine, body="REMOVEDCANARY"
        )
    reply.remove(moderator=None)
    run_cron(django_capture_on_commit_callbacks)
    assert smtp.raw == []


def test_a_reply_in_a_restricted_discussion_is_not_mailed(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks
):
    discussion = make_discussion(book=book)
    PageViewRestriction.objects.create(
        page=discussion, restriction_type=PageViewRestriction.LOGIN
    )
    mine = DiscussionComment.objects.create(page=discussion, author=reader, body="Hi")
    with django_capture_on_commit_callbacks(execute=True):
        DiscussionComment.objects.create(
            page=discussion, author=reviewer, parent=mine, body="LOCKEDCANARY"
        )
    assert smtp.raw == []
