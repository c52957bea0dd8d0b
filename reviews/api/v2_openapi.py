"""An OpenAPI description of API v2, which Wagtail's DRF endpoints do not
publish: what each endpoint takes and answers, every error as a problem.

It is built from the viewsets' own lists of query parameters, so a parameter
they learn appears here; the shapes of pages, images and documents are the
ones every v2 item shares (``id``, ``meta``, ``title``): which other fields
an item carries depends on ``type`` and ``fields``. Served at
``/api/v2/openapi.json`` and run through schemathesis by the tests.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse

from ..read_only import read_only
from .openapi import document_info
from .params import MAX_ID
from .problems import PROBLEM_JSON, Problem, status_title
from .v2 import (
    ClubDocumentsAPIViewSet,
    ClubImagesAPIViewSet,
    ClubPagesAPIViewSet,
)
from .v2_filters import REVIEW_FILTER_PARAMS

_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_COUNT = {"type": "integer", "minimum": 0}
_TEXT = {"type": "string"}

#: What each known query parameter takes; any other is text.
_PARAMETERS: dict[str, tuple[dict[str, Any], str]] = {
    "limit": (_COUNT, "How many items (at most the site's limit, 20)."),
    "offset": (_COUNT, "How many items to skip."),
    "fields": (_TEXT, "Fields to add (name), remove (-name) or nest."),
    "order": (_TEXT, "A field to order by (-field: descending), or random."),
    "search": (_TEXT, "Words to search for."),
    "search_operator": ({"enum": ["and", "or"]}, "How search words combine."),
    "type": (_TEXT, "Page types, app_label.Model, comma separated."),
    "child_of": (_TEXT, "A page id, or root."),
    "descendant_of": (_TEXT, "A page id, or root."),
    "ancestor_of": (_ID, "A page id."),
    "translation_of": (_TEXT, "A page id, or root."),
    "locale": (_TEXT, "A language code."),
    "site": (_TEXT, "A site's hostname."),
    "spoilers": ({"enum": ["hide", "show"]}, "hide (default) or show spoilers."),
    "read": (_TEXT, "What an anonymous reader has read: `<book id>[:<chapter>],…`"),
    "rich_text_format": (_TEXT, "html (default) or another rich text format."),
    "series": (_ID, "type=reviews.ReviewPage: reviews of a book in this series."),
    "tag": (_TEXT, "type=reviews.ReviewPage: reviews with this tag."),
    "reviewer": (_TEXT, "type=reviews.ReviewPage: a reviewer's public id, or me."),
    "rating_min": ({"type": "number"}, "type=reviews.ReviewPage: lowest rating."),
    "rating_max": ({"type": "number"}, "type=reviews.ReviewPage: highest rating."),
    "published_after": (_TEXT, "type=reviews.ReviewPage: an ISO 8601 date."),
    "id": (_ID, "The item's id."),
    "html_path": (_TEXT, "A page's path on the site."),
}
#: Understood by every endpoint but no filter of items.
_IGNORED = {"_", "format"}

_ITEM_META = {
    "type": "object",
    "properties": {
        "type": _TEXT,
        "detail_url": {"type": "string", "format": "uri"},
        "html_url": {"type": ["string", "null"]},
    },
    "additionalProperties": True,
}
_ITEM = {
    "type": "object",
    "description": "A page, image or document: its fields follow type and fields.",
    "properties": {"id": {"type": "integer"}, "meta": _ITEM_META, "title": _TEXT},
    "additionalProperties": True,
}
_LISTING = {
    "type": "object",
    "required": ["meta", "items"],
    "properties": {
        "meta": {
            "type": "object",
            "required": ["total_count"],
            "properties": {"total_count": _COUNT},
        },
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
    },
}


def _parameter(name: str, where: str = "query") -> dict[str, Any]:
    schema, description = _PARAMETERS.get(name, (_TEXT, "A field to filter by."))
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema,
    }


def _errors(*statuses: int) -> dict[str, Any]:
    problem = {"schema": {"$ref": "#/components/schemas/Problem"}}
    return {
        str(status): {
            "description": status_title(status),
            "content": {PROBLEM_JSON: problem},
        }
        for status in statuses
    }


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


def _endpoint(
    prefix: str, name: str, viewset: Any, extra: frozenset[str] = frozenset()
) -> dict[str, Any]:
    names = sorted((viewset.known_query_parameters | extra) - _IGNORED)
    item_names = [
        n for n in ("fields", "spoilers", "read", "rich_text_format") if n in names
    ]
    finds = ["id", "html_path"] if name == "pages" else ["id"]
    item = {"$ref": "#/components/schemas/Item"}
    return {
        f"{prefix}/{name}/": {
            "get": {
                "operationId": f"v2_{name}_list",
                "summary": f"List {name}",
                "parameters": [_parameter(n) for n in names],
                "responses": {
                    "200": _json(_LISTING, f"The {name}"),
                    **_errors(400, 401),
                },
            }
        },
        f"{prefix}/{name}/{{id}}/": {
            "get": {
                "operationId": f"v2_{name}_detail",
                "summary": f"One of the {name}",
                "parameters": [_parameter("id", "path")]
                + [_parameter(n) for n in item_names],
                "responses": {
                    "200": _json(item, "The item, with every field"),
                    **_errors(400, 401, 404),
                },
            }
        },
        f"{prefix}/{name}/find/": {
            "get": {
                "operationId": f"v2_{name}_find",
                "summary": f"Find one of the {name}",
                "parameters": [_parameter(n) for n in finds + item_names],
                "responses": {
                    "302": {
                        "description": "Where the item is",
                        "headers": {"Location": {"schema": _TEXT}},
                    },
                    **_errors(400, 401, 404),
                },
            }
        },
    }


def v2_openapi(prefix: str = "/api/v2") -> dict[str, Any]:
    """The OpenAPI 3.1 document of API v2, mounted at ``prefix``."""
    paths: dict[str, Any] = {}
    paths.update(_endpoint(prefix, "pages", ClubPagesAPIViewSet, REVIEW_FILTER_PARAMS))
    paths.update(_endpoint(prefix, "images", ClubImagesAPIViewSet))
    paths.update(_endpoint(prefix, "documents", ClubDocumentsAPIViewSet))
    return {
        "openapi": "3.1.0",
        "info": document_info(
            "API v2",
            "2.0.0",
            "{name}: Wagtail's API v2 with the club's reader context "
            "(spoilers=, read=, a member's token) and review filters.",
        ),
        "security": [{}, {"BearerAuth": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"BearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Item": _ITEM,
                "Problem": Problem.model_json_schema(
                    ref_template="#/components/schemas/{model}"
                ),
            },
        },
    }


@read_only
def openapi_view(request: HttpRequest) -> JsonResponse:
    """``/api/v2/openapi.json``."""
    return JsonResponse(v2_openapi(request.path.rsplit("/openapi.json", 1)[0]))
