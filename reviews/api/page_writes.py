"""What Wagtail's generic v3 page writes (``POST /api/v3/pages/``,
``PATCH /api/v3/pages/{id}/``) accept for the club's page types.

Wagtail builds each page type's input schema from its writable APIFields and
binds the type's own admin form to it, so the form's and the model's
``clean()`` run as in the admin. Two kinds of field need the club's help:

- a writable field that is *shown* through a serializer (a review's
  ``book``, its ``tags``): Wagtail leaves it out of the input, so the form
  lacked a required field. Here it takes the model field's input.
- a book (a review's, a discussion's, a series entry's) is its id, or
  ``{"id", …}`` as the API shows it, under the field's own name (Wagtail
  takes ``book_id``).
- a page id in the path that is no id: Wagtail looks the page's type up
  before the path is validated, so ``PATCH /pages/abc/`` failed inside the
  database lookup. Here it is the same 400 naming ``page_id`` as a ``GET``.
- the club's StreamFields: Wagtail takes "a list of anything" and fails on a
  malformed block. Here a body or a question list is read by
  :mod:`reviews.api.review_input`, the same reader as the club's own review
  writes, so a bad block is a 400 naming where it is, and a spoiler's or a
  question's book is an id or ``{"id", …}``.

:func:`accept_club_input` must run before Wagtail builds the page schemas
(the app's ``ready``), like
:func:`reviews.api.block_schemas.type_club_streams_in_wagtail_api`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import ForeignKey, Model
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import AfterValidator, Field, TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError
from wagtail.api import APIField
from wagtail.api.conf import get_model_field

from .params import MAX_ID
from .review_input import BodyInputError, questions_to_raw, stream_to_raw
from .schemas import BookIdSchema, ObjectId

#: The generators' method that lists the input fields a model's APIFields add.
_EXTRA_FIELDS = "_build_extra_fields"
#: Each club stream's block, and the reader turning its API form into the
#: stored one.
_StreamReader = Callable[[Any, tuple], list[dict[str, Any]]]


def _id_of(value: int | BookIdSchema) -> int:
    return value.id if isinstance(value, BookIdSchema) else value


def _book_input(field: ForeignKey) -> tuple[Any, Any]:
    """A book by id, or ``{"id", …}`` as the API shows it."""
    required = not (field.null or field.blank)
    annotation: Any = Annotated[ObjectId | BookIdSchema, AfterValidator(_id_of)]
    if not required:
        annotation = annotation | None
    return annotation, Field(
        ... if required else None,
        title=str(field.verbose_name).capitalize(),
        description=f"The {field.verbose_name}: an id, or {{id, …}} as the API "
        "shows it.",
    )


def _serialized_fields_take_input(generator: Any) -> None:
    """Give ``generator`` the writable APIFields that are shown through a
    serializer, with their model field's input shape."""
    build = getattr(generator, _EXTRA_FIELDS, None)
    if build is None:
        raise ImproperlyConfigured(
            f"Wagtail's input schema generator has no {_EXTRA_FIELDS}: the "
            "club's page types would lose their writable fields."
        )
    if getattr(build, "takes_serialized_fields", False):
        return

    def extra_fields(model: type[Model]) -> dict[str, tuple[Any, Any]]:
        fields = build(model)
        for api_field in APIField.get_writable_fields_for_model(model):
            if api_field.serializer is None or api_field.name in fields:
                continue
            model_field: Any = get_model_field(model, api_field.name)
            schema = next(
                generator.field_schemas[cls](generator, model_field)
                for cls in type(model_field).mro()
                if cls in generator.field_schemas
            )
            if generator.for_update:
                schema = generator._make_optional(schema)
            fields[api_field.name] = schema
        return fields

    extra_fields.takes_serialized_fields = True  # type: ignore[attr-defined]
    setattr(generator, _EXTRA_FIELDS, extra_fields)


