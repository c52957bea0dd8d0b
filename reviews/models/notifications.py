"""What members want to hear about by email, and the mail owed to them.

A member follows a book (new reviews of it, reminders of its meetings) or a
discussion (replies there, its meeting's reminder). Each event that concerns
someone becomes one :class:`Notification` row: the row makes sending
idempotent (a page published twice mails once) and lets the daily digest
gather what is waiting. Whether it is still wanted and still visible is
asked again when it is sent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationSettings(models.Model):
    """A member's email settings; a member without a row has the defaults."""

    class Delivery(models.TextChoices):
        EACH = "each", _("One email for each thing, as it happens")
        DAILY = "daily", _("One daily digest")

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_settings",
        verbose_name=_("member"),
    )
    email_enabled = models.BooleanField(
        _("email me"),
        default=True,
        help_text=_("Off: the club sends you no notifications at all."),
    )
    replies = models.BooleanField(
        _("replies to my comments"),
        default=True,
        help_text=_(
            "In every discussion, unless you chose otherwise for a discussion "
            "you follow."
        ),
    )
    delivery = models.CharField(
        _("how"), max_length=8, choices=Delivery.choices, default=Delivery.EACH
    )
    digest_sent_at = models.DateTimeField(_("last digest"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.member)


class Follow(models.Model):
    """A member following one book or one discussion, and what they want
    to hear about it."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="follows",
        verbose_name=_("member"),
    )
    book = models.ForeignKey(
        "reviews.Book",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followers",
        verbose_name=_("book"),
    )
    discussion = models.ForeignKey(
        "reviews.DiscussionPage",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followers",
        verbose_name=_("discussion"),
    )
    new_reviews = models.BooleanField(
        _("new reviews"), default=True, help_text=_("Books only.")
    )
    replies = models.BooleanField(
        _("replies to my comments"), default=True, help_text=_("Discussions only.")
    )
    reminders = models.BooleanField(_("meeting reminders"), default=True)
    created_at = models.DateTimeField(_("followed"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(book__isnull=False, discussion__isnull=True)
                    | models.Q(book__isnull=True, discussion__isnull=False)
                ),
                name="follow_one_book_or_discussion",
            ),
            models.UniqueConstraint(
                fields=["member", "book"],
                condition=models.Q(book__isnull=False),
                name="one_follow_per_member_book",
            ),
            models.UniqueConstraint(
                fields=["member", "discussion"],
                condition=models.Q(discussion__isnull=False),
                name="one_follow_per_member_discussion",
            ),
        ]

    def __str__(self) -> str:
        followed = self.book if self.book_id else self.discussion
        return f"{self.member} follows {followed}"


class Notification(models.Model):
    """One email owed to one member about one thing (or one digest entry)."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("New review of a book you follow")
        REPLY = "reply", _("Reply to your comment")
        REMINDER = "reminder", _("Meeting reminder")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("page"),
        help_text=_("The review, or the discussion."),
    )
    comment = models.ForeignKey(
        "reviews.DiscussionComment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("comment"),
    )
    #: Unique per recipient: ``kind:page[:comment]``. What makes events
    #: idempotent (a second publish, a second cron run).
    key = models.CharField(max_length=64, editable=False)
    digest = models.BooleanField(
        _("for the digest"), default=False, help_text=_("Sent in the daily digest.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    skipped = models.CharField(
        _("not sent because"),
        max_length=32,
        blank=True,
        help_text=_("Unsubscribed, or the content is no longer visible."),
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="one_notification_per_event"
            )
        ]
        indexes = [models.Index(fields=["recipient", "digest", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient}"

    @property
    def done(self) -> bool:
        return self.sent_at is not None or bool(self.skipped)
