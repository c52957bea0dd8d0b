"""Club events become notifications: one row per recipient, then sending.

Called from signal handlers (a review published, a reply posted) and from
``manage.py send_notifications`` (meeting reminders). A recipient who chose
the daily digest gets the row marked for it; everyone else gets an email
enqueued once the transaction commits. Rows are keyed per event, so a page
published twice or a command run twice sends nothing new.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import (
    DiscussionComment,
    DiscussionPage,
    Notification,
    ReviewPage,
    newly_live,
)
from ..visibility import is_listed, reachable_pages
from .preferences import (
    reminder_followers,
    review_followers,
    settings_for,
    wants_replies,
)
from .tasks import send_notification

#: How long before a meeting its reminder goes out.
REMINDER_LEAD = timedelta(hours=24)


def _key(kind: str, page_id: int, comment_id: int | None, variant: str) -> str:
    key = f"{kind}:{page_id}" + (f":{comment_id}" if comment_id else "")
    return f"{key}:{variant}" if variant else key


def _enqueue(notification_id: int) -> Callable[[], None]:
    """A named callback: a robust ``on_commit`` logs failures by its name."""

    def enqueue_notification() -> None:
        send_notification.enqueue(notification_id)

    return enqueue_notification


def notify(
    recipients: Iterable,
    kind: str,
    page_id: int,
    comment_id: int | None = None,
    *,
    variant: str = "",
) -> list[Notification]:
    """Create the rows for ``recipients`` who have none for this event yet,
    and enqueue the immediate ones after commit. ``variant`` tells apart
    events about the same thing (a meeting moved to another time)."""
    key = _key(kind, page_id, comment_id, variant)
    created = []
    for member in recipients:
        digest = settings_for(member).delivery == "daily"
        try:
            with transaction.atomic():
                notification, new = Notification.objects.get_or_create(
                    recipient=member,
                    key=key,
                    defaults={
                        "kind": kind,
                        "page_id": page_id,
                        "comment_id": comment_id,
                        "digest": digest,
                    },
                )
        except IntegrityError:  # a concurrent event made the same row
            continue
        if not new:
            continue
        created.append(notification)
        if not digest:
            # Robust: a queue that refuses it must not fail the publish or the
            # comment; send_notifications retries what was never sent.
            transaction.on_commit(_enqueue(notification.pk), robust=True)
    return created


def on_page_published(sender, instance, **kwargs) -> None:
    """A review published for the first time notifies its book's followers.

    A new revision of a review that was live already (an editor's fix) is
    not news: without this check it reached every member who followed the
    book since the review first went out (reviews.models.newly_live). That
    check needs no query, so it comes before the view restrictions: most
    publishes are such fixes."""
    page = instance.specific if hasattr(instance, "specific") else instance
    if not isinstance(page, ReviewPage) or not page.live or not newly_live(page):
        return
    if not is_listed(page):
        return
    writers = {pk for pk in (page.reviewer_id, page.owner_id) if pk is not None}
    recipients = review_followers(page.book_id).exclude(pk__in=writers)
    notify(recipients, Notification.Kind.REVIEW, page.pk)


def on_comment_saved(sender, instance: DiscussionComment, created: bool, **kwargs):
    """A new reply notifies the author of the comment it answers."""
    if not created or instance.parent_id is None or not instance.is_published:
        return
    parent = instance.parent
    recipient = parent.author if parent is not None else None
    if recipient is None or recipient.pk == instance.author_id:
        return
    if not recipient.is_active or not recipient.email:
        return
    if not settings_for(recipient).email_enabled:
        return
    if not wants_replies(recipient, instance.page_id):
        return
    notify([recipient], Notification.Kind.REPLY, instance.page_id, instance.pk)


def upcoming_meetings(now: datetime | None = None) -> list[DiscussionPage]:
    """Live, public discussions whose meeting starts within the lead time,
    none below an unpublished page: a reminder announces the meeting to the
    book's followers, as a listing would."""
    now = now or timezone.now()
    return list(
        reachable_pages(DiscussionPage.objects.live()).filter(
            starts_at__gt=now, starts_at__lte=now + REMINDER_LEAD
        )
    )


def queue_reminders(now: datetime | None = None) -> int:
    """Reminder rows for the meetings starting soon; returns how many are new."""
    count = 0
    for discussion in upcoming_meetings(now):
        count += len(
            notify(
                reminder_followers(discussion),
                Notification.Kind.REMINDER,
                discussion.pk,
                # A meeting moved to another time is reminded of again.
                variant=str(int(discussion.starts_at.timestamp())),
            )
        )
    return count
