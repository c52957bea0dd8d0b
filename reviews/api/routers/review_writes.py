"""Writing reviews through v3: members draft and submit, editors publish.

Permissions are Wagtail's own page permissions (the club's groups are set up
in reviews.roles): Members have "add" under the review index, which lets them
create reviews and edit the ones they own, never another member's, and never
publish. Editors publish with Wagtail's own
``POST /api/v3/pages/{id}/actions/publish/``. Wagtail's generic page writes
cannot set a review's book (a nested field), hence these endpoints.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from wagtail.api.v3.errors import as_validation_error
from wagtail.blocks import (
    Block,
    ListBlock,
    StreamBlock,
    StreamBlockValidationError,
    StructBlock,
)
from wagtail.images import get_image_model
from wagtail.locks import ScheduledForPublishLock, WorkflowLock
from wagtail.models import Page

from ...media_visibility import unseen_references, visible_media
from ...members import may_choose_reviewer
from ...models import Book, ReviewIndexPage, ReviewPage
from ...rich_text import holds_markup_that_is_not_content
from .. import representations, slugs
from ..auth import WRITE_AUTH
from ..params import IdPath, reject_unknown_params
from ..problems import VALIDATION_STATUS, Problem
from ..review_input import (
    BodyInputError,
    existing_spoilers,
    image_references,
    stream_to_raw,
)
from ..schemas import BookIdSchema, ReviewInSchema, ReviewPatchSchema, ReviewSchema
from . import WRITE_ERRORS
from .reviews import visible_reviews


def _book(value: int | BookIdSchema) -> Book:
    book_id = value.id if isinstance(value, BookIdSchema) else value
    try:
        return Book.objects.get(pk=book_id)
    except Book.DoesNotExist as error:
        raise as_validation_error(
            error, f"No book with id {book_id}.", loc=("body", "book")
        ) from error


#: Where a review write's body is, in what the client sent: every error in
#: it is placed below, at the path of the value it is about (docs/api.md,
#: Errors): ``["body", "body", 2, "value", "chapter"]``.
BODY: Final = ("body", "body")


def _set_body(page: ReviewPage, items: list[dict[str, Any]], user) -> None:
    stream_block = ReviewPage._meta.get_field("body").stream_block
    try:
        raw = stream_to_raw(items, BODY, existing=existing_spoilers(page.body))
        _check_images(page, raw, user)
        if at := _markup_not_content_at(stream_block, raw, BODY):
            raise BodyInputError(at, _NOT_CONTENT)
    except BodyInputError as error:
        raise as_validation_error(error, error.text, loc=error.loc) from error
    value = stream_block.to_python(raw)
    previous = page.body
    try:
        page.body = stream_block.clean(value)
    except ValidationError as error:
        raise NinjaValidationError(_block_errors(error, stream_block, value)) from error
    # Rich text names media too (an embed or a document link inside
    # ``<?x …>`` gets past Wagtail's input cleaning), and the published
    # review's uses make media public. The blocks' images were checked
    # above, each at its place; the rest is refused as one, naming no id.
    if unseen_references(page.body, user, already=previous):
        unseen = BodyInputError(BODY, _UNSEEN_MEDIA)
        raise as_validation_error(unseen, unseen.text, loc=unseen.loc)


_NOT_CONTENT = (
    "Invalid rich text: it holds a processing instruction or a declaration "
    "(<?…>, <!…>), which no review's text may hold."
)
_UNSEEN_MEDIA = (
    "Invalid body: it uses an image or document that does not exist or that "
    "you may not use."
)


def _markup_not_content_at(
    block: StreamBlock, raw: list[dict[str, Any]], loc: tuple
) -> tuple | None:
    """Where the first text of ``raw`` (a stored stream of ``block``) that
    holds markup no text may hold is: the block's value, or the text inside
    a spoiler's content."""
    for index, item in enumerate(raw):
        if not holds_markup_that_is_not_content(block, [item]):
            continue
        at = (*loc, index, "value")
        child = block.child_blocks[item["type"]]
        for name, inner in getattr(child, "child_blocks", {}).items():
            if isinstance(inner, StreamBlock) and isinstance(item["value"], dict):
                found = _markup_not_content_at(
                    inner, item["value"].get(name) or [], (*at, name)
                )
                if found:
                    return found
        return at
    return None


