"""The site's own middleware: a database outage as a 503 with ``Retry-After``
(never a traceback), and Django's messages built only when a request uses them."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.functional import SimpleLazyObject, empty

from reviews.api.middleware import api_prefix
from reviews.api.problems import PROBLEM_JSON, problem

logger = logging.getLogger(__name__)

#: Exceptions that mean "the database cannot be reached right now".
DATABASE_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
UNAVAILABLE_DETAIL = "The service is briefly unavailable; try again shortly."


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path.startswith("/api/") or (
        "application/json" in accept and "text/html" not in accept
    )


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 a client sees while the database is away: JSON for API clients,
    a plain page (rendered without the database) for people."""
    if request.path.startswith(api_prefix()):
        # The APIs' one error shape, with the reason as a ``code`` member.
        response: HttpResponse = JsonResponse(
            problem(503, UNAVAILABLE_DETAIL) | {"code": "database_unavailable"},
            status=503,
            content_type=PROBLEM_JSON,
        )
    elif wants_json(request):
        response = JsonResponse(
            {
                "message": UNAVAILABLE_DETAIL,
                "code": "database_unavailable",
            },
            status=503,
        )
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answers 503 when a view (or its template) fails because the database
    is unreachable. Persistent connections are health-checked at the start of
    each request (``CONN_HEALTH_CHECKS``), so the site recovers by itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_UNAVAILABLE_ERRORS):
            return None
        logger.warning(
            "Database unavailable, answering 503: %s",
            exception,
            extra={"status_code": 503, "path": request.path},
        )
        return database_unavailable_response(request)


class LazyMessageMiddleware(MessageMiddleware):
    """Django's ``MessageMiddleware``, but the request's message storage is
    built the first time something adds or reads a message.

    Django builds it for every request (a cookie storage with its signer, a
    session storage), and most requests (every API read, a static answer)
    never touch it. Storage that was never built holds nothing to save, so
    there is nothing to do on the way out either; one that was is saved as
    Django saves it.
    """

    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(  # type: ignore[attr-defined]
            lambda: default_storage(request)
        )

    def process_response(
        self, request: HttpRequest, response: HttpResponse
    ) -> HttpResponse:
        messages = request.__dict__.get("_messages")
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response
        return super().process_response(request, response)
