"""The v3 OpenAPI document: made valid as a whole, the part of it that
describes the club's endpoints, and the docs page that shows it.

:func:`club_openapi` is used by the snapshot test (and handy for frontends
that want only the club's contract): the club's operations and every component
schema they reference.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Hashable
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.responses import NinjaJSONEncoder
from wagtail.models import Site

from ..read_only import read_only
from .problems import PROBLEM_JSON, Problem, status_title

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
    # club_document again: the first document a process builds may come from the
    # unwrapped method, when building it is what loads the URLconf and so
    # registers the club (see serve_valid_document).
    document = club_document(
        json.loads(json.dumps(api.get_openapi_schema(), default=str)), api
    )
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


def _is_anonymous_scheme(scheme: dict[str, Any]) -> bool:
    """Ninja documents an "anyone" auth callback (Wagtail's ``AllowAnonymous``,
    the club's ``ClubAnonymous``) as an HTTP scheme with no ``scheme``, which
    OpenAPI forbids."""
    return scheme.get("type") == "http" and not scheme.get("scheme")


def _plain_optional_bodies(document: dict[str, Any]) -> None:
    """An optional body Ninja documents as ``allOf: [$ref]`` plus a
    ``default`` that only repeats the defaults of the referenced schema's own
    properties (Wagtail's copy, alias and unpublish actions) becomes the plain
    ``$ref``: it means the same, and generators (openapi-python-client) drop
    an operation whose body schema has an object default."""
    schemas = document.get("components", {}).get("schemas", {})
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            for media in (body or {}).get("content", {}).values():
                schema = media.get("schema", {})
                parts = schema.get("allOf", [])
                if set(schema) != {"allOf", "default"} or len(parts) != 1:
                    continue
                name = parts[0].get("$ref", "").rsplit("/", 1)[-1]
                properties = schemas.get(name, {}).get("properties", {})
                implied = {
                    key: value.get("default") for key, value in properties.items()
                }
                if schema["default"] == implied:
                    media["schema"] = parts[0]


def _problem_responses(document: dict[str, Any]) -> None:
    """Every error as it is served: ``application/problem+json`` with the
    :class:`~reviews.api.problems.Problem` schema (Ninja writes
    ``application/json``). Every operation documents a 400; one on an item
    (a path with a parameter) a 404; one that reads a token 401, and one that
    needs a token 403 as well."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Problem", Problem.model_json_schema())
    problem = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            expected = {400}
            if "{" in path:
                expected.add(404)
            security = operation.get("security") or [{}]
            if any(requirement for requirement in security):
                # A bad token is a 401 even where anonymous clients may read.
                expected.add(401)
            if {} not in security:
                expected.add(403)
            # Ninja keys responses by int, a document read back from JSON by
            # str: keyed by str (as OpenAPI names them) and in status order,
            # the document is the same however it was built, and a mix of
            # both kinds of key cannot be sorted (json.dumps(sort_keys=True)).
            responses = {
                str(status): response
                for status, response in operation.get("responses", {}).items()
            }
            for code in expected:
                responses.setdefault(str(code), {"description": status_title(code)})
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = copy.deepcopy(problem)
            operation["responses"] = dict(
                sorted(responses.items(), key=lambda item: _status_order(item[0]))
            )


def _status_order(status: str) -> tuple[int, str]:
    """Numeric codes in order, then ``default`` and ranges such as ``2XX``."""
    return (int(status), "") if status.isdigit() else (1000, status)


def make_valid(document: dict[str, Any]) -> dict[str, Any]:
    """Rewrite anonymous access as OpenAPI spells it: the empty security
    requirement ``{}`` ("no credentials needed") beside the bearer scheme,
    and no invalid scheme in ``components``; optional bodies in the form code
    generators read (:func:`_plain_optional_bodies`); errors as problems
    (:func:`_problem_responses`); one name for each security scheme
    (:func:`_one_name_per_scheme`). Changes ``document`` in place."""
    _plain_optional_bodies(document)
    _anonymous_as_no_requirement(document)
    _one_name_per_scheme(document)
    _problem_responses(document)
    return document


def _rewrite_requirements(
    document: dict[str, Any],
    rewrite: Callable[[dict[str, Any]], dict[str, Any]],
    retired: set[str],
) -> None:
    """Every operation's security requirements through ``rewrite``, without
    repeats, then the ``retired`` schemes out of ``components``."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            security = (
                operation.get("security") if isinstance(operation, dict) else None
            )
            if not security:
                continue
            rewritten: list[dict[str, Any]] = []
            for requirement in map(rewrite, security):
                if requirement not in rewritten:
                    rewritten.append(requirement)
            operation["security"] = rewritten
    schemes = document.get("components", {}).get("securitySchemes", {})
    for name in retired:
        del schemes[name]


def _anonymous_as_no_requirement(document: dict[str, Any]) -> None:
    schemes = document.get("components", {}).get("securitySchemes", {})
    anonymous = {
        name for name, scheme in schemes.items() if _is_anonymous_scheme(scheme)
    }
    if anonymous:
        _rewrite_requirements(
            document,
            lambda requirement: {} if set(requirement) & anonymous else requirement,
            anonymous,
        )


def _one_name_per_scheme(document: dict[str, Any]) -> None:
    """Ninja names a scheme after the class of the auth callback, so the
    club's bearer class (a subclass of Wagtail's) and Wagtail's own appear as
    two schemes that say the same thing, and a generated client asks for the
    same token twice. Identical schemes are merged under the first name in
    alphabetical order, and every requirement is rewritten to that name."""
    schemes = document.get("components", {}).get("securitySchemes", {})
    renamed: dict[str, str] = {}
    kept: dict[str, str] = {}
    for name in sorted(schemes):
        key = json.dumps(schemes[name], sort_keys=True)
        if key in kept:
            renamed[name] = kept[key]
        else:
            kept[key] = name
    if renamed:
        _rewrite_requirements(
            document,
            lambda requirement: {
                renamed.get(name, name): scopes for name, scopes in requirement.items()
            },
            set(renamed),
        )


def document_info(label: str, version: str, description: str) -> dict[str, str]:
    """The ``info`` of an API's OpenAPI document, named after the club: the
    ``WAGTAIL_SITE_NAME`` setting, not a Site's name, so that the document
    (and the clients generated from it) is the same for every host and can
    be exported without a database. ``label`` follows the name ("API",
    "API v2"); ``{name}`` in ``description`` is the club's name."""
    name = getattr(settings, "WAGTAIL_SITE_NAME", "") or "Book club"
    return {
        "title": f"{name} {label}",
        "version": version,
        "description": description.format(name=name),
    }


