"""Who wants to hear about what: a member's settings and follows."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from ..models import DiscussionPage, Follow, Notification, NotificationSettings


def settings_for(member) -> NotificationSettings:
    """The member's settings; an unsaved row with the defaults if none."""
    found = NotificationSettings.objects.filter(member=member).first()
    return found if found is not None else NotificationSettings(member=member)


def reachable_members() -> QuerySet:
    """Active members with an address who have not turned email off."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .exclude(notification_settings__email_enabled=False)
    )


def review_followers(book_id: int) -> QuerySet:
    """Members who want new reviews of ``book_id``."""
    return reachable_members().filter(
        follows__book_id=book_id, follows__new_reviews=True
    )


def reminder_followers(discussion: DiscussionPage) -> QuerySet:
    """Members who want a reminder of ``discussion``'s meeting: they follow
    it, or its book, with reminders on (a follow of the discussion decides
    over one of the book)."""
    muted = Follow.objects.filter(discussion=discussion, reminders=False).values(
        "member_id"
    )
    wanted = Q(follows__discussion=discussion, follows__reminders=True) | Q(
        follows__book_id=discussion.book_id, follows__reminders=True
    )
    return reachable_members().filter(wanted).exclude(pk__in=muted).distinct()


def wants_replies(member, discussion_id: int) -> bool:
    """A follow of the discussion decides; otherwise the member's setting."""
    follow = Follow.objects.filter(member=member, discussion_id=discussion_id).first()
    if follow is not None:
        return follow.replies
    return settings_for(member).replies


def still_wanted(notification: Notification) -> bool:
    """Asked again when the mail is sent: an unsubscribe in between wins."""
    member = notification.recipient
    if not member.is_active or not member.email:
        return False
    if not settings_for(member).email_enabled:
        return False
    Kind = Notification.Kind
    if notification.kind == Kind.REPLY:
        return wants_replies(member, notification.page_id)
    if notification.kind == Kind.REVIEW:
        book_id = getattr(notification.page.specific, "book_id", 0)
        return review_followers(book_id).filter(pk=member.pk).exists()
    if notification.kind == Kind.REMINDER:
        discussion = notification.page.specific
        return reminder_followers(discussion).filter(pk=member.pk).exists()
    return False


def follow_of(member, *, book_id: int | None = None, discussion_id: int | None = None):
    """The member's follow of a book or a discussion, or None."""
    if book_id is not None:
        return Follow.objects.filter(member=member, book_id=book_id).first()
    return Follow.objects.filter(member=member, discussion_id=discussion_id).first()
