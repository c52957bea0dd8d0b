"""Views that only read: the feeds, the sitemap, the API documents.

Such a view answered every method as a GET (Django's ``Feed``, Wagtail's
sitemap and Ninja's document views check none), or, for a form post from a
browser, with a CSRF 403 before the view could say what it takes. A write
method is a 405 with ``Allow: GET, HEAD`` instead; under the API prefix
:class:`reviews.api.middleware.ProblemDetailsMiddleware` writes it in the
problem shape, as the API's other 405s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe


def read_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """``view`` for GET and HEAD only; any other method is a 405. Exempt
    from the CSRF check, which would refuse a POST first: the view changes
    nothing, whatever the method."""
    return csrf_exempt(require_safe(view))
