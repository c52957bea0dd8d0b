"""Query parameters of the club's v3 endpoints: typed, bounded, and strict.

Wagtail's API ignores query parameters it does not know; a typo such as
``?ratng_min=4`` would silently return everything. The club's endpoints
answer 400 instead, naming the parameters they do not understand.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Literal, TypeVar

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Path, Schema
from ninja.errors import HttpError
from pydantic import BeforeValidator

from ..counts import remembered_count

#: The largest id a club endpoint accepts: every id column is at least a
#: 32-bit integer, and a larger number must be a 4xx, not a database error.
MAX_ID = 2_147_483_647


def _decimal_digits(value: Any) -> Any:
    """Refuse a path id that is not written in ASCII decimal digits.

    Pydantic reads ``"9.0"``, ``" 9"``, ``"+9"``, ``"9_0"`` and Arabic-Indic
    digits as numbers, so each of them answered as some object (``9_0`` as
    90). An id has one spelling; anything else is a 400, as ``abc`` is.
    """
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("must be a whole number in the digits 0-9")
    return value


#: A path id in plain digits, bounded to what the database can hold.
IdPath = Annotated[int, BeforeValidator(_decimal_digits), Path(..., ge=1, le=MAX_ID)]


#: Understood by every club endpoint (see reviews.spoilers).
READER_PARAMS = frozenset({"spoilers", "read"})
#: The query parameters a client may give more than once: ``read`` one a book
#: (the visitor's form sends one a book, most of them empty) and ``reveal``
#: one a block. Every other one takes one value.
REPEATABLE_PARAMS = frozenset({"read", "reveal"})

T = TypeVar("T")


class PaginationParams(Schema):
    limit: int = Field(20, ge=1, description="Items per page.")
    offset: int = Field(0, ge=0, description="Items to skip.")


def param_names(*schemas: type[Schema]) -> set[str]:
    names: set[str] = set()
    for schema in schemas:
        for name, field in schema.model_fields.items():
            names.add(field.alias or name)
    return names


class RepeatedParam(ValueError):
    """A parameter that takes one value was given more than once. Which one
    would count is each framework's guess (Ninja and Wagtail's v2 take the
    last), so a client whose query carried a stray copy got another
    listing than it asked for and no word of it: a 400 naming it, in both
    API versions."""

    def __init__(self, param: str) -> None:
        self.param = param
        self.message = f"give {param} once."
        super().__init__(self.message)


def refuse_repeated_params(
    request: HttpRequest, names: Iterable[str] | None = None
) -> None:
    """Raise :class:`RepeatedParam` for the first of ``names`` (every query
    parameter if None) given more than once, but for
    :data:`REPEATABLE_PARAMS`."""
    for name, values in request.GET.lists():
        if (
            len(values) > 1
            and name not in REPEATABLE_PARAMS
            and (names is None or name in names)
        ):
            raise RepeatedParam(name)


def reject_unknown_params(
    request: HttpRequest, *schemas: type[Schema], extra: Iterable[str] = ()
) -> None:
    """Raise a 400 for any query parameter none of ``schemas`` declares, or
    one of theirs given more than once (none of them is a list)."""
    declared = param_names(*schemas)
    refuse_repeated_params(request, declared)
    allowed = declared | READER_PARAMS | set(extra)
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise HttpError(
            400,
            "Unknown query parameter(s): {}. Allowed: {}.".format(
                ", ".join(name[:40] for name in unknown[:10]),
                ", ".join(sorted(allowed)),
            ),
        )


def max_limit() -> int | None:
    return getattr(settings, "WAGTAILAPI_LIMIT_MAX", 20)


def paginate(
    queryset: QuerySet,
    params: PaginationParams,
    *,
    public: bool = False,
    count_tag: str | None = None,
) -> dict[str, Any]:
    """``{"count", "items"}`` like Wagtail's v3 listings; items are a list.

    ``public``: the listing is the same for every reader, so its total is
    counted once per content version, or once per version of ``count_tag``
    when only a change retiring that tag can change its rows
    (reviews/counts.py).
    """
    limit_max = max_limit()
    if limit_max is not None and params.limit > limit_max:
        raise HttpError(400, f"limit cannot be higher than {limit_max}")
    return {
        "count": (
            remembered_count(queryset, tag=count_tag) if public else queryset.count()
        ),
        "items": list(queryset[params.offset : params.offset + params.limit]),
    }


def get_or_invalid(queryset: QuerySet, pk: int, param: str):
    """The object a filter names, or a 400 that names the parameter."""
    from wagtail.api.v3.errors import as_validation_error

    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist as error:
        raise as_validation_error(
            error, f"No {queryset.model._meta.verbose_name} with id {pk}.", loc=(param,)
        ) from error


class ReaderParams(Schema):
    """The reader context every club endpoint understands (reviews.spoilers)."""

    spoilers: Literal["hide", "show"] = Field(
        "hide", description="'show' reveals every spoiler."
    )
    read: str | None = Field(
        None,
        max_length=2000,
        # Empty allowed: the visitor's form sends ``read=`` for a book not
        # started, and the reader joins every ``read=`` given.
        pattern=r"^(\d{1,9}(:\d{1,9})?(,\d{1,9}(:\d{1,9})?)*)?$",
        description="What the reader has read: `<book id>[:<chapter>],…`; a bare "
        "book id means finished. Adds to a token member's own progress.",
    )
