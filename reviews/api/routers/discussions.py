"""``/api/v3/discussions/``: club meetings, upcoming and past (read-only).

Comments have their own router; this module only lists and shows meetings.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from ...models import Book
from ...visibility import outside_unpublished_branches
from .. import representations
from ..auth import READ_AUTH
from ..params import (
    MAX_ID,
    IdPath,
    PaginationParams,
    ReaderParams,
    get_or_invalid,
    paginate,
    reject_unknown_params,
)
from ..querysets import prepare_streams, public_discussions
from ..schemas import DiscussionListSchema, DiscussionSchema
from . import READ_ERRORS
from .series import RichTextParams

router = Router(tags=["discussions"], auth=READ_AUTH)


class DiscussionFilters(Schema):
    when: Literal["upcoming", "past", "all"] = Field(
        "all",
        description="upcoming: soonest first; past: latest first; all: by date.",
    )
    book: int | None = Field(
        None, ge=1, le=MAX_ID, description="Meetings about this book."
    )


@router.get(
    "/",
    response={200: DiscussionListSchema, **READ_ERRORS},
    url_name="club_discussions_list",
    operation_id="club_discussions_list",
    summary="List discussions",
)
def list_discussions(
    request: HttpRequest,
    reader: Query[ReaderParams],
    filters: Query[DiscussionFilters],
    rich_text: Query[RichTextParams],
    pagination: Query[PaginationParams],
):
    reject_unknown_params(request, DiscussionFilters, RichTextParams, PaginationParams)
    queryset = outside_unpublished_branches(public_discussions())
    if filters.book is not None:
        queryset = queryset.filter(
            book=get_or_invalid(Book.objects.all(), filters.book, "book")
        )
    now = timezone.now()
    if filters.when == "upcoming":
        queryset = queryset.filter(starts_at__gte=now).order_by("starts_at", "pk")
    elif filters.when == "past":
        queryset = queryset.filter(starts_at__lt=now).order_by("-starts_at", "-pk")
    else:
        queryset = queryset.order_by("-starts_at", "-pk")
    page = paginate(queryset, pagination)
    prepare_streams(page["items"], "questions")
    page["items"] = [representations.discussion_item(request, p) for p in page["items"]]
    return page


@router.get(
    "/{discussion_id}/",
    response={200: DiscussionSchema, **READ_ERRORS},
    url_name="club_discussions_detail",
    operation_id="club_discussions_detail",
    summary="Discussion detail",
)
def get_discussion(
    request: HttpRequest,
    discussion_id: IdPath,
    rich_text: Query[RichTextParams],
    reader: Query[ReaderParams],
):
    reject_unknown_params(request, RichTextParams)
    page = get_object_or_404(public_discussions(), pk=discussion_id)
    prepare_streams([page], "questions")
    return representations.discussion_item(request, page)
