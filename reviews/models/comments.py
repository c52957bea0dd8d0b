"""Members' comments on a discussion, and reports of them to the moderators."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MinValueValidator,
)
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..members import display_name
from .stored import stored

COMMENT_MAX_LENGTH = 4000
#: How long a member may still correct a comment after posting it.
COMMENT_EDIT_WINDOW = timedelta(minutes=15)
REPORT_REASON_MAX_LENGTH = 500


def published_comments(prefix: str = "") -> models.Q:
    """The condition of a comment anyone may read, neither removed nor
    deleted by its author, on the comments or through a relation
    (``prefix="comments__"``)."""
    return models.Q(**{f"{prefix}removed": False, f"{prefix}deleted_at__isnull": True})


class DiscussionCommentQuerySet(models.QuerySet):
    def published(self) -> DiscussionCommentQuerySet:
        """Comments anyone may read: neither removed nor deleted by the author."""
        return self.filter(published_comments())

    def with_open_reports(self) -> DiscussionCommentQuerySet:
        return self.filter(reports__resolved_at__isnull=True).distinct()


class DiscussionComment(models.Model):
    """A member's comment on a discussion. Moderation hides, never deletes.

    A reply is about the same chapter as the comment it answers, or a later
    one: a reader who may see a reply may see what it answers.
    """

    page = models.ForeignKey(
        "reviews.DiscussionPage",
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("discussion"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="discussion_comments",
        verbose_name=_("author"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    body = models.TextField(
        _("comment"), validators=[MaxLengthValidator(COMMENT_MAX_LENGTH)]
    )
    chapter = models.PositiveSmallIntegerField(
        _("about chapter"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("The chapter the comment is about. Blank: the whole book."),
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    removed = models.BooleanField(
        _("removed"),
        default=False,
        help_text=_("Hidden by a moderator. The text is kept and can be restored."),
    )
    removed_at = models.DateTimeField(_("removed on"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("removed by"),
    )
    deleted_at = models.DateTimeField(
        _("deleted by its author on"),
        null=True,
        blank=True,
        help_text=_("The author deleted it: the text is erased, replies stay."),
    )

    objects = DiscussionCommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("discussion comment")
        verbose_name_plural = _("discussion comments")
        indexes = [models.Index(fields=["page", "removed", "created_at"])]

    def __str__(self) -> str:
        return f"{display_name(self.author)} on {self.page.title}: {self.body[:40]}"

    def clean(self) -> None:
        super().clean()
        self.body = (self.body or "").strip()
        if not self.body and not self.deleted_at:
            raise ValidationError({"body": _("Write something first.")})
        parent = self.parent if self.parent_id else None
        if parent is not None and self.page_id and parent.page_id != self.page_id:
            raise ValidationError({"parent": _("Replies stay in the same discussion.")})
        if self.page_id and self.chapter:
            try:
                self.page.book.check_chapter(self.chapter)
            except ValidationError as error:
                raise ValidationError({"chapter": error.messages}) from error
        if self._chapter_changed():
            self._check_thread_order()

    def _chapter_changed(self) -> bool:
        if self.pk is None:
            return True
        return stored(self, "chapter") != self.chapter

    def _check_thread_order(self) -> None:
        """A reply is about its parent's chapter or a later one, so that a
        reader who may see a reply may also see what it answers."""
        own = chapter_order(self.chapter)
        parent = self.parent if self.parent_id else None
        if parent is not None and own < chapter_order(parent.chapter):
            raise ValidationError(
                {
                    "chapter": _(
                        "A reply cannot be about an earlier chapter than the "
                        "comment it answers (%(about)s)."
                    )
                    % {"about": describe_chapter(parent.chapter)}
                }
            )
        if self.pk:
            replies = self.replies.values_list("chapter", flat=True)
            if any(chapter_order(chapter) < own for chapter in replies):
                raise ValidationError(
                    {
                        "chapter": _(
                            "A reply is about an earlier chapter; this comment "
                            "cannot move past it."
                        )
                    }
                )

    @property
    @admin.display(description=_("comment"))
    def excerpt(self) -> str:
        text = " ".join(self.body.split()) or str(_("(deleted by its author)"))
        return text if len(text) <= 80 else f"{text[:79]}…"

    @property
    def is_published(self) -> bool:
        return not self.removed and self.deleted_at is None

    def edit_window_open(self) -> bool:
        return timezone.now() - self.created_at <= COMMENT_EDIT_WINDOW

    def can_edit(self, user) -> bool:
        """Authors may correct a comment for a short while after posting it."""
        return self.can_delete(user) and self.edit_window_open()

    def can_delete(self, user) -> bool:
        return bool(
            user is not None
            and user.is_authenticated
            and self.author_id == user.pk
            and self.is_published
        )

    def delete_by_author(self) -> None:
        """Erase the text; the row stays so that replies keep their thread."""
        self.body = ""
        self.deleted_at = timezone.now()
        self.save(update_fields=["body", "deleted_at"])

    def remove(self, moderator) -> None:
        """Hide the comment from pages and the API; the text is kept."""
        self.removed = True
        self.removed_at = timezone.now()
        self.removed_by = moderator
        self.save(update_fields=["removed", "removed_at", "removed_by"])
        self.resolve_reports(moderator)

    def restore(self, moderator) -> None:
        self.removed = False
        self.removed_at = None
        self.removed_by = None
        self.save(update_fields=["removed", "removed_at", "removed_by"])
        self.resolve_reports(moderator)

    def resolve_reports(self, moderator) -> None:
        self.reports.filter(resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolved_by=moderator
        )


def chapter_order(chapter: int | None) -> float:
    """Sort key for "about chapter": the whole book (None) counts as the ending."""
    return float("inf") if chapter is None else chapter


def describe_chapter(chapter: int | None) -> str:
    if chapter is None:
        return str(_("the whole book"))
    return str(_("chapter %(n)s") % {"n": chapter})


class CommentReport(models.Model):
    """A member telling the moderators that a comment needs a look."""

    comment = models.ForeignKey(
        DiscussionComment,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("comment"),
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reason = models.TextField(
        _("reason"),
        blank=True,
        validators=[MaxLengthValidator(REPORT_REASON_MAX_LENGTH)],
        help_text=_("What is wrong with the comment, in a few words."),
    )
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("comment report")
        verbose_name_plural = _("comment reports")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"], name="one_report_per_member_comment"
            )
        ]

    def __str__(self) -> str:
        return f"{display_name(self.reporter)} reported comment {self.comment_id}"
