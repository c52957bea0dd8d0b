"""Every email is written for its recipient's progress: a spoiler or comment
beyond it arrives as its label or chapter only — in the raw bytes the SMTP
server received, in both parts, and in the subject."""

from __future__ import annotations

import pytest

from reviews.models import DiscussionComment, Follow, ReadingProgress
from tests.factories import make_discussion, make_review, paragraph, spoiler

from .conftest import everything, parts

pytestmark = pytest.mark.django_db

LATE = "LATECANARY9 the grain store burns"
EARLY = "EARLYCANARY3 the ration cards"
OPEN = "OPENCANARY a generous book"


def publish_review(book, reviewer, capture):
    with capture(execute=True):
        return make_review(
            book=book,
            owner=reviewer,
            reviewer=reviewer,
            title="Winter in Leningrad",
            body=[
                paragraph(OPEN),
                spoiler(book, 3, "What the ration cards mean", EARLY),
                spoiler(book, 9, "What happens in chapter nine", LATE),
            ],
        )


def test_a_reader_at_chapter_5_gets_no_text_from_a_chapter_9_spoiler(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks
):
    publish_review(book, reviewer, django_capture_on_commit_callbacks)

    raw, message = smtp.only_raw()
    assert message["To"] == "nina@example.org"
    all_of_it = everything(raw, message)
    assert "LATECANARY9" not in all_of_it
    assert "grain store" not in all_of_it
    # The label and scope stand in for it, in both parts.
    text, html = parts(message)
    for part in (text, html):
        assert "What happens in chapter nine" in part
        assert "chapter 9" in part
        # What she has read is in the email: the check above could fail.
        assert "EARLYCANARY3" in part
        assert "OPENCANARY" in part
    assert b"EARLYCANARY3" in raw
    assert message["Subject"] == "New review of The Siege: Winter in Leningrad"


def test_the_same_review_reaches_a_finished_reader_whole(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks
):
    ReadingProgress.objects.filter(member=reader).update(finished=True)
    publish_review(book, reviewer, django_capture_on_commit_callbacks)
    raw, message = smtp.only_raw()
    assert b"LATECANARY9" in raw
    text, html = parts(message)
    assert "LATECANARY9" in text and "LATECANARY9" in html


def test_each_recipient_gets_their_own_reading(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks
):
    from tests.factories import ReadingProgressFactory, UserFactory

    finished = UserFactory(username="fay")
    ReadingProgressFactory(member=finished, book=book, finished=True)
    Follow.objects.create(member=finished, book=book)
    publish_review(book, reviewer, django_capture_on_commit_callbacks)

    by_recipient = {
        m["To"]: raw for raw, m in zip(smtp.raw, smtp.messages, strict=True)
    }
    assert set(by_recipient) == {"nina@example.org", "fay@example.org"}
    assert b"LATECANARY9" not in by_recipient["nina@example.org"]
    assert b"LATECANARY9" in by_recipient["fay@example.org"]


def test_a_reply_about_chapter_9_arrives_as_its_chapter_only(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks
):
    discussion = make_discussion(book=book, title="Our winter meeting")
    mine = DiscussionComment.objects.create(
        page=discussion, author=reader, body="I loved the opening.", chapter=2
    )
    with django_capture_on_commit_callbacks(execute=True):
        DiscussionComment.objects.create(
            page=discussion,
            author=reviewer,
            parent=mine,
            body="REPLYCANARY9 wait until the ice road",
            chapter=9,
        )
    raw, message = smtp.only_raw()
    all_of_it = everything(raw, message)
    assert "REPLYCANARY9" not in all_of_it
    assert "ice road" not in all_of_it
    text, html = parts(message)
    for part in (text, html):
        assert "chapter 9" in part
        assert "Rob Hale replied to your comment" in part
    assert message["Subject"] == "Rob Hale replied to you in Our winter meeting"


def test_a_reply_she_may_read_is_quoted(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks
):
    discussion = make_discussion(book=book)
    mine = DiscussionComment.objects.create(page=discussion, author=reader, body="Hi")
    with django_capture_on_commit_callbacks(execute=True):
        DiscussionComment.objects.create(
            page=discussion,
            author=reviewer,
            parent=mine,
            body="REPLYCANARY4 the first chapters",
            chapter=4,
        )
    raw, message = smtp.only_raw()
    assert b"REPLYCANARY4" in raw


def test_a_reminder_keeps_gated_questions_closed(
    smtp, book, reader, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    make_discussion(
        book=book,
        title="Tomorrow's meeting",
        starts_at=timezone.now() + timedelta(hours=3),
        questions=[
            {"type": "question", "value": {"question": "QOPEN who is Anna?"}},
            {
                "type": "question",
                "value": {"question": "QLATE9 why the fire?", "chapter": 9},
            },
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_notifications", stdout=None)
    raw, message = smtp.only_raw()
    assert b"QOPEN" in raw
    assert "QLATE9" not in everything(raw, message)
    text, html = parts(message)
    assert "up to chapter 9" in text and "up to chapter 9" in html
