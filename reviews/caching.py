"""HTTP caching for the club's APIs: validators, freshness, the server's copy.

Every successful ``GET``/``HEAD`` under ``/api/`` gets a strong ``ETag`` (a
hash of the body, so it changes whenever anything shown changes) and, unless
the response depends on who reads it, a ``Last-Modified`` (when one of its
cache tags was last retired), its tags in ``Surrogate-Key`` for an edge
cache, and a public ``Cache-Control: max-age``. ``If-None-Match`` and
``If-Modified-Since`` are answered with ``304``.

Anonymous, spoiler-free responses are kept in the server's cache
(reviews/response_cache.py) and served while none of their tags has been
retired. Reader-dependent responses (a member's progress, ``read=``,
``spoilers=show``, a token; see reviews.spoilers.Reader.personal) stay
``private``, carry only the ETag, and cost no cache round trip at all.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import NoReverseMatch, reverse
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import parse_http_date_safe

from . import response_cache
from .content_version import strong_etag
from .spoilers import InvalidReaderParams, reader_for_request

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
DEFAULT_MAX_AGE = 60
DEFAULT_SERVER_TIMEOUT = 300


def max_age() -> int:
    """Seconds a shared cache may keep an anonymous API response."""
    return int(getattr(settings, "BOOKCLUB_API_MAX_AGE", DEFAULT_MAX_AGE))


def server_timeout() -> int:
    """Seconds the server keeps an anonymous API response in its own cache.

    Longer than :func:`max_age` by default. A change retires a response at
    once through its tags, whatever the timeout; what the timeout bounds is
    an answer that moves with the clock alone (which meetings are upcoming,
    the popularity order, which nomination rounds are open).
    """
    return int(getattr(settings, "BOOKCLUB_API_CACHE_TIMEOUT", DEFAULT_SERVER_TIMEOUT))


def _is_cacheable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and request.path.startswith(API_PREFIX)
        and response.status_code == 200
        and not response.streaming
        and "json" in response.get("Content-Type", "")
    )


def _is_personal(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether the response may differ by reader, even if this one did not
    (a review without spoilers reads the same for everyone, but a member's
    draft at the same URL must never reach a shared cache)."""
    if "HTTP_AUTHORIZATION" in request.META:
        return True
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control:
        return True
    try:
        return reader_for_request(request).personal
    except InvalidReaderParams:
        return True


class APICacheHeadersMiddleware:
    """Adds validators and freshness to API responses, answers 304s, and
    serves anonymous ones from the server's cache.

    Sits before :class:`reviews.middleware.ReaderMiddleware` in ``MIDDLEWARE``
    so it sees the response after that one marked personal responses private.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        key = response_cache_key(request)
        if key is None:
            response = self.get_response(request)
            if not _is_cacheable(request, response):
                return response
            return self._answer(request, response)
        entry, late = response_cache.find(key)
        if entry is None:
            built = response_cache.build_once(
                key, self._build(request), server_timeout(), late
            )
            # A streamed file (FileResponse) is no HttpResponse: test for the entry.
            if not isinstance(built, response_cache.Entry):
                if not isinstance(built, HttpResponse):
                    return built  # streamed: sent as it is
                return _conditional(request, built)
            entry = built
        return _conditional(request, entry.response())

    def _build(self, request: HttpRequest) -> response_cache.Build:
        def build(since: response_cache.Since) -> response_cache.Built:
            response = self.get_response(request)
            if not _is_cacheable(request, response):
                return response, None
            self._label(request, response)
            if response.status_code != 200 or "public" not in response.get(
                "Cache-Control", ""
            ):
                return response, None
            tags = response_cache.tags_of(request)
            return response, response_cache.freeze(response, tags, since)

        return build

    def _answer(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        self._label(request, response)
        return _conditional(request, response)

    def _label(self, request: HttpRequest, response: HttpResponse) -> None:
        response["ETag"] = strong_etag(response.content)
        patch_vary_headers(response, ["Authorization", "Cookie"])
        if _is_personal(request, response):
            patch_cache_control(response, private=True)
        else:
            response_cache.label(response, response_cache.tags_of(request))
            patch_cache_control(response, public=True, max_age=max_age())


def _conditional(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    last_modified = response.get("Last-Modified")
    conditional = get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(last_modified) if last_modified else None,
        response=response,
    )
    return conditional or response


def response_cache_key(request: HttpRequest) -> str | None:
    """Where an anonymous, spoiler-free API response is kept on the server.

    Only requests that cannot depend on the reader qualify: no token, no
    session, no ``read=``/``spoilers=``. Any other request costs no cache
    round trip at all.
    """
    if (
        request.method != "GET"
        or not request.path.startswith(API_PREFIX)
        or "HTTP_AUTHORIZATION" in request.META
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or "read" in request.GET
        or "spoilers" in request.GET
        or max_age() <= 0
        or server_timeout() <= 0
        or not getattr(settings, "BOOKCLUB_API_RESPONSE_CACHE", True)
    ):
        return None
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:40]
    host = request.get_host()
    return f"reviews:api:response:{host}:{digest}"


def api_urls_for_page(page) -> list[str]:
    """API URLs that show ``page`` (for purging a front-end cache)."""
    from .models import DiscussionPage, ReviewPage, SeriesPage

    specific = page.specific_deferred
    routes: list[tuple[str, list]] = [
        ("wagtailapi:pages:listing", []),
        ("wagtailapi:pages:detail", [page.pk]),
        ("wagtailapi_v3:list_pages", []),
        ("wagtailapi_v3:detail_page", [page.pk]),
    ]
    names = {
        ReviewPage: "club_reviews",
        SeriesPage: "club_series",
        DiscussionPage: "club_discussions",
    }
    for model, name in names.items():
        if isinstance(specific, model):
            routes += [
                (f"wagtailapi_v3:{name}_list", []),
                (f"wagtailapi_v3:{name}_detail", [page.pk]),
            ]
    book_id = getattr(specific, "book_id", None)
    if book_id:
        routes += [
            ("wagtailapi_v3:club_books_list", []),
            ("wagtailapi_v3:club_books_detail", [book_id]),
        ]
    paths = []
    for name, args in routes:
        try:
            paths.append(reverse(name, args=args))
        except NoReverseMatch:  # a site that mounts only some of the APIs
            continue
    base = getattr(settings, "WAGTAILAPI_BASE_URL", "") or getattr(
        settings, "WAGTAILADMIN_BASE_URL", ""
    )
    return [base.rstrip("/") + path for path in dict.fromkeys(paths)]


def purge_api_urls(page) -> None:
    """Purge the API URLs of ``page`` from the front-end cache, if configured."""
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

    try:
        purge_urls_from_cache(api_urls_for_page(page))
    except Exception:  # a CDN outage must not stop a publish
        logger.exception("Could not purge the API URLs of page %s", page.pk)


def page_changed(sender=None, instance=None, **kwargs) -> None:
    if instance is not None:
        purge_api_urls(instance)
