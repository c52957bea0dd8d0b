"""Wagtail's document URLs, whose download view asks who may see a document
first (:func:`reviews.views.documents.serve_document`). A site includes them
in place of Wagtail's: ``path("documents/", include("reviews.document_urls"))``.
"""

from django.urls import re_path
from wagtail.documents import urls as wagtail_document_urls

from .views.documents import serve_document

urlpatterns = [
    re_path(r"^(\d+)/(.*)$", serve_document, name="wagtaildocs_serve"),
    *(
        pattern
        for pattern in wagtail_document_urls.urlpatterns
        if pattern.name != "wagtaildocs_serve"
    ),
]
