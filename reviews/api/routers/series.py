"""``/api/v3/series/``: series with their books in reading order."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from wagtail.api.rich_text import RichTextOutputFormat

from ...visibility import outside_unpublished_branches
from .. import representations
from ..auth import READ_AUTH
from ..params import (
    IdPath,
    PaginationParams,
    ReaderParams,
    paginate,
    reject_unknown_params,
)
from ..querysets import public_series
from ..schemas import SeriesListSchema, SeriesSchema
from . import READ_ERRORS

router = Router(tags=["series"], auth=READ_AUTH)


class RichTextParams(Schema):
    rich_text_format: RichTextOutputFormat | None = Field(
        None, description="How rich text fields are written (default: db_html)."
    )


class SeriesFilters(Schema):
    author: str | None = Field(None, min_length=1, max_length=255)


@router.get(
    "/",
    response={200: SeriesListSchema, **READ_ERRORS},
    url_name="club_series_list",
    operation_id="club_series_list",
    summary="List series",
)
def list_series(
    request: HttpRequest,
    reader: Query[ReaderParams],
    filters: Query[SeriesFilters],
    rich_text: Query[RichTextParams],
    pagination: Query[PaginationParams],
):
    reject_unknown_params(request, SeriesFilters, RichTextParams, PaginationParams)
    queryset = outside_unpublished_branches(public_series())
    if filters.author:
        queryset = queryset.filter(author__icontains=filters.author)
    page = paginate(queryset.order_by("title", "pk"), pagination, public=True)
    page["items"] = [representations.series_item(request, p) for p in page["items"]]
    return page


@router.get(
    "/{series_id}/",
    response={200: SeriesSchema, **READ_ERRORS},
    url_name="club_series_detail",
    operation_id="club_series_detail",
    summary="Series detail",
)
def get_series(
    request: HttpRequest,
    series_id: IdPath,
    rich_text: Query[RichTextParams],
    reader: Query[ReaderParams],
):
    reject_unknown_params(request, RichTextParams)
    page = get_object_or_404(public_series(), pk=series_id)
    return representations.series_item(request, page)
