"""The uploads the development server serves (``make run``, DEBUG).

Images are served from their folders, as their renditions' addresses say.
Documents are not: each is served at ``/documents/<id>/<file name>``, which
asks who may see it (reviews' ``before_serve_document`` hook), and a member's
document nobody else may see was downloaded by anyone from its folder. A
production server serves no uploads itself (docs/deploy.md says what the
web server in front may serve).
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import URLPattern, re_path
from django.utils._os import safe_join
from django.views.static import serve
from wagtail.documents import get_document_model


def _documents_folder() -> str:
    return str(get_document_model()._meta.get_field("file").upload_to).strip("/")


def serve_upload(request: HttpRequest, path: str) -> HttpResponseBase:
    """An uploaded file at ``path`` under MEDIA_ROOT, unless it is in the
    documents' folder, wherever the path goes on the way
    (``images/../documents/…``, or up and back in through the root's own
    name), as Django's ``serve`` finds the file."""
    root = Path(settings.MEDIA_ROOT).resolve()
    try:
        target = Path(safe_join(root, posixpath.normpath(path).lstrip("/")))
    except SuspiciousFileOperation as error:
        raise Http404("No such file.") from error
    documents = str((root / _documents_folder()).resolve()).casefold()
    found = str(target.resolve()).casefold()
    if found == documents or found.startswith(documents + os.sep):
        raise Http404("Documents are served at their own address.")
    return serve(request, path, document_root=str(root))


def media_urls() -> list[URLPattern]:
    """The address of the uploads, for the development server's URLconf."""
    prefix = re.escape(settings.MEDIA_URL.lstrip("/"))
    return [re_path(rf"^{prefix}(?P<path>.*)$", serve_upload)]
