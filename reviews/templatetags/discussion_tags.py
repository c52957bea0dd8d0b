"""Template helpers for discussion comments and meetings."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from ..comments.actions import may_comment
from ..comments.text import comment_html
from ..members import display_name

register = template.Library()


@register.filter
def comment_body(text: str) -> SafeString:
    """A comment's plain text as safe HTML: escaped, with clickable links."""
    return comment_html(text or "")


@register.filter
def member_name(user) -> str:
    return display_name(user)


@register.filter
def comment_place(comment) -> str:
    """Where the views place messages about ``comment`` (``placed``): on the
    comment itself, where their redirects to ``#comment-<id>`` land."""
    return f"comment-{comment.pk}"


@register.simple_tag(takes_context=True)
def comment_permissions(context, comment) -> dict[str, bool]:
    """What the current member may do with ``comment``."""
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = may_comment(user)
    return {
        "reply": signed_in and comment.is_published,
        "edit": comment.can_edit(user),
        "delete": comment.can_delete(user),
        "report": signed_in
        and comment.is_published
        and comment.author_id != getattr(user, "pk", None),
    }