def _books_by_id(generator: Any) -> None:
    from ..models import Book

    wagtail_schema = generator.field_schemas[ForeignKey]
    if getattr(wagtail_schema, "takes_books_by_id", False):
        return

    def foreign_key_schema(generator: Any, field: Any) -> Any:
        if field.related_model is Book:
            return _book_input(field)
        return wagtail_schema(generator, field)

    foreign_key_schema.takes_books_by_id = True  # type: ignore[attr-defined]
    generator.register_field_schema(ForeignKey, foreign_key_schema)


def _stream_input(read: _StreamReader, description: str) -> Any:
    def to_raw(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        try:
            return read(items, ())
        except BodyInputError as error:
            where = ".".join(str(part) for part in error.loc)
            raise PydanticCustomError(
                "invalid_block", "{where}: {text}", {"where": where, "text": error.text}
            ) from error

    return Annotated[
        list[dict[str, Any]],
        AfterValidator(to_raw),
        Field(description=description),
    ]


def _club_streams_take_api_input(generator: Any) -> None:
    from wagtail.fields import StreamField

    from ..blocks import QuestionStreamBlock, ReviewStreamBlock

    wagtail_schema = generator.field_schemas.get(StreamField)
    if wagtail_schema is None or getattr(wagtail_schema, "reads_club_streams", False):
        return
    inputs = {
        ReviewStreamBlock: _stream_input(
            stream_to_raw,
            "Blocks as the API shows them; a spoiler's book is an id or {id, …} "
            "(null: the reviewed book), and a new spoiler needs its content.",
        ),
        QuestionStreamBlock: _stream_input(
            questions_to_raw,
            "Questions as the API shows them; a question's book is an id or "
            "{id, …} (null: the discussed book).",
        ),
    }

    def club_stream_schema(generator: Any, field: Any) -> Any:
        item = inputs.get(type(field.stream_block))
        if item is None:
            return wagtail_schema(generator, field)
        return item, []

    club_stream_schema.reads_club_streams = True  # type: ignore[attr-defined]
    generator.register_field_schema(StreamField, club_stream_schema)


#: A page id as Wagtail's own ``GET /pages/{page_id}/`` takes it, bounded to
#: what the database holds.
_PAGE_ID = TypeAdapter(Annotated[int, Field(ge=1, le=MAX_ID)])


def _page_id_checked_first() -> None:
    """Validate the path's page id before Wagtail's page PATCH looks up the
    page's type with it."""
    from wagtail.api.v3.schemas.pages import PageTypeInjectingBodyModel

    lookup = PageTypeInjectingBodyModel.__dict__.get("get_meta_type")
    if not isinstance(lookup, classmethod):
        raise ImproperlyConfigured(
            "Wagtail's PageTypeInjectingBodyModel.get_meta_type is gone: a page "
            "PATCH to a path that is no id would fail in the database."
        )
    original = lookup.__func__
    if getattr(original, "checks_page_id", False):
        return
    name = PageTypeInjectingBodyModel.page_id_param

    def get_meta_type(cls, request, api, path_params) -> str:
        try:
            _PAGE_ID.validate_python(path_params.get(name), strict=False)
        except PydanticValidationError as error:
            raise NinjaValidationError(
                [
                    {**detail, "loc": ("path", name, *detail["loc"])}
                    for detail in error.errors(include_url=False)
                ]
            ) from error
        return original(cls, request, api, path_params)

    get_meta_type.checks_page_id = True  # type: ignore[attr-defined]
    PageTypeInjectingBodyModel.get_meta_type = classmethod(get_meta_type)  # type: ignore[method-assign,assignment]


def accept_club_input() -> None:
    """Make Wagtail's create and patch schemas take the club's fields, and its
    page PATCH check the page id first."""
    from wagtail.api.v3.schemas import create_generator, patch_generator

    _page_id_checked_first()
    for generator in (create_generator, patch_generator):
        _serialized_fields_take_input(generator)
        _books_by_id(generator)
        _club_streams_take_api_input(generator)
