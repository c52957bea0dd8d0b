"""The API's request guard and error net, in front of every API view.

:class:`ProblemDetailsMiddleware`, under the API prefix:

- redirects a write to an address without its trailing slash with a 308,
  which keeps the method and the body, where Django's ``APPEND_SLASH``
  answers a 301 that clients follow as a ``GET`` (the write lost, the
  listing a 200) or, with ``DEBUG`` on, raises;
- answers ``HEAD`` wherever ``GET`` answers (Ninja routes ``HEAD`` to no
  operation; DRF and Django views already do it), with the ``GET``'s headers
  and no body, and a 405's ``Allow`` says so;
- refuses, with a 400 before any view runs, input no endpoint (Wagtail's own
  included) can use: a NUL character in a query parameter or a JSON body (no
  database stores one: SQLite's full-text search fails on it, PostgreSQL
  refuses it in any text), an ``offset`` or ``limit`` given more than once
  or past the largest integer a database holds, a write body that is JSON
  but not an object;
- turns every other error response (the URL resolver's HTML 404, Ninja's
  405, a CSRF 403, DRF's or Wagtail's v2 JSON, a 500)
  into the one problem shape (:mod:`reviews.api.problems`). Django turns an
  exception a view raised into its error page (logged, ``handler500``) before
  the response reaches this middleware.

Hand-written: the problem-details libraries each cover one framework (DRF or
Ninja), while this site answers from both and from Django itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseRedirectBase
from django.middleware.common import CommonMiddleware

from ..conf import from_settings
from .problems import is_problem, problem_response

DEFAULT_API_PREFIX = "/api/"

#: Headers an error keeps when it is rewritten as a problem.
_KEPT_HEADERS = frozenset(
    {"allow", "retry-after", "www-authenticate", "vary", "cache-control"}
)


class HttpResponsePermanentRedirect308(HttpResponseRedirectBase):
    """RFC 9110's permanent redirect that keeps the method and the body."""

    status_code = 308


@from_settings
def api_prefix() -> str:
    """Where the APIs are mounted: ``BOOKCLUB_API_PREFIX`` (``/api/``)."""
    return getattr(settings, "BOOKCLUB_API_PREFIX", DEFAULT_API_PREFIX)


#: The methods Django's ``APPEND_SLASH`` may redirect as they are.
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ProblemDetailsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Django's own test of whether the address wants its slash.
        self._common = CommonMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(api_prefix()):
            return self.get_response(request)
        refused = _refuse_bad_input(request)
        if refused is not None:
            return refused
        if (
            request.method not in _SAFE_METHODS
            and self._common.should_redirect_with_slash(request)
        ):
            return HttpResponsePermanentRedirect308(
                request.get_full_path(force_append_slash=True)
            )
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        try:
            response = self.get_response(request)
        finally:
            if head:
                request.method = "HEAD"
        if response.status_code >= 400 and not is_problem(response):
            response = as_problem(response)
        if response.status_code == 405:
            _allow_head_with_get(response)
        if head and not response.streaming:
            length = len(response.content)
            response.content = b""
            response["Content-Length"] = str(length)
        return response


def _allow_head_with_get(response: HttpResponse) -> None:
    """A 405's ``Allow`` names ``HEAD`` wherever it names ``GET``: this
    middleware answers it there (Ninja's list leaves it out)."""
    allowed = [name.strip() for name in response.get("Allow", "").split(",") if name]
    if "GET" in allowed and "HEAD" not in allowed:
        response["Allow"] = ", ".join([*allowed, "HEAD"])


def as_problem(response: HttpResponse) -> HttpResponse:
    """``response`` (an error in another shape) as a problem: its status, its
    message if it had one in JSON, and its protocol headers."""
    fields: dict[str, Any] = {}
    body = _json_body(response)
    if isinstance(body, dict):
        detail = body.get("detail") or body.get("message")
        if isinstance(detail, str):
            fields["detail"] = detail
        if isinstance(body.get("param"), str):
            fields["param"] = body["param"]
    problem = problem_response(response.status_code, **fields)
    for name, value in response.items():
        if name.lower() in _KEPT_HEADERS or name.lower().startswith("access-control-"):
            problem[name] = value
    return problem


def _json_body(response: HttpResponse) -> Any:
    if response.streaming or "json" not in response.get("Content-Type", ""):
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return None