def _check_images(page: ReviewPage, raw: list[dict[str, Any]], user) -> None:
    """A member may reference only images they may see; any other id is
    refused exactly as a missing one, so the answer echoes nothing about it.
    Images the review already holds stay (an editor may have put them in)."""
    references = list(image_references(raw, BODY))
    already = {image_id for image_id, _loc in image_references(page.body.raw_data)}
    wanted = {image_id for image_id, _loc in references} - already
    if not wanted:
        return
    visible = set(
        visible_media(
            get_image_model().objects.filter(pk__in=wanted), user
        ).values_list("pk", flat=True)
    )
    for image_id, loc in references:
        if image_id in wanted and image_id not in visible:
            raise BodyInputError(loc, f"No image with id {image_id}.")


def _block_errors(
    error: ValidationError, block: Block, value: Any, loc: tuple = BODY
) -> list[dict[str, Any]]:
    """One error a message, at the place in the body it is about, as the
    client sent it (``["body", "body", 1, "value", "content", 0, "value"]``:
    the first block of the second block's spoiler); the admin shows each
    beside its block. Wagtail gives them as a tree (``as_json_data``) whose
    keys are a stream's indexes and a struct's names: a stream's item is
    sent as ``{"type", "value"}``, so its errors are below ``value``."""
    data = error.as_json_data() if hasattr(error, "as_json_data") else None
    found: list[dict[str, Any]] = []

    def walk(node: dict[str, Any], block: Any, value: Any, loc: tuple) -> None:
        for message in node.get("messages") or []:
            found.append({"type": "invalid_block", "loc": list(loc), "msg": message})
        children = node.get("blockErrors") or {}
        pairs = children.items() if isinstance(children, dict) else enumerate(children)
        for key, child in pairs:
            if child:
                walk(child, *_child_at(block, value, key, loc))

    walk(data or {"messages": error.messages}, block, value, loc)
    return found or [
        {"type": "invalid_block", "loc": list(loc), "msg": "Invalid body."}
    ]


def _child_at(block: Any, value: Any, key: Any, loc: tuple) -> tuple[Any, Any, tuple]:
    """The block, value and location of ``block``'s child ``key``."""
    try:
        if isinstance(block, StreamBlock):
            child = value[int(key)]
            return child.block, child.value, (*loc, int(key), "value")
        if isinstance(block, StructBlock):
            return block.child_blocks[key], value[key], (*loc, key)
        if isinstance(block, ListBlock):
            return block.child_block, value[int(key)], (*loc, int(key))
    except (IndexError, KeyError, TypeError, ValueError):
        pass
    return None, None, (*loc, key)


def _save_draft(page: ReviewPage, user, *, created: bool, parent=None) -> ReviewPage:
    """Store a revision (never publish); saving validates like the admin does
    (``Page.save`` and ``save_revision`` run ``full_clean``)."""
    try:
        with transaction.atomic():
            if created:
                parent.add_child(instance=page)
            revision = page.save_revision(user=user, log_action=True)
    except ValidationError as error:
        raise NinjaValidationError(_field_errors(error, page)) from error
    return revision.as_object()


def _field_errors(error: ValidationError, page: ReviewPage) -> list[dict[str, Any]]:
    if not hasattr(error, "error_dict"):
        return [{"loc": ["body"], "msg": message} for message in error.messages]
    found: list[dict[str, Any]] = []
    for field, errors in error.error_dict.items():
        for each in errors:
            if isinstance(each, StreamBlockValidationError):
                # The page's own checks of its blocks name the block.
                stream = page._meta.get_field(field)
                found.extend(
                    _block_errors(
                        each, stream.stream_block, getattr(page, field), ("body", field)
                    )
                )
            else:
                found.extend(
                    {"loc": ["body", field], "msg": message}
                    for message in each.messages
                )
    return found


