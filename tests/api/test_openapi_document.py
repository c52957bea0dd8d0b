"""The served OpenAPI document is valid, names every schema once, and what the
endpoints really answer matches it: a client generated from it gets typed data.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from jsonschema import Draft202012Validator
from ninja import main as ninja_main
from ninja.openapi.schema import OpenAPISchema
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from wagtail.api.v3.urls import api
from wagtail.models import Page, Revision, Site
from wagtail.snippets.models import get_snippet_models

from reviews import cache_tags
from reviews.api.openapi import forget_documents
from reviews.blocks import QuestionStreamBlock, ReviewStreamBlock, SpoilerContentBlock
from reviews.invalidation import retire
from reviews.models import (
    Book,
    DiscussionPage,
    NominationRound,
    ReviewPage,
    SeriesPage,
)
from tests.api.helpers import image_block
from tests.factories import (
    BookFactory,
    make_image,
    make_review,
    paragraph,
    token_client,
)
from tests.fixtures.database import built_once

#: Serving a document reads the cache tags in the database.
pytestmark = pytest.mark.django_db

DOCUMENT_URL = "/api/v3/openapi.json"


def _served(client: Client) -> dict[str, Any]:
    response = client.get(DOCUMENT_URL)
    assert response.status_code == 200
    return response.json()


@pytest.fixture(scope="module")
def served_document(django_db_setup, django_db_blocker) -> Iterator[dict[str, Any]]:
    """The document as served, generated once for the module: each
    generation takes a second or more, and no test here changes what it
    holds (the one that renames the club asks for its own)."""
    with built_once(django_db_blocker):
        yield _served(Client())


@pytest.fixture
def document(served_document: dict[str, Any]) -> dict[str, Any]:
    """A copy of the served document that a test may change."""
    return copy.deepcopy(served_document)


def test_the_served_document_is_valid_openapi(document):
    validate(document)


def test_anonymous_access_is_an_optional_security_requirement(document):
    schemes = document["components"]["securitySchemes"]
    for name, scheme in schemes.items():
        if scheme["type"] == "http":
            assert scheme.get("scheme"), name
    books = document["paths"]["/api/v3/books/"]["get"]
    assert {} in books["security"]
    assert any(requirement for requirement in books["security"])
    progress = document["paths"]["/api/v3/progress/"]["get"]
    assert {} not in progress["security"]


def test_every_error_is_documented_as_a_problem(document):
    """As every error is served: application/problem+json, the Problem
    schema; Wagtail's own operations included."""
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} <= set(problem["required"])
    assert "param" in problem["properties"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            errors = {
                status: response
                for status, response in operation["responses"].items()
                if int(status) >= 400
            }
            assert "400" in errors, (method, path)
            if "{" in path:
                assert "404" in errors, (method, path)
            for status, response in errors.items():
                assert response["content"] == {
                    "application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/Problem"}
                    }
                }, (method, path, status)
    create = document["paths"]["/api/v3/pages/"]["post"]["responses"]
    assert {"401", "403"} <= set(create)


def test_every_operation_that_reads_a_token_documents_its_401(document):
    """A public read answers a bad bearer token with a 401 as a write does;
    an operation that needs a token may also answer 403."""
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            security = operation.get("security") or [{}]
            responses = set(operation["responses"])
            if any(requirement for requirement in security):
                assert "401" in responses, (method, path)
            if {} not in security:
                assert "403" in responses, (method, path)
    listing = document["paths"]["/api/v3/pages/"]["get"]["responses"]
    assert "401" in listing


