"""API v3: a token member downloads their own reading history.

The same data as the "My reading" page's downloads: a Goodreads library export
(CSV, spoilers written back as ``<spoiler>`` tags) and JSON. Only the member
the token belongs to is exported; without a token the answer is 401.
"""

from __future__ import annotations

from typing import IO, Any, cast

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from ...goodreads.export import CSV_FILENAME, export_csv, export_json
from ..auth import WRITE_AUTH

router = Router(tags=["reading"], auth=WRITE_AUTH)


class ExportSeriesSchema(Schema):
    id: int
    title: str
    position: int | float


class ExportBookSchema(Schema):
    id: int
    title: str
    author: str
    isbn13: str | None
    published_year: int | None
    series: ExportSeriesSchema | None


class ExportProgressSchema(Schema):
    chapter: int | None
    finished: bool
    started_at: str | None
    finished_at: str | None


class ExportReviewSchema(Schema):
    id: int
    key: str = Field(
        description="The review's lasting identity; an import of this file "
        "finds the review by it."
    )
    revision: int | None = Field(description="The revision exported.")
    title: str
    summary: str
    rating: float | None
    published: bool = Field(description="False for a draft.")
    saved_at: str | None = Field(description="When its latest revision was saved.")
    goodreads_html: str = Field(
        description="The body as Goodreads review HTML; spoiler blocks are "
        "written as `<spoiler>…</spoiler>`, with their label, book and chapter "
        "as attributes."
    )
    body: list[dict[str, Any]] = Field(
        description="The body's StreamField data, spoiler blocks included."
    )


class ExportEntrySchema(Schema):
    book: ExportBookSchema
    goodreads_id: int | None
    shelf: str = Field(
        description="read, currently-reading, to-read, or a Goodreads shelf."
    )
    rating: float | None
    date_added: str | None
    date_read: str | None
    read_count: int
    progress: ExportProgressSchema | None
    reviews: list[ExportReviewSchema]


class ReadingExportSchema(Schema):
    format: str
    version: int
    member: dict[str, str]
    exported_at: str
    books: list[ExportEntrySchema]


@router.get(
    "/reading/export.json",
    response=ReadingExportSchema,
    url_name="reading_export_json",
    operation_id="reading_export_json",
    summary="Your reading history as JSON",
)
def reading_export_json(request: HttpRequest):
    """Books, shelves, ratings, progress and reviews (drafts too) of the token's
    member."""
    return export_json(request.user)


@router.get(
    "/reading/export.csv",
    url_name="reading_export_csv",
    operation_id="reading_export_csv",
    summary="Your reading history as a Goodreads library export",
    openapi_extra={
        "responses": {
            200: {
                "description": "A Goodreads library export (CSV).",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def reading_export_csv(request: HttpRequest) -> HttpResponse:
    """The token's member's library in the Goodreads export format, which
    Goodreads and this club's importer read back."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    # An HttpResponse is a writable text file object (it encodes what it is given).
    export_csv(request.user, cast(IO[str], response))
    response["Content-Disposition"] = f'attachment; filename="{CSV_FILENAME}"'
    response["Cache-Control"] = "private, no-store"
    return response
