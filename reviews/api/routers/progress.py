"""``/api/v3/progress/``: the token member's own reading progress.

Progress is private: only the member it belongs to reads or writes it, and
only with a bearer token. It is what reveals spoilers to that member.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from ...members import MemberRequest
from ...models import Book, ReadingProgress
from ...spoilers import refresh_reader
from .. import representations
from ..auth import WRITE_AUTH
from ..params import IdPath, PaginationParams, paginate, reject_unknown_params
from ..problems import Problem
from ..schemas import (
    ProgressInSchema,
    ProgressListSchema,
    ProgressPatchSchema,
    ProgressSchema,
)
from . import WRITE_ERRORS

router = Router(tags=["progress"], auth=WRITE_AUTH)


@router.get(
    "/",
    response={200: ProgressListSchema, 400: Problem, 401: Problem},
    url_name="club_progress_list",
    operation_id="club_progress_list",
    summary="My reading progress",
)
def list_progress(request: MemberRequest, pagination: Query[PaginationParams]):
    reject_unknown_params(request, PaginationParams)
    queryset = (
        ReadingProgress.objects.filter(member=request.user)
        .select_related("book")
        .order_by("-updated_at", "pk")
    )
    page = paginate(queryset, pagination)
    page["items"] = [representations.progress_item(p) for p in page["items"]]
    return page


@router.get(
    "/{book_id}/",
    response={200: ProgressSchema, **WRITE_ERRORS},
    url_name="club_progress_detail",
    operation_id="club_progress_detail",
    summary="My progress in one book",
)
def get_progress(request: MemberRequest, book_id: IdPath):
    reject_unknown_params(request)
    progress = get_object_or_404(
        ReadingProgress.objects.select_related("book"),
        member=request.user,
        book_id=book_id,
    )
    return representations.progress_item(progress)


def _save(
    request: MemberRequest, book_id: int, changes: dict[str, Any], *, retry: bool = True
):
    """Apply ``changes`` to the member's progress in the book (a new record
    if there is none), validate it as a whole, and save it."""
    book = get_object_or_404(Book, pk=book_id)
    progress = ReadingProgress.objects.filter(member=request.user, book=book).first()
    if progress is None:
        progress = ReadingProgress(member=request.user, book=book)
    for field, value in changes.items():
        if field == "chapter":
            # As the form does: a chapter past the end is refused, and the
            # chapter shown for one stored past a since-lowered count, sent
            # back, leaves the stored one as it is.
            try:
                book.check_chapter(value)
            except ValidationError as error:
                raise ValidationError({"chapter": error.messages}) from error
            value = progress.kept_chapter(value)
        setattr(progress, field, value)
    progress.full_clean(exclude=["member", "book"], validate_unique=False)
    if (
        progress.started_at
        and progress.finished_at
        and progress.finished_at < progress.started_at
    ):
        raise ValidationError("finished_at cannot be before started_at.")
    try:
        with transaction.atomic():
            progress.save()
    except IntegrityError:
        # Only a new record can break the one-per-member-and-book constraint:
        # another request (a second tab) made it after the lookup above.
        # Apply the same changes to that record.
        if progress.pk is not None or not retry:
            raise
        return _save(request, book_id, changes, retry=False)
    # What the member has read changed: anything built after this in the
    # same request is built for their new progress.
    refresh_reader(request)
    return representations.progress_item(progress)


@router.put(
    "/{book_id}/",
    response={200: ProgressSchema, **WRITE_ERRORS},
    url_name="club_progress_update",
    operation_id="club_progress_update",
    summary="Replace my progress in one book",
    description="Replaces the whole record: a field left out is reset "
    "(chapter, started_at and finished_at to null, finished to false). "
    "Use PATCH to change some fields only.",
)
def put_progress(request: MemberRequest, book_id: IdPath, data: ProgressInSchema):
    reject_unknown_params(request)
    return _save(request, book_id, data.dict())


@router.patch(
    "/{book_id}/",
    response={200: ProgressSchema, **WRITE_ERRORS},
    url_name="club_progress_patch",
    operation_id="club_progress_patch",
    summary="Change my progress in one book",
    description="Changes only the fields sent; the others keep their values. "
    "Records new progress if there was none.",
)
def patch_progress(request: MemberRequest, book_id: IdPath, data: ProgressPatchSchema):
    reject_unknown_params(request)
    changes = data.dict(exclude_unset=True)
    if changes.get("finished", False) is None:
        changes["finished"] = False
    return _save(request, book_id, changes)
