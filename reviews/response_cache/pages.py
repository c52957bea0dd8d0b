"""The shared copies of the club's HTML pages for anonymous, spoiler-free readers.

The home page, index pages, reviews, series, discussions, the search page
and the RSS feed read the same for every visitor who is not logged in and
asked to see nothing (no ``read=``, no ``spoilers=show``). Such responses
are kept for at most :func:`server_timeout` seconds under their full URL,
with the cache tags they depend on (a change retires exactly the pages its
tags name, in every process at once), and served with a strong ``ETag``,
their tags in ``Surrogate-Key``, ``Cache-Control: public, max-age`` and 304s.

Never cached, never served from the cache: a request with a session or a
pending message (a member, or someone just logged out), a bearer token, a
reader who reveals anything (:attr:`reviews.spoilers.Reader.personal`), the
admin, previews, the API (reviews/response_cache/api.py), and any response
that is not a plain 200, sets a cookie, carries a CSRF token or a message,
or is marked private. A member's copy of a page is marked ``private``.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)

from ..api.middleware import api_prefix
from ..conf import from_settings
from ..content_version import strong_etag
from ..popularity import record_view
from ..site_root import answered_as
from ..spoilers import (
    params_ask_for_more,
    query_may_name,
    query_read_otherwise,
    reader_used,
)
from . import store
from .policy import Policy, is_conditional, view_name

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
    """Seconds the server keeps a page. As for the API, a content change
    retires it at once; the timeout bounds what changes with the clock alone
    (upcoming meetings, the home page's popular reviews)."""
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
        or request.path.startswith(api_prefix())
        or not enabled()
        # Remembered per path: the cheapest answer for the requests of a view
        # that is never shared, which then parse no cookie and no query.
        or not _is_shareable_route(request)
        or _has_reader_state(request)
        # Asked before authentication, so of the parameters alone; a
        # malformed one is answered with a 400 further in.
        or params_ask_for_more(request)
    ):
        return None
    url = f"{answered_as(request)} {request.get_full_path()}"
    digest = hashlib.sha256(url.encode()).hexdigest()[:40]
    return f"{KEY_PREFIX}{digest}"


def _has_reader_state(request: HttpRequest) -> bool:
    """A session (a member, or a visitor who unlocked a page), a message
    waiting to be shown, a token, spoiler parameters, or a query read with a
    charset of the request's own."""
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME in cookies
        or _message_cookie_name() in cookies
        or "HTTP_AUTHORIZATION" in request.META
        or query_read_otherwise(request)
        or (
            query_may_name(request, "read", "spoilers")
            and (
                bool(request.GET.get("read"))
                or request.GET.get("spoilers", "hide") != "hide"
            )
        )
    )


@from_settings
def _message_cookie_name() -> str:
    return getattr(settings, "MESSAGE_COOKIE_NAME", "messages")


def _is_shareable_route(request: HttpRequest) -> bool:
    """Does the URL lead to a view whose pages may be shared? Asked before
    any cache round trip, so that a route that never is (the admin, the
    API, a form, a members' page) costs no cache read and no version query.
    Django resolves the URL only after the middleware has run, so the
    answer is looked up here, remembered per path."""
    return view_name(request) in SHAREABLE_VIEWS


def is_shareable(request: HttpRequest, response: HttpResponseBase) -> bool:
    """May this response be stored and served to every anonymous reader?"""
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name not in SHAREABLE_VIEWS:
        return False
    if (
        not isinstance(response, HttpResponse)
        or response.status_code != 200
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


class PagePolicy(Policy):
    """Pages: everything outside the API."""

    def applies(self, request: HttpRequest) -> bool:
        return not request.path.startswith(api_prefix())

    def key(self, request: HttpRequest) -> str | None:
        return page_cache_key(request)

    def timeout(self) -> int:
        return server_timeout()

    def shareable(self, request: HttpRequest, response: HttpResponseBase) -> bool:
        return is_shareable(request, response)

    def publish(self, response: HttpResponse, tags: frozenset[str]) -> None:
        response["ETag"] = strong_etag(response.content)
        store.label(response, tags)
        patch_cache_control(response, public=True, max_age=max_age())
        # A member's copy of the same URL differs (their name, their progress).
        patch_vary_headers(response, ["Cookie"])

    def counted_view(self, response: HttpResponse) -> int | None:
        return getattr(response, COUNTED_VIEW_ATTR, None)

    def served(self, entry: store.Entry) -> None:
        if entry.counted_view is not None:
            record_view(entry.counted_view)

    def conditional(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not isinstance(response, HttpResponse) or not is_conditional(request):
            return response
        conditional = get_conditional_response(
            request, etag=response["ETag"], response=response
        )
        return conditional or response


PAGES = PagePolicy()
