"""How each API's exceptions become the one problem shape
(:mod:`reviews.api.problems`).

API v3 gets exception handlers (:func:`install_v3_handlers`, replacing
Wagtail's, which answer validation errors with a 422); API v2's viewsets get
:class:`ProblemErrorsMixin`. Whatever still escapes both as some other error
response is converted by :class:`reviews.api.middleware.ProblemDetailsMiddleware`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationErrorContext
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError
from rest_framework.exceptions import APIException
from wagtail.api.rich_text import RichTextFormatError
from wagtail.api.v2.utils import BadRequestError
from wagtail.utils.forms import FormValidationError

from ..spoilers import InvalidReaderParams
from .filtering import ContentFieldQueryError
from .params import RepeatedParam
from .problems import VALIDATION_STATUS, problem_response, validation_problem
from .schemas import JSONObjectInput

#: A number the database cannot hold (an offset past 2**63 - 1 on SQLite, an
#: id past a column's range on PostgreSQL): the client's value is wrong.
OUT_OF_RANGE_ERRORS = (OverflowError, DataError)
OUT_OF_RANGE_DETAIL = "A number in the request is out of range."


def validation_errors(exc: Exception) -> list[dict[str, Any]]:
    """Field errors, as ``[{"type", "loc", "msg"}]``, of any validation
    exception API v3 meets (Wagtail's form errors, Django's, Ninja's and
    Pydantic's)."""
    if isinstance(exc, FormValidationError):
        return [
            {"type": code, "loc": list(path), "msg": message}
            for path, coded_messages in exc.loc_errors
            for message, code in coded_messages
        ]
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return [
                {"loc": [field], "msg": message}
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
        return [{"msg": message} for message in exc.messages]
    if isinstance(exc, NinjaValidationError):
        return list(exc.errors)
    if isinstance(exc, PydanticValidationError):
        return [dict(error) for error in exc.errors()]
    return [{"msg": str(exc)}]


def _club_body_parameter(model: Any) -> str | None:
    """The name of the view parameter that takes a club write's body
    (:class:`~reviews.api.schemas.JSONObjectInput`) in ``model``, Ninja's
    model of an operation's body parameters, or None."""
    if getattr(model, "__ninja_param_source__", None) != "body":
        return None
    for name, field in getattr(model, "model_fields", {}).items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, JSONObjectInput):
            return name
    return None


def name_fields_where_sent(api: NinjaAPI) -> None:
    """Locate the errors of the club's writes where the client sent the
    value: ``["body", "summary"]``, ``["body", "body", 2, "value",
    "chapter"]``, as the views' own checks do, not under the view's
    parameter name (Ninja's ``["body", "data", "summary"]``). Wagtail's own
    endpoints keep Ninja's locations, which their documentation and tests
    use."""
    if getattr(api, "_club_locations", False):
        return
    build = api.validation_error_from_error_contexts

    def located(error_contexts: list[ValidationErrorContext]) -> NinjaValidationError:
        errors: list[dict[str, Any]] = []
        for context in error_contexts:
            parameter = _club_body_parameter(context.model)
            for error in build([context]).errors:
                loc = tuple(error.get("loc", ()))
                if parameter is not None and loc[:2] == ("body", parameter):
                    error = {**error, "loc": ("body", *loc[2:])}
                errors.append(error)
        return NinjaValidationError(errors)

    api.validation_error_from_error_contexts = located  # type: ignore[method-assign]
    api._club_locations = True  # type: ignore[attr-defined]


def install_v3_handlers(api: NinjaAPI) -> None:
    """Answer every error ``api`` knows of with the club's problem shape."""
    name_fields_where_sent(api)

    def validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return validation_problem(validation_errors(exc))

    def permission_denied(request: HttpRequest, exc: Any) -> HttpResponse:
        # v3 never trusts session auth: 401 unless a bearer token resolved.
        if not request.user.is_authenticated:
            return problem_response(401, "Authentication required")
        return problem_response(403, str(exc) or "Permission denied")

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem_response(404, str(exc) or "Not found")

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        status = VALIDATION_STATUS if exc.status_code == 422 else exc.status_code
        return problem_response(status, str(exc))

    def bad_request(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem_response(400, str(exc))

    def invalid_param(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem_response(400, exc.message, param=exc.param)

    def content_query(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem_response(400, **exc.problem_fields())

    def out_of_range(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem_response(VALIDATION_STATUS, OUT_OF_RANGE_DETAIL)

    def too_deep(request: HttpRequest, exc: Any) -> HttpResponse:
        # The JSON's own depth is refused before any view (MAX_BODY_DEPTH);
        # rich text inside it is cleaned by Wagtail recursively, one level of
        # its tags at a time, and hundreds of nested tags ran out of stack:
        # a 500 naming the recursion. Only a body this deep does that.
        if request.method not in ("POST", "PUT", "PATCH"):
            raise exc
        return problem_response(400, TOO_DEEP_MARKUP)

    validation_classes: tuple[type[Exception], ...] = (
        PydanticValidationError,
        NinjaValidationError,
        DjangoValidationError,
    )
    for exc_class in validation_classes:
        api.add_exception_handler(exc_class, validation)
    api.add_exception_handler(PermissionDenied, permission_denied)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(RichTextFormatError, bad_request)
    api.add_exception_handler(InvalidReaderParams, invalid_param)
    api.add_exception_handler(RepeatedParam, invalid_param)
    api.add_exception_handler(ContentFieldQueryError, content_query)
    for range_class in OUT_OF_RANGE_ERRORS:
        api.add_exception_handler(range_class, out_of_range)
    api.add_exception_handler(RecursionError, too_deep)


#: A write whose text nests its markup deeper than it can be read.
TOO_DEEP_MARKUP = "The request body's text nests its markup too deeply to be read."


class InvalidParam(BadRequestError):
    """A v2 400 that names the query parameter at fault."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class ProblemErrorsMixin:
    """API v2 viewsets: every error is a problem (Wagtail's v2 answers
    ``{"message"}``, DRF ``{"detail"}``)."""

    def handle_exception(self, exc: Exception) -> HttpResponse:
        if isinstance(exc, ContentFieldQueryError):
            return problem_response(400, **exc.problem_fields())
        if isinstance(exc, (InvalidReaderParams, RepeatedParam)):
            return problem_response(400, exc.message, param=exc.param)
        if isinstance(exc, BadRequestError):
            return problem_response(400, str(exc), param=getattr(exc, "param", None))
        if isinstance(exc, Http404):
            return problem_response(404, str(exc) or "Not found")
        if isinstance(exc, OUT_OF_RANGE_ERRORS):
            return problem_response(VALIDATION_STATUS, OUT_OF_RANGE_DETAIL)
        response = super().handle_exception(exc)  # type: ignore[misc]
        if not isinstance(exc, APIException):
            return response
        detail = getattr(response, "data", None)
        if isinstance(detail, dict):
            detail = detail.get("detail", "")
        problem = problem_response(response.status_code, str(detail or ""))
        for header in ("WWW-Authenticate", "Retry-After", "Allow"):
            if header in response:
                problem[header] = response[header]
        return problem
