"""``/api/v3/books/``: the catalogue with ratings from published reviews."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from ...models import SeriesPage
from ...visibility import reachable_pages
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
from ..querysets import books_with_stats
from ..schemas import ClubBookListSchema, ClubBookSchema
from . import READ_ERRORS

router = Router(tags=["books"], auth=READ_AUTH)


class BookFilters(Schema):
    series: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="Only books in this series (a series page id).",
    )
    author: str | None = Field(
        None, min_length=1, max_length=255, description="Author contains this text."
    )
    search: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="Title or author contains this text.",
    )


@router.get(
    "/",
    response={200: ClubBookListSchema, **READ_ERRORS},
    url_name="club_books_list",
    operation_id="club_books_list",
    summary="List books",
)
def list_books(
    request: HttpRequest,
    reader: Query[ReaderParams],
    filters: Query[BookFilters],
    pagination: Query[PaginationParams],
):
    reject_unknown_params(request, BookFilters, PaginationParams)
    queryset = books_with_stats()
    if filters.series is not None:
        series = get_or_invalid(
            reachable_pages(SeriesPage.objects.live()), filters.series, "series"
        )
        queryset = queryset.filter(series_entries__series=series)
    if filters.author:
        queryset = queryset.filter(author__icontains=filters.author)
    if filters.search:
        queryset = queryset.filter(
            Q(title__icontains=filters.search) | Q(author__icontains=filters.search)
        )
    page = paginate(queryset.order_by("title", "pk"), pagination, public=True)
    page["items"] = [representations.book_item(book) for book in page["items"]]
    return page


@router.get(
    "/{book_id}/",
    response={200: ClubBookSchema, **READ_ERRORS},
    url_name="club_books_detail",
    operation_id="club_books_detail",
    summary="Book detail",
)
def get_book(request: HttpRequest, book_id: IdPath, reader: Query[ReaderParams]):
    reject_unknown_params(request)
    book = get_object_or_404(books_with_stats(), pk=book_id)
    return representations.book_item(book)
