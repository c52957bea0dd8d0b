"""API v2 endpoints: Wagtail's own viewsets with the club's reader context."""

from __future__ import annotations

from rest_framework.authentication import SessionAuthentication
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from ..spoilers import InvalidReaderParams, forget_reader, reader_for_request
from .auth import BearerTokenAuthentication

READER_PARAMS = frozenset({"spoilers", "read"})
API_AUTHENTICATION = [SessionAuthentication, BearerTokenAuthentication]


class ReaderAwareMixin:
    """Validates ``spoilers=``/``read=`` up front and marks reader-dependent
    responses private."""

    authentication_classes = API_AUTHENTICATION
    known_query_parameters = frozenset()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # request.user is known only now (DRF authenticates lazily).
        forget_reader(request)
        try:
            self.reader = reader_for_request(request)
        except InvalidReaderParams as error:
            raise BadRequestError(error.message) from error

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        reader = getattr(self, "reader", None)
        if reader is not None and reader.personal:
            response["Cache-Control"] = "private, no-store"
        response.setdefault("Vary", "Authorization, Cookie")
        return response


class ClubPagesAPIViewSet(ReaderAwareMixin, PagesAPIViewSet):
    known_query_parameters = PagesAPIViewSet.known_query_parameters | READER_PARAMS


class ClubImagesAPIViewSet(ReaderAwareMixin, ImagesAPIViewSet):
    known_query_parameters = ImagesAPIViewSet.known_query_parameters | READER_PARAMS


class ClubDocumentsAPIViewSet(ReaderAwareMixin, DocumentsAPIViewSet):
    known_query_parameters = DocumentsAPIViewSet.known_query_parameters | READER_PARAMS


def build_router() -> WagtailAPIRouter:
    router = WagtailAPIRouter("wagtailapi")
    router.register_endpoint("pages", ClubPagesAPIViewSet)
    router.register_endpoint("images", ClubImagesAPIViewSet)
    router.register_endpoint("documents", ClubDocumentsAPIViewSet)
    return router


api_router = build_router()
