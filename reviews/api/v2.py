"""API v2 endpoints: Wagtail's own viewsets with the club's reader context."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, models
from django.db.models import QuerySet
from ninja.errors import HttpError
from pydantic import ValidationError as PydanticValidationError
from rest_framework.authentication import SessionAuthentication
from rest_framework.filters import BaseFilterBackend
from rest_framework.response import Response
from wagtail.api.v2.filters import (
    AncestorOfFilter,
    ChildOfFilter,
    DescendantOfFilter,
    FieldsFilter,
    LocaleFilter,
    OrderingFilter,
    SearchFilter,
    TranslationOfFilter,
)
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import (
    BadRequestError,
    page_models_from_string,
    parse_fields_parameter,
)
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from ..counts import with_remembered_count
from ..media_visibility import visible_media
from ..models import ReviewPage
from ..spoilers import InvalidReaderParams, reader_of, refresh_reader
from ..visibility import public_site_pages
from . import item_cache
from .auth import BearerTokenAuthentication
from .errors import InvalidParam, ProblemErrorsMixin
from .filtering import (
    check_filters_and_ordering,
    is_content_column,
)
from .params import MAX_ID
from .querysets import BODY_FIELDS, prepare_streams, with_review_relations
from .serializers import KEPT_BODIES, ClubPageSerializer

READER_PARAMS = frozenset({"spoilers", "read"})
API_AUTHENTICATION = [BearerTokenAuthentication, SessionAuthentication]


class ReaderAwareMixin(ProblemErrorsMixin):
    """Validates ``spoilers=``/``read=`` up front and marks reader-dependent
    responses private."""

    authentication_classes = API_AUTHENTICATION
    known_query_parameters = frozenset()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # request.user is known only now (DRF authenticates lazily): the
        # reader is the member DRF's authentication settled on.
        refresh_reader(request)
        try:
            self.reader = reader_of(request)
        except InvalidReaderParams as error:
            raise InvalidParam(error.message, error.param) from error

    def find_object(self, queryset, request):
        # Wagtail hands ``find/?id=`` to the database as it came.
        if "id" in request.GET:
            value = request.GET["id"]
            if not re.fullmatch(r"[1-9][0-9]{0,9}", value) or int(value) > MAX_ID:
                raise InvalidParam("id must be a positive whole number.", "id")
        return super().find_object(queryset, request)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        reader = getattr(self, "reader", None)
        if reader is not None and reader.personal:
            response["Cache-Control"] = "private, no-store"
        response.setdefault("Vary", "Authorization, Cookie")
        return response

    def get_renderer_context(self):
        # Wagtail pretty-prints v2 JSON (indent=4), which forces Python's
        # pure-Python encoder: a quarter of a 20-review listing's time and a
        # third of its bytes. Clients parse JSON; compact output serves them
        # the same data through the C encoder. The browsable renderer still
        # indents for people.
        context = super().get_renderer_context()
        context.pop("indent", None)
        return context


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
        check_filters_and_ordering([queryset.model], self.request.GET)
        return super().check_query_parameters(queryset)


#: The club's review filters, as in API v3's ``/reviews/`` (``book`` and
#: ``tags`` are Wagtail's own field filters in v2).
REVIEW_FILTER_PARAMS = frozenset(
    {"series", "tag", "reviewer", "rating_min", "rating_max", "published_after"}
)


def _is_reviews(queryset) -> bool:
    return queryset.model is ReviewPage


def _review_filters(request):
    """Parse the club's review parameters with API v3's schema; bad values are
    a 400 like every other v2 parameter error."""
    from .routers.reviews import ReviewFilters

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
        if not _is_reviews(queryset):
            return queryset
        from .routers.reviews import filter_reviews

        try:
            return filter_reviews(request, queryset, _review_filters(request))
        except PydanticValidationError as error:
            raise BadRequestError(error.errors()[0]["msg"]) from error
        except HttpError as error:
            raise BadRequestError(str(error)) from error


class ClubOrderingFilter(OrderingFilter):
    """Wagtail's ordering, plus ``order=popularity`` (views over 30 days) for
    reviews."""

    def filter_queryset(self, request, queryset, view):
        order = request.GET.get("order", "")
        if order.lstrip("-") == "popularity" and _is_reviews(queryset):
            from .routers.reviews import order_reviews

            return order_reviews(queryset, order)
        return super().filter_queryset(request, queryset, view)


class CheckedFieldsFilter(FieldsFilter):
    """Wagtail's field filters, with each value checked before it reaches the
    database: ``rating=abc``, ``starts_at=abc`` or an id past the column's
    range are a 400, not a database error."""

    def filter_queryset(self, request, queryset, view):
        if _is_reviews(queryset):
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


#: Serializer classes by what they serialize (oldest dropped first): a
#: ``fields=`` parameter a client made up only costs a class.
_SERIALIZER_CLASSES: dict[tuple, type] = {}
_SERIALIZER_CLASSES_KEPT = 256


class ClubPagesAPIViewSet(
    ReaderAwareMixin, NoContentFieldQueriesMixin, PagesAPIViewSet
):
    """Wagtail's pages endpoint with the club's review filters and a review
    listing whose query count does not grow with its length."""

    known_query_parameters = PagesAPIViewSet.known_query_parameters | READER_PARAMS
    base_serializer_class = ClubPageSerializer
    filter_backends = [
        CheckedFieldsFilter,
        ChildOfFilter,
        AncestorOfFilter,
        DescendantOfFilter,
        ClubReviewFilter,
        ClubOrderingFilter,
        TranslationOfFilter,
        LocaleFilter,
        SearchFilter,  # last: search results cannot be filtered further
    ]

    def check_query_parameters(self, queryset):
        if _is_reviews(queryset):
            extra = REVIEW_FILTER_PARAMS & set(self.request.GET)
            if extra:
                saved = self.known_query_parameters
                self.known_query_parameters = saved | extra
                try:
                    return super().check_query_parameters(queryset)
                finally:
                    self.known_query_parameters = saved
        return super().check_query_parameters(queryset)

    def get_base_queryset(self):
        # Called for the listing and again for the serializer context; each
        # call evaluates the view restrictions, so do it once per request.
        if not hasattr(self, "_base_queryset"):
            public = public_site_pages(self.request)
            self._base_queryset = (
                super().get_base_queryset() if public is None else public
            )
        return self._base_queryset.all()

    @classmethod
    def _get_serializer_class(
        cls, router, model, fields_config, show_details=False, nested=False
    ):
        # Wagtail builds a new serializer class for every request; the same
        # fields give the same class, so build each once (and its fields,
        # see ClubPageSerializer.get_fields).
        key = (router, model, repr(fields_config), show_details, nested)
        serializer_class = _SERIALIZER_CLASSES.get(key)
        if serializer_class is None:
            serializer_class = super()._get_serializer_class(
                router, model, fields_config, show_details, nested
            )
            if len(_SERIALIZER_CLASSES) >= _SERIALIZER_CLASSES_KEPT:
                _SERIALIZER_CLASSES.pop(next(iter(_SERIALIZER_CLASSES)), None)
            _SERIALIZER_CLASSES[key] = serializer_class
        return serializer_class

    def get_queryset(self):
        # Called for the listing and again for the serializer's model.
        if not hasattr(self, "_queryset"):
            queryset = self._single_type_public_queryset()
            if queryset is None:
                queryset = super().get_queryset()
            if _is_reviews(queryset):
                queryset = with_review_relations(
                    queryset, self._shown_fields(queryset.model)
                )
            self._queryset = queryset
        return self._queryset.all()

    def _shown_fields(self, model) -> frozenset[str] | None:
        """The fields this request's serializer shows for ``model``, so that
        only their relations are loaded; None (load all) when ``fields=`` is
        bad, which the serializer reports as Wagtail does."""
        if not hasattr(self, "_shown_fields_cache"):
            try:
                config = (
                    parse_fields_parameter(self.request.GET["fields"])
                    if "fields" in self.request.GET
                    else []
                )
                serializer_class = self._get_serializer_class(
                    self.request.wagtailapi_router,
                    model,
                    config,
                    show_details=self.action != "listing_view",
                )
            except (ValueError, BadRequestError):
                self._shown_fields_cache = None
            else:
                self._shown_fields_cache = frozenset(serializer_class.Meta.fields)
        return self._shown_fields_cache

    def _single_type_public_queryset(self) -> QuerySet | None:
        """``?type=app.Model`` for an anonymous reader: the model's public
        pages filtered directly, where Wagtail filters the model by the ids
        of every public page (``pk IN (SELECT …)``), which the database
        answers by reading all of them."""
        type_name = self.request.GET.get("type", "")
        if not type_name or "," in type_name:
            return None
        try:
            models = page_models_from_string(type_name)
        except (LookupError, ValueError):
            return None  # Wagtail's own get_queryset answers the 400
        return public_site_pages(self.request, models[0])

    def paginate_queryset(self, queryset):
        if isinstance(queryset, QuerySet) and not self.request.user.is_authenticated:
            # Anonymous listings are the same for everyone: their total is
            # counted once per content version (reviews/counts.py).
            queryset = with_remembered_count(queryset)
        page = super().paginate_queryset(queryset)
        if page is not None and _is_reviews(queryset):
            page = list(page)
            shown = self._shown_fields(queryset.model)
            if shown is None or "body" in shown:
                self._keep_bodies(page)
            elif shown & BODY_FIELDS:
                prepare_streams(page, "body")
        return page

    def detail_view(self, request, pk):
        instance = self.get_object()
        if isinstance(instance, ReviewPage):
            self._keep_bodies([instance])
        return Response(self.get_serializer(instance).data)

    def _keep_bodies(self, reviews: list[ReviewPage]) -> None:
        """The reviews' bodies as an anonymous reader's are kept per revision
        (reviews.api.item_cache), shared with API v3: a listing rebuilt
        after a publish renders only the new revision's body."""
        self._kept_bodies = item_cache.bodies(self.request, reviews)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        kept = getattr(self, "_kept_bodies", None)
        if kept is not None:
            context[KEPT_BODIES] = (ReviewPage, kept)
        return context


class ClubImagesAPIViewSet(
    ReaderAwareMixin, NoContentFieldQueriesMixin, ImagesAPIViewSet
):
    """Wagtail's images endpoint, less images the reader may not see
    (see :mod:`reviews.media_visibility`)."""

    known_query_parameters = ImagesAPIViewSet.known_query_parameters | READER_PARAMS

    def get_queryset(self):
        return visible_media(super().get_queryset(), self.request.user)


class ClubDocumentsAPIViewSet(
    ReaderAwareMixin, NoContentFieldQueriesMixin, DocumentsAPIViewSet
):
    """Wagtail's documents endpoint, less documents the reader may not see."""

    known_query_parameters = DocumentsAPIViewSet.known_query_parameters | READER_PARAMS

    def get_queryset(self):
        return visible_media(super().get_queryset(), self.request.user)


def build_router() -> WagtailAPIRouter:
    router = WagtailAPIRouter("wagtailapi")
    router.register_endpoint("pages", ClubPagesAPIViewSet)
    router.register_endpoint("images", ClubImagesAPIViewSet)
    router.register_endpoint("documents", ClubDocumentsAPIViewSet)
    return router


api_router = build_router()