#: Wagtail's pagination parameters, in both API versions.
PAGINATION_PARAMS = ("offset", "limit")
#: The parameters that take one value wherever they are understood, in both
#: API versions, detail and find views included: Wagtail's own v3 endpoints
#: describe every query parameter as one value but ``order`` and ``type``
#: (tests/api/test_errors.py holds this list to the served OpenAPI
#: document). A repeat is a 400, as a repeated ``spoilers`` is: which copy
#: counts would be each framework's guess (both take the last), so
#: ``rich_text_format=markdown&rich_text_format=html`` answered in HTML.
#: API v2's listings and the club's endpoints refuse a repeat of any other
#: parameter of theirs too (:mod:`reviews.api.params`).
SINGLE_VALUED_PARAMS = frozenset(
    {
        *PAGINATION_PARAMS,
        "ancestor_of",
        "approved_go_live_at_from",
        "approved_go_live_at_to",
        "child_of",
        "created_at_from",
        "created_at_to",
        "descendant_of",
        "fields",
        "html_path",
        "id",
        "locale",
        "object_str",
        "rich_text_format",
        "search",
        "search_operator",
        "site",
        "translation_of",
        "user_id",
        "version",
    }
)
#: The largest integer a database column or OFFSET holds.
MAX_INTEGER = 2**63 - 1


#: Wagtail's v3 revision listings filter by it, typed as a number or a
#: string (a user model's key may be either); any other value reached the
#: database lookup and was a 500.
USER_ID_PARAM = "user_id"


def _is_user_id(value: str) -> bool:
    """Could ``value`` be the key of a user of this site's user model?"""
    from django.contrib.auth import get_user_model

    field = get_user_model()._meta.pk
    try:
        key = field.to_python(value)
    except ValidationError:
        return False
    return key is not None and (not isinstance(key, int) or 0 <= key <= MAX_INTEGER)


def _refuse_bad_input(request: HttpRequest) -> HttpResponse | None:
    """A 400 for input no endpoint can use, before any view sees it."""
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return problem_response(
                400, "Query parameters cannot contain NUL characters.", param=name
            )
    for name, values in request.GET.lists():
        if len(values) > 1 and name in SINGLE_VALUED_PARAMS:
            return problem_response(400, f"give {name} once.", param=name)
    if USER_ID_PARAM in request.GET and not _is_user_id(request.GET[USER_ID_PARAM]):
        return problem_response(
            400, f"{USER_ID_PARAM} is not a user's id.", param=USER_ID_PARAM
        )
    for name in PAGINATION_PARAMS:
        value = request.GET.get(name, "").strip()
        if value.isascii() and value.isdigit() and int(value) > MAX_INTEGER:
            return problem_response(400, f"{name} is out of range.", param=name)
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    # API v3 reads every write body as JSON, whatever its content type.
    multipart = (request.content_type or "").startswith("multipart/")
    try:
        if not request.body:
            return None
        body = json.loads(request.body)
    except RequestDataTooBig:
        # A large upload is streamed by its view, never read here.
        return None if multipart else problem_response(413, "The body is too large.")
    except ValueError:
        return None  # the view answers an unreadable body with a 400
    except RecursionError:
        return problem_response(400, TOO_DEEP)
    if not isinstance(body, dict):
        # Every write takes an object; Wagtail's page writes fail on others.
        return problem_response(400, "The request body must be a JSON object.")
    problem = _body_problem(body)
    return problem_response(400, problem) if problem else None


#: How deep a write body may nest: a review body with a spoiler holding an
#: image is 7 levels; what the views and libraries walk recursively gives up
#: (a RecursionError, a 500) somewhere below a thousand.
MAX_BODY_DEPTH = 32
TOO_DEEP = f"The request body is nested more than {MAX_BODY_DEPTH} levels deep."


#: A UTF-16 surrogate on its own, which JSON's ``\\ud800`` escapes can write
#: and no UTF-8 can: stored, it failed the search index (the write) or every
#: page and listing that sent it. A pair is read as one character.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
LONE_SURROGATE = (
    "Text in the request body cannot contain a lone surrogate (\\ud800-\\udfff)."
)


def _body_problem(body: dict) -> str | None:
    """What makes a JSON body unusable for every view: a NUL character or a
    lone surrogate in any text, or nesting deeper than
    :data:`MAX_BODY_DEPTH`. Walked with a list, not recursively, so no depth
    stops the walk itself."""
    pending: list[tuple[Any, int]] = [(body, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return "Text in the request body cannot contain NUL characters."
            if _LONE_SURROGATE.search(value):
                return LONE_SURROGATE
        elif isinstance(value, dict | list):
            if depth > MAX_BODY_DEPTH:
                return TOO_DEEP
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                pending += [(key, depth), (item, depth + 1)]
    return None
