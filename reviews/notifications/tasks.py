"""Sending notifications in the background (django-tasks).

A task sends one email, or one member's digest. Before sending it asks
again whether the member still wants it (an unsubscribe in between wins)
and whether the content is still live and public: a review unpublished or
restricted since, or a removed comment, is never mailed. A row is claimed
before sending, so two workers never send the same email; a failed send
gives the claim back for the next run.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_tasks import task

from ..models import DiscussionPage, Notification, NotificationSettings, ReviewPage
from ..visibility import is_listed
from .emails import Email, build_digest, build_email
from .preferences import still_wanted

logger = logging.getLogger(__name__)

UNSUBSCRIBED = "unsubscribed"
NOT_VISIBLE = "not visible"
#: A digest goes out at most once in this long (cron may run more often).
DIGEST_INTERVAL = timedelta(hours=23)
#: An email not sent this long after its event is tried again by the command.
RETRY_AFTER = timedelta(minutes=10)


def still_visible(notification: Notification) -> bool:
    """Is what the notification is about still there for every reader, and
    still named by the listings (:func:`reviews.visibility.is_listed`)?"""
    page = notification.page
    if not is_listed(page):
        return False
    specific = page.specific
    Kind = Notification.Kind
    if notification.kind == Kind.REVIEW:
        return isinstance(specific, ReviewPage)
    if not isinstance(specific, DiscussionPage):
        return False
    if notification.kind == Kind.REPLY:
        comment = notification.comment
        return comment is not None and comment.is_published
    return specific.starts_at > timezone.now()


def why_not(notification: Notification) -> str:
    """Empty when the notification should go out, else the reason it won't."""
    if not still_visible(notification):
        return NOT_VISIBLE
    if not still_wanted(notification):
        return UNSUBSCRIBED
    return ""


def send_email(member, email: Email) -> None:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text,
        to=[member.email],
        headers={
            # RFC 8058: a mail client may unsubscribe with one POST.
            "List-Unsubscribe": f"<{email.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(email.html, "text/html")
    message.send()


def _claim(pks: list[int]) -> int:
    return Notification.objects.filter(
        pk__in=pks, sent_at__isnull=True, skipped=""
    ).update(sent_at=timezone.now())


def _release(pks: list[int]) -> None:
    Notification.objects.filter(pk__in=pks).update(sent_at=None)


@task()
def send_notification(notification_id: int) -> str:
    """Send one notification's email; returns what happened."""
    notification = (
        Notification.objects.select_related("recipient", "page", "comment")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or notification.done:
        return "done already"
    reason = why_not(notification)
    if reason:
        Notification.objects.filter(pk=notification_id, sent_at__isnull=True).update(
            skipped=reason
        )
        return reason
    if not _claim([notification_id]):
        return "done already"
    try:
        send_email(notification.recipient, build_email(notification))
    except Exception:
        _release([notification_id])
        raise
    return "sent"


def pending_digest(member) -> list[Notification]:
    return list(
        Notification.objects.select_related("recipient", "page", "comment")
        .filter(recipient=member, digest=True, sent_at__isnull=True, skipped="")
        .order_by("created_at", "pk")
    )


@task()
def send_digest(member_id: int) -> str:
    """Send a member everything their digest holds; returns what happened."""
    member = get_user_model().objects.filter(pk=member_id).first()
    if member is None:
        return "no member"
    waiting = pending_digest(member)
    ready = []
    for notification in waiting:
        reason = why_not(notification)
        if reason:
            Notification.objects.filter(pk=notification.pk).update(skipped=reason)
        else:
            ready.append(notification)
    if not ready:
        return "nothing to send"
    # One row at a time, so rows another worker took stay theirs.
    ready = [n for n in ready if _claim([n.pk])]
    if not ready:
        return "taken by another worker"
    pks = [n.pk for n in ready]
    try:
        send_email(member, build_digest(member, ready))
    except Exception:
        _release(pks)
        raise
    NotificationSettings.objects.update_or_create(
        member=member, defaults={"digest_sent_at": timezone.now()}
    )
    return "sent"


def unsent_since(now: datetime | None = None) -> list[int]:
    """Emails owed for a while but not sent: the mail server was down, or a
    worker died. The claim keeps a retry from sending one twice."""
    now = now or timezone.now()
    return list(
        Notification.objects.filter(
            digest=False,
            sent_at__isnull=True,
            skipped="",
            created_at__lt=now - RETRY_AFTER,
        ).values_list("pk", flat=True)
    )


def members_with_digest_due(now: datetime | None = None) -> list[int]:
    """Members with digest entries waiting and no digest in the last day
    (so a cron job that runs more often still sends one a day)."""
    now = now or timezone.now()
    recent = NotificationSettings.objects.filter(
        digest_sent_at__gt=now - DIGEST_INTERVAL
    ).values("member_id")
    return list(
        Notification.objects.filter(digest=True, sent_at__isnull=True, skipped="")
        .exclude(recipient__in=recent)
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )
