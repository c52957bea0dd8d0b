"""Pages and books as the club's v3 endpoints show them.

Block values go through each block's ``get_api_representation`` with the
request in the context, so the spoiler rule (reviews.spoilers) applies here
exactly as in API v2 and in HTML.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from wagtail.api.rich_text import APIRichText
from wagtail.api.v2.utils import get_full_url

from ..models.api_fields import book_summary, reviewer_summary, tag_names
from ..models.series import series_books
from ..ratings import api_average


def _rich_text(request: HttpRequest, value: str, features) -> str:
    rich_text_format = APIRichText.resolve_format(request.GET.get("rich_text_format"))
    return APIRichText.serialize(
        value or "", format=rich_text_format, features=features
    )


def _stream(request: HttpRequest, value) -> list[dict[str, Any]]:
    return list(value.stream_block.get_api_representation(value, {"request": request}))


def page_status(page) -> str:
    if page.live:
        return "live"
    if page.pk and page.workflow_in_progress:
        return "in_moderation"
    return "draft"


def page_meta(request: HttpRequest, page, url_name: str | None) -> dict[str, Any]:
    """``detail_url`` is None for a page not saved yet (a preview)."""
    detail_url = None
    if url_name and page.pk:
        detail_url = get_full_url(
            request, reverse(f"wagtailapi_v3:{url_name}", args=[page.pk])
        )
    html_url = None
    if page.live and page.pk:
        html_url = page.get_full_url(request)
    return {
        "type": page._meta.label,
        "slug": page.slug,
        "html_url": html_url,
        "detail_url": detail_url,
        "status": page_status(page),
        "last_published_at": page.last_published_at,
    }


def review_item(
    request: HttpRequest, page, body: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """``body``: the body's representation when already known
    (reviews.api.item_cache); rendered here otherwise."""
    return {
        "id": page.pk,
        "title": page.title,
        "meta": page_meta(request, page, "club_reviews_detail"),
        "book": book_summary(page.book),
        "rating": page.rating,
        "summary": page.summary,
        "body": body if body is not None else _stream(request, page.body),
        "tags": tag_names(page),
        "reviewer": reviewer_summary(page.reviewer),
        "spoils": page.spoils,
        "published": page.first_published_at,
        "popularity": getattr(page, "popularity", None),
    }


def book_item(book) -> dict[str, Any]:
    return {
        **book_summary(book),
        "published_year": book.published_year,
        "chapter_count": book.chapter_count,
        "average_rating": api_average(book.average_rating),
        "review_count": book.review_count,
    }


def series_item(request: HttpRequest, page) -> dict[str, Any]:
    from ..models import SeriesPage

    features = SeriesPage._meta.get_field("description").features
    return {
        "id": page.pk,
        "title": page.title,
        "meta": page_meta(request, page, "club_series_detail"),
        "author": page.author,
        "description": _rich_text(request, page.description, features),
        "books": series_books(page.entries.all()),
    }


def discussion_item(request: HttpRequest, page) -> dict[str, Any]:
    from ..models import DiscussionPage

    features = DiscussionPage._meta.get_field("intro").features
    count = getattr(page, "live_comment_count", None)
    return {
        "id": page.pk,
        "title": page.title,
        "meta": page_meta(request, page, "club_discussions_detail"),
        "book": book_summary(page.book),
        "starts_at": page.starts_at,
        "is_upcoming": page.is_upcoming,
        "location": page.location,
        "online_url": page.online_url,
        "host": page.host,
        "intro": _rich_text(request, page.intro, features),
        "questions": _stream(request, page.questions),
        "comment_count": page.comment_count if count is None else count,
    }


def progress_item(progress) -> dict[str, Any]:
    return {
        "book": {"id": progress.book_id, "title": progress.book.title},
        "chapter": progress.chapter_shown,
        "finished": progress.finished,
        "started_at": progress.started_at,
        "finished_at": progress.finished_at,
        "updated_at": progress.updated_at,
    }
