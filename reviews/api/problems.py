"""The one error shape of the club's APIs: RFC 9457 problem details.

Every error under the API prefix, from API v2, API v3 (Wagtail's endpoints and
the club's routers alike), a middleware or the URL resolver, answers
``application/problem+json``::

    {"type": "about:blank", "title": "Bad Request", "status": 400,
     "detail": "…", "param": "read", "errors": [{"loc": […], "msg": "…"}]}

``type``, ``title``, ``status`` and ``detail`` are always there; ``param``
names the one query parameter at fault, ``errors`` lists field errors. Every
value a client got wrong, in the query, the path or the body, is a 400
(:data:`VALIDATION_STATUS`); the reader parameters (``spoilers=``, ``read=``)
always were, so the rest follow them. An error never repeats the content it
stands for: details name parameters and fields, never hidden text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from ninja import Field, Schema

__all__ = [
    "PROBLEM_JSON",
    "VALIDATION_STATUS",
    "Problem",
    "is_problem",
    "problem",
    "problem_response",
    "validation_problem",
]

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE = "about:blank"

#: The status of every validation error: a value the client got wrong.
VALIDATION_STATUS = 400
VALIDATION_DETAIL = "Validation failed"


class Problem(Schema):
    """The one error shape: an RFC 9457 problem, served as
    ``application/problem+json`` (the OpenAPI document says so)."""

    type: str = Field(description="Always about:blank: the status says it all.")
    title: str = Field(description="The status's phrase, e.g. Bad Request.")
    status: int
    detail: str = Field(description="What went wrong, for a person.")
    param: str | None = Field(
        None, description="The one query parameter at fault, if there is one."
    )
    errors: list[dict[str, Any]] | None = Field(
        None,
        description="Field errors: each with loc (where the value was sent, "
        "query, path or body, then its path there, e.g. "
        '["body", "body", 2, "value", "chapter"]), msg and type.',
    )


def status_title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem(
    status: int,
    detail: str = "",
    *,
    title: str | None = None,
    errors: Iterable[Mapping[str, Any]] | None = None,
    param: str | None = None,
) -> dict[str, Any]:
    """The problem document for ``status`` (RFC 9457, ``about:blank`` type)."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE,
        "title": title or status_title(status),
        "status": status,
        "detail": detail or status_title(status),
    }
    if param is not None:
        body["param"] = param
    if errors is not None:
        body["errors"] = [dict(error) for error in errors]
    return body


def problem_response(
    status: int,
    detail: str = "",
    *,
    title: str | None = None,
    errors: Iterable[Mapping[str, Any]] | None = None,
    param: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """An ``application/problem+json`` response for ``status``."""
    body = problem(status, detail, title=title, errors=errors, param=param)
    response = HttpResponse(
        # Field errors may carry values Pydantic keeps as objects (a
        # ValueError in ``ctx``): they are shown as text.
        json.dumps(body, cls=_LenientEncoder),
        status=status,
        content_type=PROBLEM_JSON,
    )
    if status == 401:
        # RFC 9110: a 401 names how to authenticate; both APIs take a bearer
        # token (API v2's DRF says so itself, v3's Ninja does not).
        response["WWW-Authenticate"] = "Bearer"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def validation_problem(
    errors: Iterable[Mapping[str, Any]],
    detail: str = VALIDATION_DETAIL,
) -> HttpResponse:
    """A 400 listing field errors; ``param`` when one query parameter is at
    fault."""
    listed = [
        {key: value for key, value in error.items() if key != "input"}
        for error in errors
    ]
    return problem_response(
        VALIDATION_STATUS, detail, errors=listed, param=_query_param(listed)
    )


def is_problem(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() == PROBLEM_JSON


def _query_param(errors: list[dict[str, Any]]) -> str | None:
    """The query parameter of a lone query error: the last name in its
    ``loc``, past the index of a list parameter's item
    (``["query", "filters", "type", 0]`` is ``type``)."""
    names = {
        names[-1]
        for error in errors
        if isinstance(error.get("loc"), list | tuple)
        and list(error["loc"][:1]) == ["query"]
        and (names := [part for part in error["loc"][1:] if isinstance(part, str)])
    }
    return names.pop() if len(names) == 1 and len(errors) == 1 else None


class _LenientEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        try:
            return super().default(o)
        except TypeError:
            return str(o)
