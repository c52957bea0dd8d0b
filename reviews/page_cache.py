"""A shared cache of the club's HTML pages for anonymous, spoiler-free readers.

The home page, index pages, reviews, series, discussions, the search page
and the RSS feed read the same for every visitor who is not logged in and
asked to see nothing (no ``read=``, no ``spoilers=show``). Such responses
are kept in the server's cache for at most :func:`server_timeout` seconds
under their full URL, with the cache tags they depend on
(reviews/response_cache.py: a change retires exactly the pages its tags
name, in every process at once), and served with a strong ``ETag``, their
tags in ``Surrogate-Key``, ``Cache-Control: public, max-age`` and 304s.

Never cached, never served from the cache: a request with a session or a
pending message (a member, or someone just logged out), a bearer token, a
reader who reveals anything (:attr:`reviews.spoilers.Reader.personal`), the
admin, previews, the API (reviews/caching.py caches it), and any response
that is not a plain 200, sets a cookie, carries a CSRF token or a message,
or is marked private. A member's copy of a page is marked ``private``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import Resolver404, get_resolver
from django.urls.resolvers import URLResolver
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.functional import SimpleLazyObject, empty

from . import response_cache
from .api.middleware import api_prefix
from .content_version import strong_etag
from .popularity import record_view
from .spoilers import InvalidReaderParams, reader_for_request, reader_used

DEFAULT_MAX_AGE = 60
DEFAULT_SERVER_TIMEOUT = 300
KEY_PREFIX = "reviews:page:"
#: URL names of the views whose pages may be shared (Wagtail's page serving
#: included); any other view — login, forms, the members' pages — never is.
SHAREABLE_VIEWS = frozenset(
    {
        "wagtail_serve",
        "reviews:search",
        "reviews:review_feed",
        "reviews:reveal_block",
        "reviews:reveal_comments",
    }
)
SHAREABLE_TYPES = ("text/html", "application/rss+xml", "application/atom+xml")
#: Set on a response by a view that counts a review view (see popularity.py),
#: so that the view still counts when the page comes from the cache.
COUNTED_VIEW_ATTR = "counted_review_view"


def max_age() -> int:
    """Seconds browsers and shared caches (a CDN) may keep a page."""
    return int(getattr(settings, "BOOKCLUB_PAGE_MAX_AGE", DEFAULT_MAX_AGE))


def server_timeout() -> int:
    """Seconds the server keeps a page. As for the API
    (:func:`reviews.caching.server_timeout`), a content change retires it at
    once; the timeout bounds what changes with the clock alone (upcoming
    meetings, the home page's popular reviews)."""
    return int(getattr(settings, "BOOKCLUB_PAGE_CACHE_TIMEOUT", DEFAULT_SERVER_TIMEOUT))


def enabled() -> bool:
    return (
        bool(getattr(settings, "BOOKCLUB_PAGE_CACHE", True))
        and max_age() > 0
        and server_timeout() > 0
    )


def page_cache_key(request: HttpRequest) -> str | None:
    """Where the shared copy of this request's page lives, or None when the
    request may see something reader-specific and must be rendered."""
    if (
        request.method not in ("GET", "HEAD")
        # The API has its own cache (reviews/caching.py); asked first, as
        # this middleware now sees every API request before anything else.
        or request.path.startswith(api_prefix())
        or not enabled()
        or _has_reader_state(request)
        or not _is_shareable_route(request)
    ):
        return None
    try:
        if reader_for_request(request).personal:
            return None
    except InvalidReaderParams:  # answered with a 400 further in
        return None
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(url.encode()).hexdigest()[:40]
    return f"{KEY_PREFIX}{digest}"


def _has_reader_state(request: HttpRequest) -> bool:
    """A session (a member, or a visitor who unlocked a page), a message
    waiting to be shown, a token, or spoiler parameters."""
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME in cookies
        or getattr(settings, "MESSAGE_COOKIE_NAME", "messages") in cookies
        or "HTTP_AUTHORIZATION" in request.META
        or bool(request.GET.get("read"))
        or request.GET.get("spoilers", "hide") != "hide"
    )


