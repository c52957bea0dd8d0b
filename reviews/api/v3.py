"""The club's additions to Wagtail 8's API v3 (django-ninja).

:func:`register` must run before ``api.urls`` is first read; the project's
``urls.py`` calls it right before mounting the API. The club's routers sit
beside Wagtail's own ``pages``, ``sites``, ``images``, ``documents`` and
``schema`` routers in the same OpenAPI document; Wagtail's own reads and
writes follow the club's rules (:mod:`reviews.api.wagtail_reads`,
:mod:`reviews.api.wagtail_writes`).

This is the one place the API is put together: importing a router module
adds nothing to any other router.
"""

from __future__ import annotations

from ninja import NinjaAPI

from .auth import readers_follow_authentication
from .errors import install_v3_handlers
from .openapi import ClubSwagger, serve_documents_read_only, serve_valid_document
from .routers.books import router as books_router
from .routers.comments import router as comments_router
from .routers.discussions import router as discussions_router
from .routers.exports import router as exports_router
from .routers.preview import router as preview_router
from .routers.progress import router as progress_router
from .routers.review_writes import add_review_writes
from .routers.reviews import router as reviews_router
from .routers.rounds import router as rounds_router
from .routers.rsvps import router as rsvps_router
from .routers.series import router as series_router
from .wagtail_reads import (
    apply_media_rule,
    linked_pages_readable_only,
    no_content_queries_in_page_listing,
    page_listing_names_reachable_pages_only,
    redirects_to_visible_pages_only,
    site_checked_before_find,
    tokens_read_public_pages,
)
from .wagtail_writes import (
    club_checks_before_page_writes,
    page_writes_hide_like_missing,
    snippet_ids_checked_first,
)

_registered: set[int] = set()


def register(api: NinjaAPI) -> NinjaAPI:
    """Add the club's routers and error handlers to ``api`` (once)."""
    if id(api) in _registered:
        return api
    _registered.add(id(api))

    serve_valid_document(api)
    serve_documents_read_only(api)
    api.docs = ClubSwagger()
    readers_follow_authentication(api)
    apply_media_rule()
    no_content_queries_in_page_listing()
    site_checked_before_find()
    page_listing_names_reachable_pages_only()
    redirects_to_visible_pages_only()
    tokens_read_public_pages()
    linked_pages_readable_only()
    club_checks_before_page_writes()
    page_writes_hide_like_missing()
    snippet_ids_checked_first()
    install_v3_handlers(api)
    add_review_writes(reviews_router)
    api.add_router("/books/", books_router)
    api.add_router("/reviews/", reviews_router)
    api.add_router("/series/", series_router)
    api.add_router("/discussions/", discussions_router)
    api.add_router("/progress/", progress_router)
    api.add_router("/preview/", preview_router)
    api.add_router("/", comments_router)
    api.add_router("/", rounds_router)
    api.add_router("/", rsvps_router)
    api.add_router("/", exports_router)
    return api
