"""``/api/v3/discussions/{id}/comments/``: discussion comments (read, post,
edit, delete, report).

Reads answer anonymous clients and token members alike; a token member's
reading progress (plus ``read=``/``spoilers=``) decides which comments show
their text, through :func:`reviews.comments.gate.gate` and so through
:func:`reviews.spoilers.can_see`. Writes need ``Authorization: Bearer``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Query, Router, Status
from ninja.errors import HttpError

from ...comments import actions as comment_actions
from ...comments.gate import DELETED, HIDDEN, REMOVED, GatedComment, gate
from ...comments.text import comment_html
from ...members import display_name, member_id, shown_member
from ...models import DiscussionComment, DiscussionPage
from ...ratelimit import RateLimited, describe_wait
from ...spoilers import reader_of, revealed_comment_range
from ...visibility import public_pages
from ..auth import READ_AUTH, WRITE_AUTH
from ..comment_schemas import (
    CommentCreateSchema,
    CommentListSchema,
    CommentSchema,
    CommentUpdateSchema,
    ListParams,
    ReportResultSchema,
    ReportSchema,
)
from ..params import IdPath, ReaderParams, reject_unknown_params
from ..problems import Problem, problem_response, validation_problem

router = Router(tags=["discussions"])


# -- Helpers ---------------------------------------------------------------


def _discussion(page_id: int) -> DiscussionPage:
    return get_object_or_404(
        public_pages(DiscussionPage.objects.live()).select_related("book"),
        pk=page_id,
    )


def _comment(page: DiscussionPage, comment_id: int) -> DiscussionComment:
    return get_object_or_404(
        shown_member(DiscussionComment.objects.all(), "author"),
        page=page,
        pk=comment_id,
    )


def serialize_comment(node: GatedComment) -> dict:
    comment = node.comment
    shown = node.visible
    return {
        "id": comment.pk,
        "parent": comment.parent_id,
        "chapter": comment.chapter,
        "hidden": node.placeholder == HIDDEN,
        "removed": node.placeholder == REMOVED,
        "deleted": node.placeholder == DELETED,
        "author": {"display_name": display_name(comment.author)}
        if node.placeholder is None
        else None,
        "body": comment.body if shown else None,
        "body_html": str(comment_html(comment.body)) if shown else None,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
    }


def _own_serialized(comment: DiscussionComment) -> dict:
    """A comment just written or corrected by the token member: they wrote
    the text, so it is sent back even if it is about a later chapter than
    they have recorded."""
    return serialize_comment(GatedComment(comment=comment, visible=True))


def _validation_problem(error: ValidationError) -> HttpResponse:
    if hasattr(error, "error_dict"):
        errors = [
            {"loc": ["body", name], "msg": message}
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"loc": ["body"], "msg": message} for message in error.messages]
    return validation_problem(errors)


def _max_limit() -> int:
    return int(getattr(settings, "WAGTAILAPI_LIMIT_MAX", 20) or 10_000)


# -- Comments --------------------------------------------------------------


@router.get(
    "/discussions/{page_id}/comments/",
    response=CommentListSchema,
    auth=READ_AUTH,
    operation_id="list_discussion_comments",
    by_alias=True,
    summary="Comments on a discussion, gated by the reader's progress",
)
def list_comments(
    request: HttpRequest,
    page_id: IdPath,
    params: Query[ListParams],
    reader: Query[ReaderParams],
) -> dict:
    """Oldest first; ``parent`` links replies into threads. A comment about a
    chapter the reader has not reached is not sent: ``hidden`` counts them,
    per range of chapters, and ``reveal_comments`` opens one range. Removed
    comments are left out, or kept as empty placeholders when visible replies
    hang from them."""
    reject_unknown_params(request, ListParams)
    if params.limit > _max_limit():
        raise HttpError(400, f"limit cannot be higher than {_max_limit()}")
    page = _discussion(page_id)
    gated = gate(
        page,
        reader_of(request),
        reveal=revealed_comment_range(request),
        member_id=member_id(request),
    )
    items = gated.items
    revealed = [node for group in gated.ranges for node in group.comments]
    if revealed:
        items = sorted(
            items + revealed, key=lambda node: (node.comment.created_at, node.pk)
        )
    window = items[params.offset : params.offset + params.limit]
    return {
        "count": len(items),
        "comment_count": gated.count,
        "hidden": {
            **gated.unopened.as_dict(),
            "ranges": [group.as_dict() for group in gated.ranges if not group.revealed],
        },
        "items": [serialize_comment(node) for node in window],
    }


@router.get(
    "/discussions/{page_id}/comments/{comment_id}/",
    response=CommentSchema,
    auth=READ_AUTH,
    operation_id="get_discussion_comment",
    summary="One comment, gated like the list",
)
def get_comment(
    request: HttpRequest,
    page_id: IdPath,
    comment_id: IdPath,
    reader: Query[ReaderParams],
) -> dict:
    reject_unknown_params(request)
    page = _discussion(page_id)
    gated = gate(page, reader_of(request), member_id=member_id(request))
    node = next((n for n in gated.items if n.pk == comment_id), None)
    if node is None:
        raise HttpError(404, "No such comment.")
    return serialize_comment(node)


@router.post(
    "/discussions/{page_id}/comments/",
    response={201: CommentSchema, 400: Problem, 429: Problem},
    auth=WRITE_AUTH,
    operation_id="create_discussion_comment",
    summary="Post a comment or a reply",
)
def create_comment(
    request: HttpRequest,
    page_id: IdPath,
    data: CommentCreateSchema,
    answer: HttpResponse,
):
    """Plain text. ``chapter`` is what the comment is about (null: the whole
    book); a reply's chapter is the same as its parent's or later, and a
    reply that leaves it out is about its parent's, as the page's reply form
    offers. Members posting too fast get a 429 with ``Retry-After``."""
    page = _discussion(page_id)
    parent = None
    if data.parent:
        parent = DiscussionComment.objects.filter(page=page, pk=data.parent).first()
        if parent is None:
            return _validation_problem(
                ValidationError({"parent": "No such comment in this discussion."})
            )
    chapter = data.chapter
    if parent is not None and "chapter" not in data.model_fields_set:
        chapter = parent.chapter
    try:
        comment = comment_actions.post_comment(
            page, request.user, data.body, chapter=chapter, parent=parent
        )
    except ValidationError as error:
        return _validation_problem(error)
    except RateLimited as error:
        response = problem_response(
            status=429,
            title="Too Many Requests",
            detail=(
                "You are posting faster than the club allows; try again in "
                f"{describe_wait(error.retry_after)}."
            ),
        )
        response["Retry-After"] = str(error.retry_after)
        return response
    comment.page = page
    answer["Location"] = reverse(
        "wagtailapi_v3:get_comment",
        kwargs={"page_id": page.pk, "comment_id": comment.pk},
    )
    return Status(201, _own_serialized(comment))


@router.patch(
    "/discussions/{page_id}/comments/{comment_id}/",
    response={200: CommentSchema, 400: Problem},
    auth=WRITE_AUTH,
    operation_id="update_discussion_comment",
    summary="Correct your own comment shortly after posting it",
)
def update_comment(
    request: HttpRequest,
    page_id: IdPath,
    comment_id: IdPath,
    data: CommentUpdateSchema,
):
    page = _discussion(page_id)
    comment = _comment(page, comment_id)
    comment.page = page
    if not comment.can_delete(request.user):
        raise PermissionDenied("You can only edit your own comments.")
    fields = data.model_fields_set
    body = data.body if "body" in fields and data.body is not None else comment.body
    chapter = data.chapter if "chapter" in fields else comment.chapter
    try:
        comment_actions.edit_comment(comment, request.user, body, chapter)
    except ValidationError as error:
        return _validation_problem(error)
    return _own_serialized(comment)


@router.delete(
    "/discussions/{page_id}/comments/{comment_id}/",
    response={204: None},
    auth=WRITE_AUTH,
    operation_id="delete_discussion_comment",
    summary="Delete your own comment (replies stay under a placeholder)",
)
def delete_comment(request: HttpRequest, page_id: IdPath, comment_id: IdPath):
    page = _discussion(page_id)
    comment = _comment(page, comment_id)
    comment_actions.delete_comment(comment, request.user)
    return Status(204, None)


@router.post(
    "/discussions/{page_id}/comments/{comment_id}/report/",
    response={201: ReportResultSchema, 200: ReportResultSchema, 400: Problem},
    auth=WRITE_AUTH,
    operation_id="report_discussion_comment",
    summary="Ask the moderators to look at a comment",
)
def report_comment(
    request: HttpRequest, page_id: IdPath, comment_id: IdPath, data: ReportSchema
):
    page = _discussion(page_id)
    comment = _comment(page, comment_id)
    try:
        _report, created = comment_actions.report_comment(
            comment, request.user, data.reason
        )
    except ValidationError as error:
        return _validation_problem(error)
    return Status(201 if created else 200, {"reported": True, "new": created})
