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
  takes ``book_id``); a member (a review's ``reviewer``) is their public id,
  never the user's key, and only an editor names someone else
  (:func:`reviewer_chosen_by_editors`).
- a page id in the path that is no id: Wagtail looks the page's type up
  before the path is validated, so ``PATCH /pages/abc/`` failed inside the
  database lookup. Here it is the same 400 naming ``page_id`` as a ``GET``.
- the club's StreamFields: Wagtail takes "a list of anything" and fails on a
  malformed block. Here a body or a question list is read by
  :mod:`reviews.api.review_input`, the same reader as the club's own review
  writes, so a bad block is a 400 naming where it is, and a spoiler's or a
  question's book is an id or ``{"id", …}``; the document types them as
  :mod:`reviews.api.block_schemas` does. A PATCH may send a spoiler back
  hidden, as it read it: it keeps its stored content
  (:func:`keep_hidden_spoilers`).

:func:`accept_club_input` must run before Wagtail builds the page schemas
(the app's ``ready``), like
:func:`reviews.api.block_schemas.type_club_streams_in_wagtail_api`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import ForeignKey, Model
from django.http import Http404, HttpRequest
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import AfterValidator, Field, PlainSerializer, TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError
from wagtail.api import APIField
from wagtail.api.conf import get_model_field
from wagtail.fields import StreamField
from wagtail.models import Page

from ..blocks import ReviewStreamBlock
from ..members import may_choose_reviewer
from ..models.members import PUBLIC_ID_LENGTH, MemberProfile
from ..visibility import can_view_page
from .block_schemas import QuestionBlockInSchema, ReviewBodyInputItem, documented_as
from .params import MAX_ID
from .review_input import (
    KEEP_LATER,
    BodyInputError,
    existing_spoilers,
    fill_kept_content,
    questions_to_raw,
    stream_to_raw,
)
from .schemas import BookIdSchema, ObjectId, ReviewerIdSchema

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


def _member_key(value: str | ReviewerIdSchema | None) -> int | None:
    """The user behind a member's public id; an unknown id is an error on
    the field that named it."""
    if value is None:
        return None
    public_id = value.id if isinstance(value, ReviewerIdSchema) else value
    user_id = (
        MemberProfile.objects.filter(public_id=public_id)
        .values_list("user_id", flat=True)
        .first()
    )
    if user_id is None:
        raise PydanticCustomError(
            "unknown_member",
            "No member has the public id '{public_id}'.",
            {"public_id": public_id},
        )
    return user_id


def _member_input(field: ForeignKey) -> tuple[Any, Any]:
    """A member by their public id (the one the API shows and the
    ``reviewer`` filter takes, never the user's key), or ``{"id", …}`` as
    the API shows them."""
    annotation: Any = Annotated[
        Annotated[str, Field(min_length=1, max_length=PUBLIC_ID_LENGTH)]
        | ReviewerIdSchema
        | None,
        AfterValidator(_member_key),
        # Validated, it holds the user's key, which the form takes as is.
        PlainSerializer(lambda user_id: user_id),
    ]
    return annotation, Field(
        None,
        title=str(field.verbose_name).capitalize(),
        description=f"The {field.verbose_name}: a member's public id, or "
        "{id, …} as the API shows them. Only an editor names someone else.",
    )


def _books_and_members_by_id(generator: Any) -> None:
    from ..models import Book

    wagtail_schema = generator.field_schemas[ForeignKey]
    if getattr(wagtail_schema, "takes_books_by_id", False):
        return

    def foreign_key_schema(generator: Any, field: Any) -> Any:
        if field.related_model is Book:
            return _book_input(field)
        if field.related_model is get_user_model():
            return _member_input(field)
        return wagtail_schema(generator, field)

    foreign_key_schema.takes_books_by_id = True  # type: ignore[attr-defined]
    generator.register_field_schema(ForeignKey, foreign_key_schema)


def _where(error: BodyInputError) -> str:
    return ".".join(str(part) for part in error.loc)


def _stream_input(read: _StreamReader, documented: Any, description: str) -> Any:
    def to_raw(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        try:
            return read(items, ())
        except BodyInputError as error:
            raise PydanticCustomError(
                "invalid_block",
                "{where}: {text}",
                {"where": _where(error), "text": error.text},
            ) from error

    return Annotated[
        list[dict[str, Any]],
        AfterValidator(to_raw),
        documented_as(documented),
        Field(description=description),
    ]


def _club_streams_take_api_input(generator: Any) -> None:
    from wagtail.fields import StreamField

    from ..blocks import QuestionStreamBlock, ReviewStreamBlock

    wagtail_schema = generator.field_schemas.get(StreamField)
    if wagtail_schema is None or getattr(wagtail_schema, "reads_club_streams", False):
        return
    # A PATCH reads a spoiler sent back hidden before its page is known;
    # keep_hidden_spoilers fills its content in once it is.
    existing = KEEP_LATER if generator.for_update else None
    inputs = {
        ReviewStreamBlock: _stream_input(
            functools.partial(stream_to_raw, existing=existing),
            list[ReviewBodyInputItem],
            "Blocks as the API shows them; a spoiler's book is an id or {id, …} "
            "(null: the reviewed book), and a new spoiler needs its content"
            + (
                "; one sent back hidden, with its id, keeps its content."
                if generator.for_update
                else "."
            ),
        ),
        QuestionStreamBlock: _stream_input(
            questions_to_raw,
            list[QuestionBlockInSchema],
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
            page_id = _PAGE_ID.validate_python(path_params.get(name), strict=False)
        except PydanticValidationError as error:
            raise NinjaValidationError(
                [
                    {**detail, "loc": ("path", name, *detail["loc"])}
                    for detail in error.errors(include_url=False)
                ]
            ) from error
        # The body is validated against this type before the view runs: a
        # page the token may not see must not lend it its schema, whose
        # errors would name its type where a missing page is a 404.
        visible_page_or_404(page_id, request.user)
        return original(cls, request, api, path_params)

    get_meta_type.checks_page_id = True  # type: ignore[attr-defined]
    PageTypeInjectingBodyModel.get_meta_type = classmethod(get_meta_type)  # type: ignore[method-assign,assignment]


#: What a page write says of a page that does not exist, or that the token
#: may not know exists (Wagtail's own ``get_object_or_404`` wording).
MISSING_PAGE = "No Page matches the given query."


def visible_page_or_404(page_id: int, user: Any) -> Page:
    """The page ``page_id``, or a 404 alike for a missing page and for one
    ``user`` may not know exists (:func:`reviews.visibility.can_view_page`)."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None or not can_view_page(page, user):
        raise Http404(MISSING_PAGE)
    return page


def keep_hidden_spoilers(request: HttpRequest, kwargs: dict[str, Any]) -> None:
    """Before Wagtail's page PATCH (``kwargs`` its arguments): give each
    spoiler sent back hidden the content the page's latest revision holds
    under the same block id (:func:`reviews.api.review_input.fill_kept_content`);
    one that matches none is a 400 saying where. Anyone who may not edit
    the page gets the 403 Wagtail's edit would give, before the body is
    compared with its latest (perhaps unpublished) revision, which would
    tell them which spoilers that revision holds."""
    data = kwargs.get("data")
    page = Page.objects.filter(pk=kwargs.get("page_id")).first()
    if data is None or page is None or page.specific_class is None:
        return
    sent = sorted(
        field.name
        for field in page.specific_class._meta.get_fields()
        if isinstance(field, StreamField)
        and isinstance(field.stream_block, ReviewStreamBlock)
        and field.name in data.model_fields_set
        and getattr(data, field.name) is not None
    )
    if not sent:
        return
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied(
            "You do not have permission to perform the 'edit' action on this object."
        )
    latest = page.specific.get_latest_revision_as_object()
    for name in sent:
        try:
            filled = fill_kept_content(
                getattr(data, name), existing_spoilers(getattr(latest, name))
            )
        except BodyInputError as error:
            raise NinjaValidationError(
                [
                    {
                        "type": "invalid_block",
                        "loc": ["body", "data", page.specific_class._meta.label, name],
                        "msg": f"{_where(error)}: {error.text}",
                        "ctx": {"where": _where(error), "text": error.text},
                    }
                ]
            ) from error
        setattr(data, name, filled)


def reviewer_chosen_by_editors(request: HttpRequest, kwargs: dict[str, Any]) -> None:
    """Before Wagtail's page create and PATCH (``kwargs`` their arguments):
    only someone who may publish a review names its reviewer
    (:func:`reviews.members.may_choose_reviewer`); a member naming anyone but
    themselves is refused, where the admin form would quietly keep them."""
    data = kwargs.get("data")
    if data is None or "reviewer" not in data.model_fields_set:
        return
    chosen = data.reviewer
    if chosen is None or chosen == request.user.pk:
        return
    review = parent = None
    if kwargs.get("page_id") is not None:
        review = Page.objects.filter(pk=kwargs["page_id"]).first()
    else:
        parent = Page.objects.filter(pk=data.meta.parent_id).first()
    if (review or parent) is None or may_choose_reviewer(
        request.user, review=review, parent=parent
    ):
        return
    raise PermissionDenied(
        "Only an editor names a review's reviewer: a member's review is their own."
    )


def accept_club_input() -> None:
    """Make Wagtail's create and patch schemas take the club's fields, and its
    page PATCH check the page id first."""
    from wagtail.api.v3.schemas import create_generator, patch_generator

    _page_id_checked_first()
    for generator in (create_generator, patch_generator):
        _serialized_fields_take_input(generator)
        _books_and_members_by_id(generator)
        _club_streams_take_api_input(generator)
