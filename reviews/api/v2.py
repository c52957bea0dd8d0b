"""API v2 endpoints: Wagtail's own viewsets with the club's reader context.

Their query parameters (the review filters, checked field filters, no
queries on content columns) are :mod:`reviews.api.v2_filters`."""

from __future__ import annotations

import re

from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import SimpleLazyObject
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from wagtail.api.v2.filters import (
    AncestorOfFilter,
    ChildOfFilter,
    DescendantOfFilter,
    LocaleFilter,
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
from wagtail.models import Page

from .. import cache_tags
from ..counts import with_remembered_count
from ..media_visibility import visible_media
from ..models import ReviewPage
from ..spoilers import InvalidReaderParams, reader_of, refresh_reader
from ..visibility import (
    outside_unpublished_branches,
    public_site_pages,
    public_site_pages_apply,
    restricted_paths,
    site_root_path,
)
from . import item_cache
from .auth import BearerTokenAuthentication
from .compiled import get_by_pk
from .errors import InvalidParam, ProblemErrorsMixin
from .params import MAX_ID
from .querysets import (
    BODY_FIELDS,
    REVIEW_OF_PAGE,
    prepare_streams,
    with_review_relations,
)
from .serializers import KEPT_BODIES, ClubPageSerializer
from .v2_filters import (
    REVIEW_FILTER_PARAMS,
    CheckedFieldsFilter,
    ClubOrderingFilter,
    ClubReviewFilter,
    NoContentFieldQueriesMixin,
    is_reviews,
)

READER_PARAMS = frozenset({"spoilers", "read"})
API_AUTHENTICATION = [BearerTokenAuthentication, SessionAuthentication]


#: A page's own ReviewPage row, when get_queryset loaded it with the page.
_REVIEW_ROW = ReviewPage._meta.get_field("page_ptr").remote_field


#: Listing parameters that change neither which pages are listed nor how
#: many: the pages' type, their order, the fields shown, the page of them
#: and the reader (reviews.spoilers).
_UNFILTERED_PARAMS = frozenset(
    {"type", "fields", "order", "limit", "offset", "spoilers", "read"}
)


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
        if is_reviews(queryset):
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
            if self.action == "listing_view":
                # Listed, not looked up: the detail still finds a page below
                # an unpublished section, as its address does.
                queryset = outside_unpublished_branches(queryset)
            if is_reviews(queryset):
                queryset = with_review_relations(
                    queryset, self._shown_fields(queryset.model)
                )
            elif self.action == "detail_view" and queryset.model is Page:
                # Wagtail loads the specific page after the page; a review,
                # the club's most asked-for detail, comes with it.
                queryset = with_review_relations(
                    queryset, self._shown_fields(ReviewPage), through=REVIEW_OF_PAGE
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

    def _lists_every_public_page(self) -> bool:
        """Does the listing hold every public page of its type (the order,
        the fields and the reader aside): no filter, no search?"""
        return self.request.GET.keys() <= _UNFILTERED_PARAMS

    def paginate_queryset(self, queryset):
        if isinstance(queryset, QuerySet) and not self.request.user.is_authenticated:
            # Anonymous listings are the same for everyone: their total is
            # counted once per content version, every public review's once
            # per version of the tag that says which are (reviews/counts.py).
            every_review = is_reviews(queryset) and self._lists_every_public_page()
            queryset = with_remembered_count(
                queryset, tag=cache_tags.PUBLIC_REVIEWS if every_review else None
            )
        page = super().paginate_queryset(queryset)
        if page is not None and is_reviews(queryset):
            page = list(page)
            shown = self._shown_fields(queryset.model)
            if shown is None or "body" in shown:
                self._keep_bodies(page)
            elif shown & BODY_FIELDS:
                prepare_streams(page, "body")
        return page

    def get_object(self):
        # Wagtail loads the specific page by itself, and then each relation
        # its fields show with a query of its own; a review comes with them.
        if not hasattr(self, "_specific_object"):
            page = self._public_page_by_id()
            if page is None:
                page = super(PagesAPIViewSet, self).get_object()
            if isinstance(page, ReviewPage) or page.specific_class is not ReviewPage:
                self._specific_object = page.specific
            elif _REVIEW_ROW.is_cached(page):
                self._specific_object = _REVIEW_ROW.get_cached_value(page)
            else:
                reviews = ReviewPage.objects.filter(pk=page.pk)
                fields = self._shown_fields(ReviewPage)
                self._specific_object = with_review_relations(reviews, fields).get()
        return self._specific_object

    def _public_page_by_id(self) -> Page | None:
        """The detail's page for an anonymous reader who asks for nothing
        but the page, loaded with the SQL compiled once per process for the
        site and the view restrictions (:func:`reviews.api.compiled.get_by_pk`),
        the only things besides the id that go into it. None where another
        parameter, a member or the site's languages may change the query:
        Wagtail's own lookup then runs."""
        pk = self.kwargs.get("pk")
        if self.action != "detail_view" or self.request.GET or type(pk) is not int:
            return None
        if not 0 < pk <= MAX_ID or not public_site_pages_apply(self.request):
            return None
        request = self.request
        try:
            page = get_by_pk(
                lambda: self.get_queryset(),
                pk,
                variant=lambda: (
                    "v2-page",
                    site_root_path(request),
                    *restricted_paths(),
                ),
            )
        except Page.DoesNotExist:
            raise Http404("No Page matches the given query.") from None
        self.check_object_permissions(request, page)
        return page

    def detail_view(self, request, pk):
        instance = self.get_object()
        if isinstance(instance, ReviewPage):
            self._keep_bodies([instance])
        return Response(self.get_serializer(instance).data)

    def _keep_bodies(self, reviews: list[ReviewPage]) -> None:
        """The reviews' bodies as an anonymous reader's are kept per revision
        (reviews.api.item_cache), shared with API v3: a listing rebuilt
        after a publish renders only the new revision's body. The rich
        text format is checked first, as Wagtail checks it when it renders."""
        self.resolve_rich_text_format()
        self._kept_bodies = item_cache.bodies(self.request, reviews)

    def get_serializer_context(self):
        # Wagtail's (``PagesAPIViewSet.get_serializer_context``: its base's
        # context and the base queryset), with the base queryset built only
        # if it is asked for. Only the parent field asks, and only for a
        # reader the view restrictions may let in (PageParentField): an
        # anonymous detail built it for nothing.
        context = super(PagesAPIViewSet, self).get_serializer_context()
        context["base_queryset"] = SimpleLazyObject(self.get_base_queryset)
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
