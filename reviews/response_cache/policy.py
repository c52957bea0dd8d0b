"""What differs between the kinds of shared response (pages, the API).

The lookup, the build and the serving of a shared copy are one path
(reviews/response_cache/middleware.py); a :class:`Policy` answers the
questions on which the kinds differ: which requests may get the shared copy
and under which key, which responses may become one, which headers it
carries, and how a conditional request is answered.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import Resolver404, get_resolver
from django.urls.resolvers import URLResolver
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject, empty

from .. import frontend_cache
from . import store


class Policy:
    """One kind of shared response. The defaults share nothing."""

    def applies(self, request: HttpRequest) -> bool:
        """Is ``request`` of this kind?"""
        return True

    def key(self, request: HttpRequest) -> str | None:
        """Where the shared copy lives, or None when the request may get
        something reader-specific and must take the full stack (decided
        before any cache round trip)."""
        return None

    def timeout(self) -> int:
        """Seconds the server keeps a shared copy."""
        return 0

    def may_store(self, request: HttpRequest) -> bool:
        """May a miss of ``request`` be built into a shared copy? (A request
        may be served one it could not build, e.g. a ``HEAD``.)"""
        return True

    def shareable(self, request: HttpRequest, response: HttpResponseBase) -> bool:
        """May ``response`` be stored and served to every anonymous reader?"""
        return False

    def public_unshared(self, request: HttpRequest) -> bool:
        """May the response to ``request``, which gets no shared copy, still
        go out public to an edge (and be checked as a build is)?"""
        return False

    def publish(self, response: HttpResponse, tags: frozenset[str]) -> None:
        """Headers a shared copy carries (validators, tags, freshness)."""

    def counted_view(self, response: HttpResponse) -> int | None:
        """The review whose view a hit still counts (reviews/popularity.py)."""
        return None

    def served(self, entry: store.Entry) -> None:
        """What a hit does besides answering."""

    def copy(self, request: HttpRequest, entry: store.Entry) -> HttpResponse:
        """The response a hit sends."""
        return entry.response()

    def conditional(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        """``response``, or a 304 when the client's copy is current."""
        return response

    def unshared(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        """A response that is not (or may not be) a shared copy."""
        return members_copy(request, response)


#: The request headers that make a request conditional (RFC 9110, 13.1), as
#: Django's ``get_conditional_response`` reads them.
CONDITIONAL_HEADERS = (
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)


def is_conditional(request: HttpRequest) -> bool:
    """Does ``request`` carry a precondition? Without one a response is
    sent as it is, and its validators need not be parsed."""
    meta = request.META
    return any(name in meta for name in CONDITIONAL_HEADERS)


def members_copy(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """Mark ``response`` private if it was built for a signed-in user."""
    if is_for_a_member(request, response):
        patch_cache_control(response, private=True)
    return response


def is_for_a_member(request: HttpRequest, response: HttpResponseBase) -> bool:
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


def for_edges(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """``response`` as it leaves for the edge caches in front.

    Where an edge purged by URL only is configured (Cloudflare, a plain HTTP
    purger), an answer a shared cache may keep (public, or saying nothing:
    Varnish's default keeps that for two minutes) at an address no change
    purges goes out ``private`` instead (the reader's browser may keep it;
    no shared cache may): such an edge would keep it, a review unpublished
    or restricted since included. The server's own copy is unaffected: a
    change retires it wherever it commits. An edge purged by key (Varnish's
    xkey) reaches every address, so nothing changes without a URL-only one;
    and the common case, a response already private, costs one header
    look-up."""
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control:
        return response
    if not frontend_cache.purges_by_url_only():
        return response
    if (
        request.META.get("QUERY_STRING")
        or not frontend_cache.is_host_as_purged(_host(request))
        or not _route(request)[1]
    ):
        patch_cache_control(response, private=True)
    return response


def _host(request: HttpRequest) -> str:
    """The host ``request`` names, or "" for one Django refuses (its answer,
    a 400, is no page to share)."""
    try:
        return request.get_host()
    except DisallowedHost:
        return ""


def view_name(request: HttpRequest) -> str | None:
    """The URL name of the view ``request``'s path leads to, known before
    Django resolves it (the middleware runs first) and remembered per path."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name
    return _route(request)[0]


def _route(request: HttpRequest) -> tuple[str | None, bool]:
    """The view ``request``'s path leads to, and whether a change purges
    that path (without a query string) from an edge purged by URL
    (:func:`.frontend_cache.is_purged_by_url`)."""
    resolver = get_resolver(getattr(request, "urlconf", None))
    # As the client wrote it, where the server says (gunicorn's RAW_URI).
    raw = request.META.get("RAW_URI")
    written = urlsplit(raw).path if raw else None
    return _resolve(resolver, request.path_info, request.path, written)


@lru_cache(maxsize=4096)
def _resolve(
    resolver: URLResolver, path_info: str, path: str, written: str | None
) -> tuple[str | None, bool]:
    # Keyed on the resolver too: a changed URLconf builds a new one.
    try:
        match = resolver.resolve(path_info)
    except Resolver404:
        return None, False
    return match.view_name, frontend_cache.is_purged_by_url(path, match, written)