def _review_index(request: HttpRequest) -> ReviewIndexPage:
    index = ReviewIndexPage.objects.live().order_by("path").first()
    if index is None:
        raise Http404("This site has no review index to add reviews to.")
    return index


def create_review(request: HttpRequest, data: ReviewInSchema, answer: HttpResponse):
    reject_unknown_params(request)
    user = request.user
    parent = _review_index(request)
    if not parent.permissions_for_user(user).can_add_subpage():
        raise PermissionDenied("You may not add reviews.")
    if data.slug:
        slugs.check_available(parent, data.slug, ("body", "slug"), slugs.CHOOSE_ANOTHER)
    page = ReviewPage(
        title=data.title,
        slug=data.slug or slugs.free_slug(parent, data.title, fallback="review"),
        book=_book(data.book),
        rating=data.rating,
        summary=data.summary,
        owner=user,
        reviewer=user,
        live=False,
    )
    _set_body(page, data.body, user)
    page.tags.set(data.tags)
    draft = _save_draft(page, user, created=True, parent=parent)
    answer["Location"] = reverse(
        "wagtailapi_v3:club_reviews_detail", kwargs={"review_id": draft.pk}
    )
    return Status(201, representations.review_item(request, draft))


def _own_review(request: HttpRequest, review_id: int) -> ReviewPage:
    """The latest revision of a review the member may edit: 404 if they cannot
    read it, 403 if they can read it but it is not theirs to change."""
    page = visible_reviews(request.user).filter(pk=review_id).first()
    if page is None:
        raise Http404("No review matches the given id.")
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied("You may only change your own reviews.")
    return page.get_latest_revision_as_object()


def _refuse_locked(review_id: int, user) -> None:
    """A 409 when the review is locked for ``user``, as the admin and
    Wagtail's own page writes refuse it: above all while it waits for
    moderation, when a change would go live unmoderated with the approval."""
    page = ReviewPage.objects.filter(pk=review_id).first()
    lock = page.get_lock() if page is not None else None
    if lock is None or not lock.for_user(user):
        return
    if isinstance(lock, WorkflowLock):
        # Wagtail's own messages are HTML, for the admin.
        detail = (
            "This review is waiting for moderation: withdraw it "
            f"(POST /reviews/{review_id}/withdraw/) to change it."
        )
    elif isinstance(lock, ScheduledForPublishLock):
        detail = "This review is scheduled to be published: it cannot be changed."
    else:
        detail = "This review is locked by an editor: it cannot be changed."
    raise HttpError(409, detail)


def _review_in_turn(view: Callable[..., Any]) -> Callable[..., Any]:
    """One write to a review at a time, each in one transaction, from its
    checks to its save. A submit that came between a change's check of the
    moderation lock and its save started the workflow on the revision
    before, and the approval then published the change, unmoderated. The
    page's row is taken for the write (PostgreSQL; SQLite's IMMEDIATE
    transactions already run one at a time). Ninja reads the view's own
    signature through ``functools.wraps``."""

    @functools.wraps(view)
    def in_turn(request: HttpRequest, review_id: int, *args: Any, **kwargs: Any):
        with transaction.atomic():
            list(Page.objects.select_for_update().filter(pk=review_id).values("pk"))
            return view(request, review_id, *args, **kwargs)

    return in_turn


