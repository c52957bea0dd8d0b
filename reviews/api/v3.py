"""The club's additions to Wagtail 8's API v3 (django-ninja).

:func:`register` must run before ``api.urls`` is first read; the project's
``urls.py`` calls it right before mounting the API. The club's routers sit
beside Wagtail's own ``pages``, ``sites`` and ``schema`` routers in the same
OpenAPI document.
"""

from __future__ import annotations

from django.db import IntegrityError
from django.http import HttpRequest
from ninja import NinjaAPI
from wagtail.api.v3.errors import problem_response

from ..spoilers import InvalidReaderParams
from .comments import router as comments_router
from .exports import router as exports_router

_registered: set[int] = set()


def register(api: NinjaAPI) -> NinjaAPI:
    """Add the club's routers and error handlers to ``api`` (once)."""
    from .routers.books import router as books_router
    from .routers.discussions import router as discussions_router
    from .routers.preview import router as preview_router
    from .routers.progress import router as progress_router
    from .routers.review_writes import router as reviews_router  # adds writes
    from .routers.series import router as series_router

    if id(api) in _registered:
        return api
    _registered.add(id(api))

    def invalid_reader(request: HttpRequest, exc: InvalidReaderParams):
        return api.create_response(
            request, {"message": exc.message, "param": exc.param}, status=400
        )

    def integrity_error(request: HttpRequest, exc: IntegrityError):
        # e.g. Wagtail's generic page create cannot set a review's book.
        return problem_response(
            status=422,
            detail="The data is incomplete or conflicts with existing content.",
        )

    api.add_exception_handler(InvalidReaderParams, invalid_reader)
    api.add_exception_handler(IntegrityError, integrity_error)
    api.add_router("/books/", books_router)
    api.add_router("/reviews/", reviews_router)
    api.add_router("/series/", series_router)
    api.add_router("/discussions/", discussions_router)
    api.add_router("/progress/", progress_router)
    api.add_router("/preview/", preview_router)
    api.add_router("/", comments_router)
    api.add_router("/", exports_router)
    return api
