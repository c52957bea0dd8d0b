"""The uploads the development server serves (``make run``, DEBUG).

Images are served from their folders, as their renditions' addresses say.
Documents are not: each is served at ``/documents/<id>/<file name>``, which
asks who may see it (reviews' ``before_serve_document`` hook), and a member's
document nobody else may see was downloaded by anyone from its folder; nor
is an upload still waiting for its details in the multiple upload. A
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
from wagtail.models import UploadedFile


def _unserved_folders() -> tuple[str, ...]:
    """The documents' folder, and the one Wagtail's multiple upload keeps a
    file in until the member completes its form (``UploadedFile``), which
    nobody else may see either."""
    return tuple(
        str(model._meta.get_field("file").upload_to).strip("/")
        for model in (get_document_model(), UploadedFile)
    )


def serve_upload(request: HttpRequest, path: str) -> HttpResponseBase:
    """An uploaded file at ``path`` under MEDIA_ROOT, unless it is in the
    documents' folder, wherever the path goes on the way
    (``images/../documents/…``, or up and back in through the root's own
    name), as Django's ``serve`` finds the file."""
    root = Path(settings.MEDIA_ROOT).resolve()
    try:
        target = Path(safe_join(root, posixpath.normpath(path).lstrip("/")))
        found = str(target.resolve()).casefold()
    except (SuspiciousFileOperation, ValueError) as error:
        # ValueError: a NUL in the path, which no file name has.
        raise Http404("No such file.") from error
    for folder in _unserved_folders():
        unserved = str((root / folder).resolve()).casefold()
        if found == unserved or found.startswith(unserved + os.sep):
            raise Http404("Documents are served at their own address only.")
    return serve(request, path, document_root=str(root))


def media_urls() -> list[URLPattern]:
    """The address of the uploads, for the development server's URLconf."""
    prefix = re.escape(settings.MEDIA_URL.lstrip("/"))
    return [re_path(rf"^{prefix}(?P<path>.*)$", serve_upload)]
