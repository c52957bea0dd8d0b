"""The canary world by email: a member with no progress who follows every
book and discussion is sent every notification the club could write — about
every review and discussion (drafts, unpublished and restricted ones
included) and every comment — and no canary is in any byte of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from wagtail.models import Page

from reviews.models import (
    Book,
    DiscussionComment,
    DiscussionPage,
    Follow,
    Notification,
    NotificationSettings,
    ReviewPage,
)
from reviews.notifications.tasks import send_digest, send_notification
from tests.spoilers.canary import build_canary_world
from tests.spoilers.test_canary_sweep import leaks_in

pytestmark = pytest.mark.django_db


def _mail_bytes() -> bytes:
    parts = []
    for message in mail.outbox:
        parts.append(message.message().as_bytes())
        parts.append(f"{message.subject}\n{message.body}".encode())
        for content, _mimetype in message.alternatives:
            parts.append(content if isinstance(content, bytes) else content.encode())
    return b"\n".join(parts)


def _owe_everything(member, *, digest: bool) -> list[Notification]:
    Kind = Notification.Kind
    rows = []
    suffix = ":digest" if digest else ""
    for page in Page.objects.type(ReviewPage):
        rows.append((Kind.REVIEW, page.pk, None))
    for page in Page.objects.type(DiscussionPage):
        rows.append((Kind.REMINDER, page.pk, None))
    for comment in DiscussionComment.objects.all():
        rows.append((Kind.REPLY, comment.page_id, comment.pk))
    return [
        Notification.objects.create(
            recipient=member,
            kind=kind,
            page_id=page_id,
            comment_id=comment_id,
            key=f"{kind}:{page_id}:{comment_id}{suffix}",
            digest=digest,
        )
        for kind, page_id, comment_id in rows
    ]


def test_no_canary_reaches_a_followers_inbox():
    world = build_canary_world()
    dora = world.stranger
    for book in Book.objects.all():
        Follow.objects.create(member=dora, book=book)
    for discussion in DiscussionPage.objects.all():
        Follow.objects.create(member=dora, discussion=discussion)
    DiscussionPage.objects.update(starts_at=timezone.now() + timedelta(hours=2))
    mail.outbox.clear()

    for notification in _owe_everything(dora, digest=False):
        send_notification.call(notification.pk)
    NotificationSettings.objects.create(member=dora, delivery="daily")
    _owe_everything(dora, digest=True)
    send_digest.call(dora.pk)

    # She did get mail (so the check below can fail): reviews, reminders,
    # replies, and one digest.
    subjects = [message.subject for message in mail.outbox]
    assert any(s.startswith("New review of The Unread Book") for s in subjects)
    assert any(s.startswith("Reminder: ") for s in subjects)
    assert any(" replied to you in " in s for s in subjects)
    assert any(s.startswith("Your book club digest") for s in subjects)
    # Nothing restricted is mailed, not even what a logged-in member may read.
    leaks = leaks_in(_mail_bytes(), world.hidden_from(viewer_is_member=False))
    assert not leaks, sorted(leaks)
