"""Reader context for every request: early 400s and safe caching headers."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

from .spoilers import InvalidReaderParams, reader_from_params

API_PATH_PREFIX = "/api/"


class ReaderMiddleware:
    """Rejects malformed ``spoilers=``/``read=`` before any view runs, and
    marks responses that depended on the reader as private.

    Validation uses no member (no query); the reader itself is built lazily
    by :func:`reviews.spoilers.reader_for_request` once authentication (which
    API v3 does inside the view) has settled who is asking.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "spoilers" in request.GET or "read" in request.GET:
            try:
                reader_from_params(request.GET)
            except InvalidReaderParams as error:
                return self.bad_request(request, error)
        response = self.get_response(request)
        reader = getattr(request, "_bookclub_reader", None)
        if reader is not None:
            patch_vary_headers(response, ["Cookie", "Authorization"])
            if reader.personal:
                patch_cache_control(response, private=True, no_store=True)
                if "public" in response.get("Cache-Control", ""):
                    response["Cache-Control"] = "private, no-store"
        return response

    @staticmethod
    def bad_request(request: HttpRequest, error: InvalidReaderParams) -> HttpResponse:
        if request.path.startswith(API_PATH_PREFIX):
            return JsonResponse(
                {"message": error.message, "param": error.param}, status=400
            )
        return HttpResponse(
            error.message, status=400, content_type="text/plain; charset=utf-8"
        )
