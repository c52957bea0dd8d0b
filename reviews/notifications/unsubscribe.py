"""One-click unsubscribe links: signed, usable without logging in.

The token names the member and what to stop (its *scope*); signing keeps
anyone from forging one for somebody else, and needs no table of issued
links. Links do not expire: an old email's link must still work (RFC 8058).

Scopes: ``book:<id>`` (stop following a book), ``discussion:<id>`` (stop
following a discussion), ``replies`` (no more replies to my comments),
``all`` (no email from the club at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Book, DiscussionPage, Follow, NotificationSettings

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SALT = "reviews.notifications.unsubscribe"


class InvalidUnsubscribe(Exception):
    """The link was altered, or names a member or thing that is gone."""


@dataclass(frozen=True)
class Unsubscribe:
    member: User
    scope: str

    @property
    def kind(self) -> str:
        return self.scope.partition(":")[0]

    @property
    def object_id(self) -> int:
        """The book's or discussion's id (0 for the scopes that name none)."""
        _kind, _sep, pk = self.scope.partition(":")
        return int(pk) if pk.isdigit() else 0

    def describe(self) -> str:
        """What the link stops, in members' words."""
        if self.kind == "book":
            book = Book.objects.filter(pk=self.object_id).first()
            title = book.title if book else _("this book")
            return _("emails about %(title)s (new reviews, meeting reminders)") % {
                "title": title
            }
        if self.kind == "discussion":
            page = DiscussionPage.objects.filter(pk=self.object_id).first()
            title = page.title if page else _("this discussion")
            return _("emails about the discussion %(title)s") % {"title": title}
        if self.kind == "replies":
            return _("emails about replies to your comments")
        return _("every email from the club")


def make_token(member, scope: str) -> str:
    return signing.dumps({"m": member.pk, "s": scope}, salt=SALT, compress=True)


def _valid_scope(scope: object) -> bool:
    if scope in ("replies", "all"):
        return True
    if not isinstance(scope, str):
        return False
    kind, sep, pk = scope.partition(":")
    return kind in ("book", "discussion") and bool(sep) and pk.isdigit()


def open_token(token: str) -> Unsubscribe:
    """The unsubscribe ``token`` stands for, or :class:`InvalidUnsubscribe`."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature as error:
        raise InvalidUnsubscribe from error
    if not isinstance(data, dict) or not _valid_scope(data.get("s")):
        raise InvalidUnsubscribe
    member_id = data.get("m")
    if not isinstance(member_id, int):
        raise InvalidUnsubscribe
    member = get_user_model().objects.filter(pk=member_id).first()
    if member is None:
        raise InvalidUnsubscribe
    return Unsubscribe(member=member, scope=data["s"])


def apply(unsubscribe: Unsubscribe) -> None:
    """Stop what the link names. Doing it twice is harmless."""
    member = unsubscribe.member
    with transaction.atomic():
        if unsubscribe.kind == "book":
            Follow.objects.filter(member=member, book_id=unsubscribe.object_id).delete()
        elif unsubscribe.kind == "discussion":
            Follow.objects.filter(
                member=member, discussion_id=unsubscribe.object_id
            ).delete()
        elif unsubscribe.kind == "replies":
            NotificationSettings.objects.update_or_create(
                member=member, defaults={"replies": False}
            )
            Follow.objects.filter(member=member, discussion__isnull=False).update(
                replies=False
            )
        else:
            NotificationSettings.objects.update_or_create(
                member=member, defaults={"email_enabled": False}
            )
