"""A member chooses what to get, per book or per discussion; the daily digest
gathers it; meeting reminders come once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from reviews.models import DiscussionComment, Follow, Notification, NotificationSettings
from tests.factories import UserFactory, make_discussion, make_review, paragraph

from .conftest import parts

pytestmark = pytest.mark.django_db


def publish(book, reviewer, capture, **fields):
    with capture(execute=True):
        return make_review(
            book=book, owner=reviewer, reviewer=reviewer,
            body=[paragraph("Fine.")], **fields,
        )  # fmt: skip


def run_cron(capture) -> None:
    with capture(execute=True):
        call_command("send_notifications", stdout=None)


def test_no_follow_no_email(smtp, book, reviewer, django_capture_on_commit_callbacks):
    UserFactory(username="quiet")
    publish(book, reviewer, django_capture_on_commit_callbacks)
    assert smtp.raw == []


def test_a_follow_without_new_reviews_gets_none(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks
):
    Follow.objects.filter(member=reader).update(new_reviews=False)
    publish(book, reviewer, django_capture_on_commit_callbacks)
    assert smtp.raw == []


def test_the_reviewer_is_not_told_of_their_own_review(
    smtp, book, reader, django_capture_on_commit_callbacks
):
    publish(book, reader, django_capture_on_commit_callbacks)
    assert smtp.raw == []


def test_publishing_again_does_not_mail_again(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks
):
    review = publish(book, reviewer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        review.save_revision(user=reviewer).publish()
    assert len(smtp.raw) == 1


def test_replies_follow_the_setting_and_the_discussion_choice(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks
):
    discussion = make_discussion(book=book)
    mine = DiscussionComment.objects.create(page=discussion, author=reader, body="Hi")

    def reply(text: str) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            DiscussionComment.objects.create(
                page=discussion, author=reviewer, parent=mine, body=text
            )

    reply("one")  # on by default
    assert len(smtp.raw) == 1
    Follow.objects.create(member=reader, discussion=discussion, replies=False)
    reply("two")
    assert len(smtp.raw) == 1
    Follow.objects.filter(member=reader, discussion=discussion).delete()
    NotificationSettings.objects.create(member=reader, replies=False)
    reply("three")
    assert len(smtp.raw) == 1
    # Answering oneself sends nothing either.
    NotificationSettings.objects.filter(member=reader).update(replies=True)
    with django_capture_on_commit_callbacks(execute=True):
        DiscussionComment.objects.create(
            page=discussion, author=reader, parent=mine, body="me again"
        )
    assert len(smtp.raw) == 1


def test_the_daily_digest_gathers_everything_into_one_email(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks
):
    NotificationSettings.objects.create(member=reader, delivery="daily")
    publish(book, reviewer, django_capture_on_commit_callbacks, title="First one")
    publish(book, reviewer, django_capture_on_commit_callbacks, title="Second one")
    assert smtp.raw == []

    run_cron(django_capture_on_commit_callbacks)
    _raw, message = smtp.only_raw()
    assert message["Subject"] == "Your book club digest: 2 new"
    text, html = parts(message)
    for part in (text, html):
        assert "First one" in part and "Second one" in part
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    run_cron(django_capture_on_commit_callbacks)  # cron again: nothing new
    assert len(smtp.raw) == 1


def test_a_meeting_reminder_comes_once(
    smtp, book, reader, django_capture_on_commit_callbacks
):
    make_discussion(
        book=book, title="Soon", starts_at=timezone.now() + timedelta(hours=5)
    )
    make_discussion(
        book=book, title="Later", starts_at=timezone.now() + timedelta(days=5)
    )
    run_cron(django_capture_on_commit_callbacks)
    run_cron(django_capture_on_commit_callbacks)
    _raw, message = smtp.only_raw()
    assert message["Subject"].startswith("Reminder: Soon, ")


def test_a_discussion_follow_without_reminders_mutes_the_books(
    smtp, book, reader, django_capture_on_commit_callbacks
):
    soon = make_discussion(book=book, starts_at=timezone.now() + timedelta(hours=5))
    Follow.objects.create(member=reader, discussion=soon, reminders=False)
    run_cron(django_capture_on_commit_callbacks)
    assert smtp.raw == []


def test_an_unsubscribe_between_event_and_digest_wins(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks
):
    NotificationSettings.objects.create(member=reader, delivery="daily")
    publish(book, reviewer, django_capture_on_commit_callbacks)
    Follow.objects.filter(member=reader).delete()
    run_cron(django_capture_on_commit_callbacks)
    assert smtp.raw == []
    assert Notification.objects.get().skipped == "unsubscribed"


def test_a_mail_server_that_is_down_loses_nothing(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_PORT, port = 9, settings.EMAIL_PORT  # discard: nothing listens
    review = publish(book, reviewer, django_capture_on_commit_callbacks)
    assert review.live  # publishing went on regardless
    notification = Notification.objects.get()
    assert notification.sent_at is None and not notification.skipped

    settings.EMAIL_PORT = port
    Notification.objects.update(created_at=timezone.now() - timedelta(hours=1))
    run_cron(django_capture_on_commit_callbacks)
    _raw, message = smtp.only_raw()
    assert message["To"] == "nina@example.org"
    run_cron(django_capture_on_commit_callbacks)
    assert len(smtp.raw) == 1


def test_a_meeting_moved_to_another_time_is_reminded_of_again(
    smtp, book, reader, django_capture_on_commit_callbacks
):
    meeting = make_discussion(
        book=book, title="Moved", starts_at=timezone.now() + timedelta(hours=5)
    )
    run_cron(django_capture_on_commit_callbacks)
    meeting.starts_at = timezone.now() + timedelta(hours=8)
    meeting.save_revision().publish()
    run_cron(django_capture_on_commit_callbacks)
    run_cron(django_capture_on_commit_callbacks)
    assert len(smtp.raw) == 2


def test_a_queue_that_refuses_the_task_fails_neither_the_publish_nor_the_email(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks, monkeypatch
):
    from types import SimpleNamespace

    from reviews.notifications import events

    def refuse(*args, **kwargs):
        raise ConnectionError("the task queue is down")

    with monkeypatch.context() as patch:
        patch.setattr(events, "send_notification", SimpleNamespace(enqueue=refuse))
        review = publish(book, reviewer, django_capture_on_commit_callbacks)
    assert review.live
    assert smtp.raw == []

    Notification.objects.update(created_at=timezone.now() - timedelta(hours=1))
    run_cron(django_capture_on_commit_callbacks)
    assert len(smtp.raw) == 1
