"""What members do to discussion comments: post, edit, delete and report.

Each action checks who may take it and validates before it saves, so the
HTML views and the API answer the same way.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import ratelimit
from ..models import CommentReport, DiscussionComment, DiscussionPage


def may_comment(user) -> bool:
    """Any signed-in, active member may comment (the Members group included)."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def may_moderate(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.has_perm("reviews.change_discussioncomment")
    )


def post_comment(
    page: DiscussionPage,
    author,
    body: str,
    chapter: int | None = None,
    parent: DiscussionComment | None = None,
) -> DiscussionComment:
    """Validate, rate-limit and save a new comment.

    Raises ``ValidationError`` for bad input and
    :class:`reviews.ratelimit.RateLimited` when the member posts too fast.
    Only valid comments count towards the limit.
    """
    if not may_comment(author):
        raise PermissionDenied(_("Log in to comment."))
    if parent is not None and (parent.page_id != page.pk or not parent.is_published):
        raise ValidationError({"parent": _("That comment cannot be answered.")})
    comment = DiscussionComment(
        page=page, author=author, body=body, chapter=chapter, parent=parent
    )
    comment.full_clean()
    ratelimit.hit("comment", author.pk, ratelimit.comment_rates())
    comment.save()
    return comment


def edit_comment(
    comment: DiscussionComment, user, body: str, chapter: int | None
) -> DiscussionComment:
    """Let the author correct a comment within the edit window."""
    if not comment.can_delete(user):
        raise PermissionDenied(_("You can only edit your own comments."))
    if not comment.edit_window_open():
        raise PermissionDenied(_("Comments can be edited only shortly after posting."))
    comment.body = body
    comment.chapter = chapter
    comment.full_clean()
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "chapter", "edited_at"])
    return comment


def delete_comment(comment: DiscussionComment, user) -> None:
    if not comment.can_delete(user):
        raise PermissionDenied(_("You can only delete your own comments."))
    comment.delete_by_author()


def report_comment(
    comment: DiscussionComment, user, reason: str = ""
) -> tuple[CommentReport, bool]:
    """File (once) a member's report; returns the report and whether it is new."""
    if not may_comment(user):
        raise PermissionDenied(_("Log in to report a comment."))
    if not comment.is_published:
        raise ValidationError(_("This comment has already been taken down."))
    if comment.author_id == user.pk:
        raise ValidationError(_("You cannot report your own comment; delete it."))
    report = CommentReport(comment=comment, reporter=user, reason=reason.strip())
    report.full_clean(exclude=["comment", "reporter"], validate_constraints=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        return CommentReport.objects.get(comment=comment, reporter=user), False
    return report, True