@_review_in_turn
def update_review(request: HttpRequest, review_id: IdPath, data: ReviewPatchSchema):
    reject_unknown_params(request)
    page = _own_review(request, review_id)
    _refuse_locked(review_id, request.user)
    changes = data.model_dump(exclude_unset=True)
    for name in ("title", "summary"):
        if name in changes:
            if changes[name] is None:
                raise HttpError(VALIDATION_STATUS, f"{name} cannot be null.")
            setattr(page, name, changes[name])
    if "rating" in changes:
        page.rating = data.rating
    if "book" in changes:
        if data.book is None:
            raise HttpError(VALIDATION_STATUS, "book cannot be null.")
        page.book = _book(data.book)
    if "body" in changes:
        _set_body(page, data.body or [], request.user)
    if "tags" in changes:
        page.tags.set(data.tags or [])
    if not may_choose_reviewer(request.user, review=page):
        page.reviewer = request.user
    draft = _save_draft(page, request.user, created=False)
    return representations.review_item(request, draft)


@_review_in_turn
def submit_review(request: HttpRequest, review_id: IdPath):
    reject_unknown_params(request)
    live_page = visible_reviews(request.user).filter(pk=review_id).first()
    if live_page is None:
        raise Http404("No review matches the given id.")
    if live_page.workflow_in_progress and live_page.owner_id == request.user.pk:
        raise HttpError(409, "This review is already waiting for moderation.")
    _own_review(request, review_id)
    if not live_page.permissions_for_user(request.user).can_submit_for_moderation():
        raise PermissionDenied("You may not submit this review for moderation.")
    workflow = live_page.get_workflow()
    if workflow is None:
        raise HttpError(VALIDATION_STATUS, "No moderation workflow covers this review.")
    workflow.start(live_page, request.user)
    return representations.review_item(
        request, live_page.get_latest_revision_as_object()
    )


@_review_in_turn
def withdraw_review(request: HttpRequest, review_id: IdPath):
    """Take a review out of moderation (the admin's *Cancel workflow*), so
    that its member may change it and submit it again."""
    reject_unknown_params(request)
    review = _own_review(request, review_id)
    state = review.current_workflow_state
    if state is None:
        raise HttpError(409, "This review is not waiting for moderation.")
    if not state.user_can_cancel(request.user):
        raise PermissionDenied("You may not withdraw this review from moderation.")
    state.cancel(user=request.user)
    return representations.review_item(request, review)


#: Marks a router that has the review writes.
_WRITES_ADDED = "club_reviews_create"


def add_review_writes(router: Router) -> None:
    """Add the review writes to ``router``, the reviews router of
    :mod:`reviews.api.routers.reviews`: ``/reviews/`` answers its ``GET`` and
    its ``POST`` from one router. Called by :func:`reviews.api.v3.register`,
    the one place the club's API is put together; a second call adds
    nothing."""
    if any(
        operation.operation_id == _WRITES_ADDED
        for path_view in router.path_operations.values()
        for operation in path_view.operations
    ):
        return
    router.post(
        "/",
        response={201: ReviewSchema, **WRITE_ERRORS},
        url_name="club_reviews_create",
        operation_id="club_reviews_create",
        summary="Create a review (as a draft)",
        auth=WRITE_AUTH,
    )(create_review)
    router.patch(
        "/{review_id}/",
        response={200: ReviewSchema, 409: Problem, **WRITE_ERRORS},
        url_name="club_reviews_update",
        operation_id="club_reviews_update",
        summary="Change a review (saved as a new draft revision)",
        auth=WRITE_AUTH,
    )(update_review)
    router.post(
        "/{review_id}/submit/",
        response={200: ReviewSchema, 409: Problem, **WRITE_ERRORS},
        url_name="club_reviews_submit",
        operation_id="club_reviews_submit",
        summary="Submit a review to the moderation workflow",
        auth=WRITE_AUTH,
    )(submit_review)
    router.post(
        "/{review_id}/withdraw/",
        response={200: ReviewSchema, 409: Problem, **WRITE_ERRORS},
        url_name="club_reviews_withdraw",
        operation_id="club_reviews_withdraw",
        summary="Withdraw a review from moderation, to change it",
        auth=WRITE_AUTH,
    )(withdraw_review)
