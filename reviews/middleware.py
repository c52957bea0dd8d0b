"""Reader context for every request: early 400s and safe caching headers."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control, patch_vary_headers

from .api.problems import problem_response
from .spoilers import (
    READER_PARAMS,
    REVEAL_COMMENTS_PARAM,
    InvalidReaderParams,
    RequestReader,
    attach_reader,
    params_ask_for_more,
    parse_reveal_comments,
    query_may_name,
    query_read_otherwise,
    reader_used,
)
from .visibility import reading_request

API_PATH_PREFIX = "/api/"


class ReaderMiddleware:
    """Sets ``request.reader``, rejects malformed ``spoilers=``/``read=``
    before any view runs, and marks responses that depended on the reader
    as private.

    Goes anywhere after ``AuthenticationMiddleware`` (the reader is the
    member's); ``reviews.checks`` refuses any other order. The reader is a
    lazy object (:class:`reviews.spoilers.RequestReader`), built when an
    output first asks, so an API that authenticates inside the view
    (a bearer token) is read for the member it settles on.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reader = attach_reader(request)
        # Without a reader parameter there is nothing to check, and parsing
        # the query is most of what this middleware costs.
        queried = query_may_name(request, *READER_PARAMS, REVEAL_COMMENTS_PARAM)
        if queried:
            refused = _refuse_malformed(request, reader)
            if refused is not None:
                return refused
        with reading_request(request):
            response = self.get_response(request)
        used = reader_used(request)
        if used is not None or request.path.startswith(API_PATH_PREFIX):
            # The same URL answers differently for a member (session cookie or
            # bearer token): shared caches must key on both.
            patch_vary_headers(response, ["Cookie", "Authorization"])
        if (
            (used is not None and used.personal)
            or (queried and _asks_for_spoilers(request))
            or "HTTP_AUTHORIZATION" in request.META
            or query_read_otherwise(request)
        ):
            make_private(response)
        if (
            queried
            and (request.GET.get("reveal") or request.GET.get(REVEAL_COMMENTS_PARAM))
            and not request.path.startswith(API_PATH_PREFIX)
        ):
            # A page with a block opened on request: a search engine that
            # followed the link must not list what it reveals.
            response["X-Robots-Tag"] = "noindex"
        return response


def _refuse_malformed(
    request: HttpRequest, reader: RequestReader
) -> HttpResponse | None:
    """The 400 for a malformed reader parameter, or None."""
    if any(name in request.GET for name in READER_PARAMS) and not _is_admin(request):
        try:
            reader.params  # noqa: B018  (validates, once)
        except InvalidReaderParams as error:
            return bad_request(request, error)
    if REVEAL_COMMENTS_PARAM in request.GET and not _is_admin(request):
        try:
            parse_reveal_comments(request.GET)
        except InvalidReaderParams as error:
            return bad_request(request, error)
    return None


def _asks_for_spoilers(request: HttpRequest) -> bool:
    """Did the query ask for anything beyond the default (hide everything)?
    The page cache's own test, so that every ``read=`` counts, not only the
    last: the visitor's form (review_page.html) sends one a book, most of
    them empty."""
    return params_ask_for_more(request)


def make_private(response: HttpResponse) -> None:
    """Forbid shared caches (and stored copies) for a reader-specific response."""
    cache_control = response.get("Cache-Control", "")
    if "public" in cache_control or "s-maxage" in cache_control:
        del response["Cache-Control"]
    patch_cache_control(response, private=True, no_store=True)


def bad_request(request: HttpRequest, error: InvalidReaderParams) -> HttpResponse:
    """A 400 that says which parameter is wrong: a problem for the APIs
    (:mod:`reviews.api.problems`), a page for everything else."""
    if request.path.startswith(API_PATH_PREFIX):
        response = problem_response(400, error.message, param=error.param)
    else:
        # Back to the same page, without the part that could not be read.
        kept = request.GET.copy()
        kept.pop(error.param, None)
        back_url = request.path + (f"?{kept.urlencode()}" if kept else "")
        response = HttpResponse(
            render_to_string(
                "reviews/bad_reader_params.html",
                {"error": error, "back_url": back_url},
                request=request,
            ),
            status=400,
        )
    patch_vary_headers(response, ["Cookie", "Authorization"])
    return response


def _is_admin(request: HttpRequest) -> bool:
    """The admin has its own query parameters and never shows spoilers."""
    try:
        admin_prefix = reverse("wagtailadmin_home")
    except NoReverseMatch:
        return False
    return request.path.startswith(admin_prefix)