def _is_shareable_route(request: HttpRequest) -> bool:
    """Does the URL lead to a view whose pages may be shared? Asked before
    any cache round trip, so that a route that never is (the admin, the
    API, a form, a members' page) costs no cache read and no version query.
    Django resolves the URL only after the middleware has run, so the
    answer is looked up here, remembered per path."""
    resolver = get_resolver(getattr(request, "urlconf", None))
    return _view_name(resolver, request.path_info) in SHAREABLE_VIEWS


@lru_cache(maxsize=4096)
def _view_name(resolver: URLResolver, path: str) -> str | None:
    # Keyed on the resolver too: a changed URLconf builds a new one.
    try:
        return resolver.resolve(path).view_name
    except Resolver404:
        return None


def is_shareable(request: HttpRequest, response: HttpResponse) -> bool:
    """May this response be stored and served to every anonymous reader?"""
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name not in SHAREABLE_VIEWS:
        return False
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or not response.get("Content-Type", "").startswith(SHAREABLE_TYPES)
    ):
        return False
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    reader = reader_used(request)
    if reader is not None and reader.personal:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or b"csrfmiddlewaretoken" in (
        response.content
    ):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    return not getattr(getattr(request, "_messages", None), "_queued_messages", None)


class PageCacheMiddleware:
    """Serves and stores the shared copies of anonymous readers' pages.

    Sits before the session, CSRF, authentication, messages and
    clickjacking middleware, right after Django's ``SecurityMiddleware``
    (and WhiteNoise): a request that may share a page has no session, no
    message and no token (:func:`page_cache_key`), so a hit needs none of
    them and skips their cost. A copy is stored as it leaves them all, so a
    hit carries exactly the headers the full stack gave (``Vary``,
    ``X-Frame-Options``, ``Content-Length``), and whatever they added that
    makes a response personal (a CSRF or session cookie, a queued message)
    keeps it from being stored; ``SecurityMiddleware`` adds its own headers
    to both alike. On the way out it still sees the response after
    :class:`reviews.middleware.ReaderMiddleware` marked it private because
    it depended on the reader.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        key = page_cache_key(request)
        if key is None:
            return self._members_copy(request, self.get_response(request))
        entry, late = response_cache.find(key)
        if entry is None:
            built = response_cache.build_once(
                key, self._build(request), server_timeout(), late
            )
            # A streamed file (FileResponse) is no HttpResponse: test for the entry.
            if not isinstance(built, response_cache.Entry):
                return built
            entry = built
        if entry.counted_view is not None:
            record_view(entry.counted_view)
        return _conditional(request, entry.response())

    def _build(self, request: HttpRequest) -> response_cache.Build:
        def build(since: response_cache.Since) -> response_cache.Built:
            response = self.get_response(request)
            if not is_shareable(request, response):
                return self._members_copy(request, response), None
            tags = response_cache.tags_of(request)
            _make_public(response, tags)
            entry = response_cache.freeze(
                response, tags, since, getattr(response, COUNTED_VIEW_ATTR, None)
            )
            return _conditional(request, response), entry

        return build

    def _members_copy(
        self, request: HttpRequest, response: HttpResponse
    ) -> HttpResponse:
        if _is_for_a_member(request, response):
            patch_cache_control(response, private=True)
        return response


def _make_public(response: HttpResponse, tags: frozenset[str]) -> None:
    response["ETag"] = strong_etag(response.content)
    response_cache.label(response, tags)
    patch_cache_control(response, public=True, max_age=max_age())
    # A member's copy of the same URL differs (their name, their progress).
    patch_vary_headers(response, ["Cookie"])


def _conditional(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    conditional = get_conditional_response(
        request, etag=response["ETag"], response=response
    )
    return conditional or response


def _is_for_a_member(request: HttpRequest, response: HttpResponseBase) -> bool:
    """A response built for a signed-in user that says nothing stricter:
    it is theirs, so no shared cache may keep it (``Vary: Cookie`` alone
    leaves it to caches that honour Vary)."""
    user = getattr(request, "user", None)
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        # Never read while the response was built (an API hit, a static
        # file): it cannot depend on who asked, and reading it now would
        # load the session for nothing.
        return False
    cache_control = response.get("Cache-Control", "")
    return bool(
        user is not None
        and user.is_authenticated
        and "private" not in cache_control
        and "no-store" not in cache_control
    )
