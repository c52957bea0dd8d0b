"""A member downloads their own reading history (linked from "My reading")."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ..goodreads.export import CSV_FILENAME, JSON_FILENAME, export_csv, export_json


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@never_cache
@login_required
def reading_export_csv(request: HttpRequest) -> HttpResponse:
    """The member's books, ratings, shelves and reviews as a Goodreads export."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    export_csv(request.user, response)
    return _attachment(response, CSV_FILENAME)


@require_safe
@never_cache
@login_required
def reading_export_json(request: HttpRequest) -> HttpResponse:
    """The same as JSON, with every review's StreamField data as well."""
    response = JsonResponse(
        export_json(request.user), json_dumps_params={"ensure_ascii": False}
    )
    return _attachment(response, JSON_FILENAME)
