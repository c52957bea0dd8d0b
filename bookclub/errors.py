"""Error views that never touch the database."""

from __future__ import annotations

import sys

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseServerError,
)
from django.template import loader

from reviews.api.middleware import api_prefix
from reviews.api.problems import problem_response

from .middleware import DATABASE_UNAVAILABLE_ERRORS, database_unavailable_response


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a database outage outside a view (e.g. in a middleware)
    is still a 503 with ``Retry-After``; anything else is the plain 500 page,
    or under the API the one problem shape. The API's own middleware turns
    its views' errors into problems, but a failure in a middleware in front
    of it (the response cache) reaches only this handler."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_UNAVAILABLE_ERRORS):
        return database_unavailable_response(request)
    if request.path.startswith(api_prefix()):
        return problem_response(500, "The server failed to answer this request.")
    return HttpResponseServerError(loader.render_to_string("500.html"))


def bad_request(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    """``handler400``. Django's own reads the request's form for a CSRF token
    (``requires_csrf_token``): a form in a charset Django will not decode,
    which is what brought it here, then raised again and became a 500. This
    one reads nothing of the request but its path."""
    if request.path.startswith(api_prefix()):
        return problem_response(400, "The request could not be read.")
    return HttpResponseBadRequest(loader.render_to_string("400.html"))
