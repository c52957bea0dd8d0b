"""API v2's query parameters on Wagtail's viewsets: the club's review
filters and ``order=popularity`` (parsed with API v3's schema, so both
versions answer the same values alike), and Wagtail's field filters with
every value checked before it reaches the database."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, models
from ninja.errors import HttpError
from pydantic import ValidationError as PydanticValidationError
from rest_framework.exceptions import NotAuthenticated
from rest_framework.filters import BaseFilterBackend
from wagtail.api.v2.filters import FieldsFilter, OrderingFilter
from wagtail.api.v2.utils import BadRequestError

from ..models import ReviewPage
from .errors import InvalidParam
from .filtering import check_filters_and_ordering, is_content_column
from .params import refuse_repeated_params
from .routers.reviews import ReviewFilters, filter_reviews, order_reviews


class NoContentFieldQueriesMixin:
    """No filter or ordering on a column that holds page content
    (:mod:`reviews.api.filtering`): a 400 problem, before Wagtail's own
    field filters and ordering see the parameters."""

    @classmethod
    def get_available_fields(cls, model, db_fields_only=False):
        fields = super().get_available_fields(model, db_fields_only)
        if db_fields_only:
            # Wagtail's FieldsFilter and OrderingFilter read this list.
            fields = [name for name in fields if not is_content_column(model, name)]
        return fields

    def check_query_parameters(self, queryset):
        # Wagtail's v2 reads every parameter as one value.
        refuse_repeated_params(self.request)
        check_filters_and_ordering([queryset.model], self.request.GET)
        return super().check_query_parameters(queryset)


#: The club's review filters, as in API v3's ``/reviews/`` (``book`` and
#: ``tags`` are Wagtail's own field filters in v2).
REVIEW_FILTER_PARAMS = frozenset(
    {"series", "tag", "reviewer", "rating_min", "rating_max", "published_after"}
)


def is_reviews(queryset) -> bool:
    return queryset.model is ReviewPage


def _review_filters(request):
    """Parse the club's review parameters with API v3's schema; bad values are
    a 400 like every other v2 parameter error."""
    params = {
        name: request.GET[name] for name in REVIEW_FILTER_PARAMS if name in request.GET
    }
    order = request.GET.get("order", "")
    if order.lstrip("-") == "popularity":
        params["ordering"] = order
    try:
        return ReviewFilters(**params)
    except PydanticValidationError as error:
        details = "; ".join(
            f"{'.'.join(str(part) for part in e['loc']) or 'query'}: {e['msg']}"
            for e in error.errors()
        )
        locs = [e["loc"] for e in error.errors()]
        param = str(locs[0][-1]) if len(locs) == 1 and locs[0] else None
        raise InvalidParam(details, param) from error


class ClubReviewFilter(BaseFilterBackend):
    """``series``, ``tag``, ``reviewer``, ``rating_min``/``rating_max`` and
    ``published_after`` on ``type=reviews.ReviewPage`` listings."""

    def filter_queryset(self, request, queryset, view):
        if not is_reviews(queryset):
            return queryset
        try:
            return filter_reviews(request, queryset, _review_filters(request))
        except PydanticValidationError as error:
            raise BadRequestError(error.errors()[0]["msg"]) from error
        except HttpError as error:
            if error.status_code == 401:
                # reviewer=me with no member: who "me" is is missing, as in v3.
                raise NotAuthenticated(str(error)) from error
            raise BadRequestError(str(error)) from error


class ClubOrderingFilter(OrderingFilter):
    """Wagtail's ordering, plus ``order=popularity`` (views over 30 days) for
    reviews."""

    def filter_queryset(self, request, queryset, view):
        order = request.GET.get("order", "")
        if order.lstrip("-") == "popularity" and is_reviews(queryset):
            return order_reviews(queryset, order)
        return super().filter_queryset(request, queryset, view)


class CheckedFieldsFilter(FieldsFilter):
    """Wagtail's field filters, with each value checked before it reaches the
    database: ``rating=abc``, ``starts_at=abc`` or an id past the column's
    range are a 400, not a database error."""

    def filter_queryset(self, request, queryset, view):
        if is_reviews(queryset):
            view = _ClubFiltersLeftOut(view)
        fields = set(view.get_available_fields(queryset.model, db_fields_only=True))
        for name, value in request.GET.items():
            if name in fields and name != "locale":
                _check_field_value(queryset.model, name, value)
        return super().filter_queryset(request, queryset, view)


class _ClubFiltersLeftOut:
    """A view whose field filters leave out the parameters
    :class:`ClubReviewFilter` answers (``reviewer=me`` is no user id)."""

    def __init__(self, view) -> None:
        self._view = view

    def get_available_fields(self, model, db_fields_only: bool = False) -> list[str]:
        fields = self._view.get_available_fields(model, db_fields_only=db_fields_only)
        return [name for name in fields if name not in REVIEW_FILTER_PARAMS]

    def __getattr__(self, name: str):
        return getattr(self._view, name)


def _check_field_value(model, name: str, value: str) -> None:
    try:
        field = model._meta.get_field(name)
    except LookupError:
        return
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if not isinstance(target, models.Field) or isinstance(target, models.BooleanField):
        return
    try:
        python_value = target.to_python(value)
    except DjangoValidationError as error:
        raise InvalidParam(f"{name}: {' '.join(error.messages)}", name) from error
    if isinstance(python_value, int):
        low, high = connection.ops.integer_field_range(target.get_internal_type())
        if (low is not None and python_value < low) or (
            high is not None and python_value > high
        ):
            raise InvalidParam(f"{name}: {value[:30]} is out of range.", name)
