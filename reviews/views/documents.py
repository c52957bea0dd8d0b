"""A document's download address, asking who may see it before anything else."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from wagtail.documents import get_document_model
from wagtail.documents.views.serve import serve

from ..media_visibility import visible_media


def serve_document(
    request: HttpRequest, document_id: str, document_filename: str
) -> HttpResponseBase:
    """Wagtail's download view, ``/documents/<id>/<file name>``, for a
    document the reader may see; any other is a 404, as a missing one.

    Wagtail compares the address's file name first and asks the
    ``before_serve_document`` hooks (reviews' asks the same rule) only when
    it is right: a right guess cost the rule's query more than a wrong one,
    and told the name of a document the reader may not see. Here the rule
    is asked first, at the same cost whatever the name."""
    model = get_document_model()
    if not visible_media(model.objects.filter(pk=document_id), request.user).exists():
        raise Http404(f"No {model._meta.object_name} matches the given query.")
    return serve(request, document_id, document_filename)