def test_an_error_answers_as_its_document_says(client, document):
    response = client.get("/api/v3/reviews/", {"rating_min": "lots"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    schema = document["components"]["schemas"]["Problem"]
    Draft202012Validator(schema).validate(response.json())


def test_no_two_schemas_share_a_name(monkeypatch):
    """Component names are global: a second model of the same name silently
    replaces the first in the document, and responses of the first then fail
    their own schema (the club's book once replaced Wagtail's Book snippet)."""
    definitions: dict[str, set[str]] = defaultdict(set)
    add = OpenAPISchema.add_schema_definitions

    def recording(self, found: dict) -> None:
        for name, definition in found.items():
            definitions[name].add(json.dumps(definition, sort_keys=True, default=str))
        add(self, found)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", recording)
    forget_documents()  # built again, not the one this process already has
    api.get_openapi_schema()
    assert definitions
    shared = sorted(name for name, found in definitions.items() if len(found) > 1)
    assert shared == []


def test_a_content_change_does_not_build_the_document_again(
    client, settings, monkeypatch
):
    """The document describes the API, not its content: after a publish,
    a comment or a vote (which retire every cached response) the next
    client to ask is served the document the process already built, not
    a new build of it (about 0.3 s of CPU)."""
    settings.WAGTAIL_SITE_NAME = "Siege Readers"
    builds = []
    build = ninja_main.get_schema

    def counted(*args: Any, **kwargs: Any) -> Any:
        builds.append(1)
        return build(*args, **kwargs)

    monkeypatch.setattr(ninja_main, "get_schema", counted)
    first = _served(client)
    retire([cache_tags.REVIEWS])
    second = _served(client)
    assert second == first
    assert first["info"]["title"] == "Siege Readers API"
    assert len(builds) == 1


def _class_name(schema_name: str) -> str:
    """Roughly the class name a code generator derives (openapi-python-client
    and openapi-typescript drop punctuation and case)."""
    return re.sub(r"[^0-9a-z]", "", schema_name.lower())


def test_schema_names_stay_distinct_in_generated_code(document):
    names = document["components"]["schemas"]
    by_class: dict[str, list[str]] = defaultdict(list)
    for name in names:
        by_class[_class_name(name)].append(name)
    assert [found for found in by_class.values() if len(found) > 1] == []


def _validator(document: dict[str, Any], pointer: str) -> Draft202012Validator:
    root = {**document, "$id": "urn:openapi"}
    registry = Registry().with_resource(
        "urn:openapi", Resource.from_contents(root, default_specification=DRAFT202012)
    )
    return Draft202012Validator({"$ref": f"urn:openapi#{pointer}"}, registry=registry)


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


@pytest.fixture
def demo(db) -> None:
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", stdout=devnull)


def _path_values(
    path: str, operation: dict[str, Any], client: Client
) -> list[dict[str, Any]]:
    """Real values for a path's parameters: every public page and page type,
    every snippet model the API serves; [] where the demo has no such item."""
    pages = list(Page.objects.live().public().filter(depth__gt=1).specific())
    if "/snippets/" in path:
        values = []
        for model in get_snippet_models():
            instance = model.objects.order_by("pk").first()
            served = f'"{model._meta.label}"' in json.dumps(operation["parameters"])
            if instance is None or not served:
                continue
            value: dict[str, Any] = {"type": model._meta.label, "pk": instance.pk}
            if "{revision_id}" in path:
                revision = Revision.objects.for_instance(instance).first()
                if revision is None:
                    continue
                value["revision_id"] = revision.pk
            values.append(value)
        return values
    if "{revision_id}" in path:
        return [
            {"page_id": page.pk, "revision_id": page.latest_revision_id}
            for page in pages
            if page.latest_revision_id
        ]
    if path.startswith("/api/v3/discussions/{page_id}/"):
        values = []
        for discussion in DiscussionPage.objects.live():
            listing = client.get(
                f"/api/v3/discussions/{discussion.pk}/comments/?spoilers=show"
            )
            values += [
                {
                    "page_id": discussion.pk,
                    "comment_id": item["id"],
                    "?": "spoilers=show",
                }
                for item in listing.json()["items"][:1]
            ]
        assert values
        return values
    if "{page_id}" in path:
        return [{"page_id": page.pk} for page in pages]
    if "{type_name}" in path:
        return [{"type_name": name} for name in {p._meta.label for p in pages}]
    ids = {
        "book_id": Book.objects.get(title="The Siege").pk,
        "review_id": ReviewPage.objects.live().first().pk,
        "series_id": SeriesPage.objects.live().first().pk,
        "discussion_id": DiscussionPage.objects.live().first().pk,
        "site_id": Site.objects.get(is_default_site=True).pk,
        "image_id": Book.objects.get(title="The Siege").cover_id,
        "round_id": NominationRound.objects.first().pk,
    }
    wanted = re.findall(r"{(\w+)}", path)
    if any(name not in ids for name in wanted):
        return []  # e.g. documents and redirects: the demo has none
    return [{name: ids[name] for name in wanted}]


#: Reads that need something a plain GET cannot give (a signed preview token,
#: a path to find), and exports that are not JSON.
NOT_PLAIN_READS = {
    "/api/v3/preview/",
    "/api/v3/pages/find/",
    "/api/v3/redirects/find/",
    "/api/v3/reading/export.csv",
}


def test_every_read_answers_what_its_schema_says(demo, document):
    """Every GET of the document, on every page type and snippet of the demo,
    anonymously and with a member's and an admin's token: the 200 body
    validates against the documented 200 schema."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    for who, client in [
        ("anonymous", Client()),
        ("member", token_client(users.get(username="alice"))),
        ("admin", token_client(users.get(username="admin"))),
    ]:
        _check_reads(who, client, document)


def _check_reads(who: str, client: Client, document: dict[str, Any]) -> None:
    checked: list[str] = []
    failures: list[str] = []
    for path, operations in document["paths"].items():
        operation = operations.get("get")
        if operation is None or path in NOT_PLAIN_READS:
            continue
        pointer = (
            f"/paths/{_escape(path)}/get/responses/200/content/application~1json/schema"
        )
        validator = _validator(document, pointer)
        for values in _path_values(path, operation, client):
            url = path.format(**values)
            if "?" in values:
                url += "?" + values["?"]
            response = client.get(url)
            if response.status_code in (401, 403, 404) and (
                who != "admin" or path == "/api/v3/progress/{book_id}/"
            ):
                continue  # not theirs to read, or (progress) not recorded
            assert response.status_code == 200, (url, response.content[:300])
            errors = sorted(
                validator.iter_errors(response.json()), key=lambda e: e.path
            )
            failures += [
                f"{url}: {'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
                for e in errors[:3]
            ]
            checked.append(url)
    assert "/api/v3/books/" in checked
    assert "/api/v3/discussions/" in checked
    if who == "admin":
        assert "/api/v3/snippets/reviews.Book/" in checked
    assert failures == []


def _discriminated(schema: dict[str, Any]) -> set[str]:
    assert schema["discriminator"]["propertyName"] == "type"
    return set(schema["discriminator"]["mapping"])


def test_stream_fields_are_typed_unions_of_their_block_types(document):
    """Generators build one type per block from the discriminator; every
    block a stream may hold has its schema, and nothing else does."""
    schemas = document["components"]["schemas"]
    body = schemas["ReviewSchema"]["properties"]["body"]["items"]
    assert _discriminated(body) == set(ReviewStreamBlock().child_blocks)
    spoiler = schemas["SpoilerValueSchema"]["properties"]["content"]["anyOf"][0]
    assert _discriminated(spoiler["items"]) == set(SpoilerContentBlock().child_blocks)
    question = schemas["DiscussionSchema"]["properties"]["questions"]["items"]
    name = question["$ref"].rsplit("/", 1)[-1]
    assert {schemas[name]["properties"]["type"]["const"]} == set(
        QuestionStreamBlock().child_blocks
    )
    hidden = schemas["SpoilerValueSchema"]["properties"]["hidden"]
    assert hidden["type"] == "boolean"
    # Wagtail's own page endpoints type the same fields the same way.
    assert schemas["ReviewPageSchema"]["properties"]["body"]["items"] == body
    wagtail_questions = schemas["DiscussionPageSchema"]["properties"]["questions"]
    assert wagtail_questions["items"] == question


def _review_with_every_block(book: Book, photo: dict[str, Any]) -> ReviewPage:
    """A review holding each block type, a spoiler of ``book`` with each
    content block type."""
    return make_review(
        book=book,
        body=[
            paragraph("Open text."),
            {"type": "heading", "value": "Part one"},
            {"type": "quote", "value": {"text": "Cold.", "attribution": "Ch. 1"}},
            photo,
            {
                "type": "spoiler",
                "value": {
                    "spoils": book.pk,
                    "chapter": 9,
                    "label": "Who survives",
                    "content": [
                        paragraph("Anna does."),
                        {
                            "type": "quote",
                            "value": {"text": "Bread", "attribution": ""},
                        },
                        photo,
                    ],
                },
            },
        ],
    )


def test_a_review_with_every_block_matches_its_schema(client, document):
    book = BookFactory(title="The Siege", chapter_count=30)
    photo = image_block(make_image("Photo"))
    page = _review_with_every_block(book, photo)
    validator = _validator(document, "/components/schemas/ReviewSchema")
    hidden = client.get(f"/api/v3/reviews/{page.pk}/").json()
    shown = client.get(f"/api/v3/reviews/{page.pk}/?spoilers=show").json()
    for data in (hidden, shown):
        assert list(validator.iter_errors(data)) == []
    assert hidden["body"][4]["value"]["content"] is None
    content = shown["body"][4]["value"]["content"]
    assert [block["type"] for block in content] == ["paragraph", "quote", "image"]
    assert content[2]["value"]["image"]["width"] > 0


@pytest.mark.parametrize(
    "url, title",
    [
        ("/api/v3/openapi.json", "Siege Readers API"),
        ("/api/v2/openapi.json", "Siege Readers API v2"),
    ],
)
def test_each_document_is_named_after_the_club(client, settings, url, title):
    settings.WAGTAIL_SITE_NAME = "Siege Readers"
    document = client.get(url).json()
    validate(document)
    assert document["info"]["title"] == title
    assert document["info"]["description"].startswith("Siege Readers")
    assert "Wagtail API" not in json.dumps(document["info"])


def _array(schema: dict[str, Any]) -> dict[str, Any]:
    """The array of a property that may also be null."""
    if schema.get("type") == "array":
        return schema
    return next(option for option in schema["anyOf"] if option.get("type") == "array")


#: Each write schema with a club stream, and the stream's property.
REVIEW_BODY_INPUTS = [
    ("ReviewInSchema", "body"),
    ("ReviewPatchSchema", "body"),
    ("ReviewPageCreateSchema", "body"),
    ("ReviewPagePatchSchema", "body"),
]
QUESTION_INPUTS = [
    ("DiscussionPageCreateSchema", "questions"),
    ("DiscussionPagePatchSchema", "questions"),
]


def test_write_bodies_are_typed_unions_of_their_block_types(document):
    """The club's review writes and Wagtail's generic page writes take a
    stream as a union discriminated by block type, as the reads show it, so
    generated clients type what they send too."""
    schemas = document["components"]["schemas"]
    for name, field in REVIEW_BODY_INPUTS:
        items = _array(schemas[name]["properties"][field])["items"]
        assert _discriminated(items) == set(ReviewStreamBlock().child_blocks), name
        spoiler = items["discriminator"]["mapping"]["spoiler"].rsplit("/", 1)[-1]
        value = schemas[spoiler]["properties"]["value"]["$ref"].rsplit("/", 1)[-1]
        content = _array(schemas[value]["properties"]["content"])["items"]
        assert _discriminated(content) == set(SpoilerContentBlock().child_blocks)
    for name, field in QUESTION_INPUTS:
        items = _array(schemas[name]["properties"][field])["items"]
        question = items["$ref"].rsplit("/", 1)[-1]
        assert {schemas[question]["properties"]["type"]["const"]} == set(
            QuestionStreamBlock().child_blocks
        ), name


def test_a_body_as_read_or_by_ids_matches_every_write_schema(client, document):
    """What a client read (hidden spoilers included) and what it writes from
    scratch (books and images by id) are both what the write schemas say."""
    book = BookFactory(title="The Siege", chapter_count=30)
    image = make_image("Photo")
    page = _review_with_every_block(book, image_block(image))
    by_ids = [
        {"type": "paragraph", "value": "<p>New.</p>"},
        {"type": "image", "value": {"image": image.pk}},
        {
            "type": "spoiler",
            "value": {
                "spoils": None,
                "label": "The end",
                "content": [{"type": "quote", "value": {"text": "Bread"}}],
            },
        },
    ]
    bodies = [
        client.get(f"/api/v3/reviews/{page.pk}/").json()["body"],
        client.get(f"/api/v3/reviews/{page.pk}/?spoilers=show").json()["body"],
        by_ids,
    ]
    for name, field in REVIEW_BODY_INPUTS:
        validator = _validator(
            document, f"/components/schemas/{name}/properties/{field}"
        )
        for body in bodies:
            assert list(validator.iter_errors(body)) == [], name
        wrong = [{"type": "spoiler", "value": {"label": "x", "content": "text"}}]
        assert list(validator.iter_errors(wrong)), name
