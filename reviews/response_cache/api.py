"""HTTP caching for the club's APIs: validators, freshness, the shared copy.

Every successful ``GET``/``HEAD`` under the API prefix gets a strong
``ETag`` (a hash of the body, so it changes whenever anything shown changes)
and, unless the response depends on who reads it, a ``Last-Modified`` (when
one of its cache tags was last retired), its tags in ``Surrogate-Key`` for
an edge cache, and a public ``Cache-Control: max-age``. ``If-None-Match``
and ``If-Modified-Since`` are answered with ``304``.

Anonymous, spoiler-free responses are kept as shared copies and served
while none of their tags has been retired. Reader-dependent responses (a
member's progress, ``read=``, ``spoilers=show``, a token; see
reviews.spoilers.Reader.personal) stay ``private``, carry only the ETag,
and cost no cache round trip at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import parse_http_date_safe

from ..api.middleware import api_prefix
from ..content_version import strong_etag
from ..site_root import answered_as
from ..spoilers import (
    InvalidReaderParams,
    params_ask_for_more,
    query_may_name,
    query_read_otherwise,
)
from . import builds, store
from .policy import Policy, is_conditional, members_copy

DEFAULT_MAX_AGE = 60
DEFAULT_SERVER_TIMEOUT = 300
KEY_PREFIX = "reviews:api:response:"


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


def is_cacheable(request: HttpRequest, response: HttpResponseBase) -> bool:
    """A plain JSON answer to a read: it gets validators."""
    return (
        request.method in ("GET", "HEAD")
        and request.path.startswith(api_prefix())
        and isinstance(response, HttpResponse)
        and response.status_code == 200
        and "json" in response.get("Content-Type", "")
    )


def _is_personal(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether the response may differ by reader, even if this one did not
    (a review without spoilers reads the same for everyone, but a member's
    draft at the same URL must never reach a shared cache)."""
    if (
        "HTTP_AUTHORIZATION" in request.META
        # A session may hold page passwords a visitor typed (Wagtail's view
        # restrictions), which let her read what others may not: such an
        # answer is hers, like a member's.
        or settings.SESSION_COOKIE_NAME in request.COOKIES
    ):
        return True
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control:
        return True
    # Set by ReaderMiddleware, further in; a response that never got that far
    # is kept private rather than guessed about.
    reader = getattr(request, "reader", None)
    if reader is None:
        return True
    try:
        return reader.personal
    except InvalidReaderParams:
        return True


def label(request: HttpRequest, response: HttpResponse) -> None:
    """The validators and freshness of an API response: public with its
    tags, or private when it may depend on the reader."""
    response["ETag"] = strong_etag(response.content)
    patch_vary_headers(response, ["Authorization", "Cookie"])
    if _is_personal(request, response):
        patch_cache_control(response, private=True)
    else:
        store.label(response, store.tags_of(request))
        patch_cache_control(response, public=True, max_age=max_age())


def response_cache_key(request: HttpRequest) -> str | None:
    """Where an anonymous, spoiler-free API response is kept on the server.

    Only requests that cannot depend on the reader qualify: no token, no
    session, no ``read=``/``spoilers=``. Any other request costs no cache
    round trip at all. The ``Origin`` is part of the key: the copy carries
    the CORS headers the full stack gave that origin; so is the scheme, host
    and port the request came by, which decide its links' root
    (:func:`reviews.site_root.answered_as`).
    """
    if (
        request.method not in ("GET", "HEAD")
        or not request.path.startswith(api_prefix())
        or "HTTP_AUTHORIZATION" in request.META
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or query_may_name(request, "read", "spoilers")
        or query_read_otherwise(request)
        or max_age() <= 0
        or server_timeout() <= 0
        or not getattr(settings, "BOOKCLUB_API_RESPONSE_CACHE", True)
    ):
        return None
    origin = request.META.get("HTTP_ORIGIN", "")
    asked = f"{answered_as(request)} {request.get_full_path()} {origin}"
    digest = hashlib.sha256(asked.encode()).hexdigest()[:40]
    return f"{KEY_PREFIX}{digest}"


class APIHeadersMiddleware:
    """Labels every API read with its validators and freshness (:func:`label`).

    Sits inside the session, CSRF, authentication and problem middleware and
    before :class:`reviews.middleware.ReaderMiddleware` in ``MIDDLEWARE``: it
    sees a ``HEAD`` as the ``GET`` it answers like, and the response after
    the reader middleware marked a reader-dependent one private. The shared
    copies are served and kept further out
    (:class:`reviews.response_cache.middleware.ResponseCacheMiddleware`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if isinstance(response, HttpResponse) and is_cacheable(request, response):
            label(request, response)
        return response


class APIPolicy(Policy):
    """Everything under the API prefix."""

    def applies(self, request: HttpRequest) -> bool:
        return request.path.startswith(api_prefix())

    def key(self, request: HttpRequest) -> str | None:
        return response_cache_key(request)

    def timeout(self) -> int:
        return server_timeout()

    def may_store(self, request: HttpRequest) -> bool:
        # A HEAD's response has no body to keep; it is served a GET's copy.
        return request.method == "GET"

    def shareable(self, request: HttpRequest, response: HttpResponseBase) -> bool:
        return (
            request.method == "GET"
            and is_cacheable(request, response)
            and "public" in response.get("Cache-Control", "")
            # The session or CSRF middleware gave this client a cookie.
            and not response.cookies
        )

    def public_unshared(self, request: HttpRequest) -> bool:
        # Labelled public unless personal (:func:`label`): with the server's
        # copies off, or for a HEAD. A request with a token or a session is
        # never kept by an edge (docs/deploy.md) and pays no more, nor does
        # one whose reader parameters ask for more (personal, or a 400).
        return (
            request.method in ("GET", "HEAD")
            and "HTTP_AUTHORIZATION" not in request.META
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not params_ask_for_more(request)
        )

    def copy(self, request: HttpRequest, entry: store.Entry) -> HttpResponse:
        response = entry.response()
        if request.method == "HEAD":
            # As reviews.api.middleware answers a HEAD: the GET's headers.
            length = len(response.content)
            response.content = b""
            response["Content-Length"] = str(length)
        return response

    def conditional(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if (
            "ETag" not in response
            or not isinstance(response, HttpResponse)
            or not is_conditional(request)
        ):
            return response
        last_modified = response.get("Last-Modified")
        conditional = get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=parse_http_date_safe(last_modified)
            if last_modified
            else None,
            response=response,
        )
        if conditional is None:
            return response
        if (
            conditional.status_code == 304
            and "HTTP_IF_NONE_MATCH" not in request.META
            and builds.dated_before_what_it_shows(response)
        ):
            return response
        # A 304 keeps what CORS said about the origin, as the full stack's did.
        for name, value in response.items():
            if name.lower().startswith("access-control-"):
                conditional[name] = value
        return conditional

    def unshared(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        response = members_copy(request, response)
        if not is_cacheable(request, response):
            return response
        return self.conditional(request, response)


API = APIPolicy()
