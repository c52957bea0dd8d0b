"""The part of the v3 OpenAPI document that describes the club's endpoints.

Used by the snapshot test (and handy for frontends that want only the club's
contract): the club's operations and every component schema they reference.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from ninja import NinjaAPI

CLUB_OPERATION_PREFIX = "club_"


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[-1])
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def club_openapi(api: NinjaAPI) -> dict[str, Any]:
    """The club's operations of ``api``'s OpenAPI document, self-contained."""
    document = json.loads(json.dumps(api.get_openapi_schema(), default=str))
    paths: dict[str, Any] = {}
    for path, operations in document["paths"].items():
        club = {
            method: operation
            for method, operation in operations.items()
            if str(operation.get("operationId", "")).startswith(CLUB_OPERATION_PREFIX)
        }
        if club:
            paths[path] = club
    all_schemas = document.get("components", {}).get("schemas", {})
    wanted: set[str] = set()
    pending = _refs(paths)
    while pending:
        name = pending.pop()
        if name in wanted or name not in all_schemas:
            continue
        wanted.add(name)
        pending |= _refs(all_schemas[name]) - wanted
    components: dict[str, Any] = {
        "schemas": {name: all_schemas[name] for name in sorted(wanted)}
    }
    if "securitySchemes" in document.get("components", {}):
        components["securitySchemes"] = document["components"]["securitySchemes"]
    return copy.deepcopy(
        {
            "openapi": document["openapi"],
            "info": document["info"],
            "paths": paths,
            "components": components,
        }
    )