#: Descriptions are Markdown, and the docs page renders HTML in them: a
#: placeholder such as ``<token>`` is written in a code span, or it vanishes.
V3_DESCRIPTION = (
    "{name}: reviews, series, discussions with their comments, RSVPs and "
    "reading progress, beside Wagtail's own pages, images and documents. "
    "A spoiler stays hidden (content null) until the reader has read far "
    "enough: `spoilers=show`, `read=<book>[:<chapter>]`, or a member's token. "
    "Writes take `Authorization: Bearer <token>`; every error is "
    "`application/problem+json`."
)


def club_document(document: dict[str, Any], api: NinjaAPI) -> dict[str, Any]:
    """``api``'s OpenAPI ``document`` made valid (:func:`make_valid`) and
    named after the club (:func:`document_info`); changes it in place."""
    make_valid(document)
    document["info"] = document_info("API", str(api.version), V3_DESCRIPTION)
    return document


#: The documents built in this process, as JSON text, by
#: :func:`_document_key`. A document describes the API, not its content, so
#: a content change (which retires every cached response) does not build it
#: again: about 0.3 s of CPU for the first client after every publish,
#: comment or vote. Any change of settings forgets them.
_documents: dict[Hashable, str] = {}


def _document_key(
    api: NinjaAPI, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Hashable | None:
    """What a document is built from besides the code: the arguments, the
    club's name, the language and the operations; None (build it) where an
    argument is not hashable."""
    try:
        key = (
            args,
            tuple(sorted((name, _frozen(value)) for name, value in kwargs.items())),
            getattr(settings, "WAGTAIL_SITE_NAME", ""),
            get_language(),
            len(api._routers),
        )
        hash(key)
    except TypeError:
        return None
    return key


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((name, _frozen(item)) for name, item in value.items()))
    return value


def forget_documents(**kwargs: Any) -> None:
    """Build each document again when next asked for (a setting changed)."""
    _documents.clear()


setting_changed.connect(forget_documents)


def serve_valid_document(api: NinjaAPI) -> None:
    """Make ``api`` serve (and export) a valid document (:func:`make_valid`),
    named after the club (:func:`document_info`).

    Ninja builds the document in ``get_openapi_schema`` and offers no hook
    for its security part, so the instance's method is wrapped, once.
    """
    build = api.get_openapi_schema
    if getattr(build, "makes_valid", False):
        return

    @functools.wraps(build)
    def valid_document(*args: Any, **kwargs: Any) -> Any:
        key = _document_key(api, args, kwargs)
        text = _documents.get(key) if key is not None else None
        if text is None:
            document = club_document(build(*args, **kwargs), api)
            if key is None:
                return document
            text = json.dumps(document, cls=NinjaJSONEncoder)
            _documents[key] = text
        return json.loads(text)

    valid_document.makes_valid = True  # type: ignore[attr-defined]
    api.get_openapi_schema = valid_document  # type: ignore[method-assign]


def serve_documents_read_only(api: NinjaAPI) -> None:
    """``api``'s document and docs page answer GET and HEAD, and any other
    method with a 405 (:func:`reviews.read_only.read_only`): Ninja's views
    answered a POST as a GET. Before ``api.urls`` is read, which applies
    ``docs_decorator`` to both views."""
    gate: Callable[[Any], Any] | None = api.docs_decorator
    if getattr(gate, "read_only", False):
        return

    def read_only_docs(view: Any) -> Any:
        return read_only(gate(view) if gate else view)

    read_only_docs.read_only = True  # type: ignore[attr-defined]
    api.docs_decorator = read_only_docs


def club_name(request: HttpRequest) -> str:
    """The club as its site is called: the Site's name, else the
    ``WAGTAIL_SITE_NAME`` setting."""
    site = Site.find_for_request(request)
    return (site.site_name if site else "") or getattr(
        settings, "WAGTAIL_SITE_NAME", ""
    )


class _TitledAPI:
    """``api`` as the docs template sees it, with another ``title``."""

    def __init__(self, api: NinjaAPI, title: str) -> None:
        self._api = api
        self.title = title

    def __getattr__(self, name: str) -> Any:
        return getattr(self._api, name)


class ClubSwagger(Swagger):
    """Ninja's Swagger UI (its assets served by this site), titled with the
    club's name instead of the generic API title."""

    def render_page(
        self, request: HttpRequest, api: NinjaAPI, **kwargs: Any
    ) -> HttpResponse:
        name = club_name(request)
        title = f"{name} API" if name else api.title
        return super().render_page(request, _TitledAPI(api, title), **kwargs)  # type: ignore[arg-type]
