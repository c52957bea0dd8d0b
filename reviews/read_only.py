"""Views that only read: the feeds, the sitemap, the API documents.

Such a view answered every method as a GET (Django's ``Feed``, Wagtail's
sitemap and Ninja's document views check none), or, for a form post from a
browser, with a CSRF 403 before the view could say what it takes. A write
method is a 405 with ``Allow: GET, HEAD`` instead; under the API prefix
:class:`reviews.api.middleware.ProblemDetailsMiddleware` writes it in the
problem shape, as the API's other 405s.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.csrf import csrf_exempt

#: What a read-only view answers.
SAFE_METHODS = ("GET", "HEAD")


def read_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """``view`` for GET and HEAD only; any other method is a 405 with
    ``Allow``, on a page of the site's (Django's has no body, and a browser
    showed its own error). Exempt from the CSRF check, which would refuse a
    POST first: the view changes nothing, whatever the method."""

    @functools.wraps(view)
    def only_read(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.method in SAFE_METHODS:
            return view(request, *args, **kwargs)
        response = HttpResponse(
            render_to_string(
                "reviews/method_not_allowed.html", {"request": request}, request
            ),
            status=405,
        )
        response["Allow"] = ", ".join(SAFE_METHODS)
        return response

    return csrf_exempt(only_read)
