"""StreamField blocks as the API sends them, one schema per block type.

Each stream is a list discriminated by ``type``, so the OpenAPI document says
exactly which blocks a body holds and what each value looks like, and
generated clients get a typed union instead of ``any``. The shapes are those
of each block's ``get_api_representation`` in :mod:`reviews.blocks`; a test
keeps the two in step.

The write schemas (the club's review writes, Wagtail's generic page writes)
document the same unions as the API takes them back
(:data:`ReviewBodyInputItem`, :class:`QuestionBlockInSchema`, through
:func:`documented_as`): what a client read, or books and images by id. They
only document: :mod:`reviews.api.review_input` reads the body, so a bad block
stays the one 400 problem naming where it is.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator
from wagtail.api.rich_text import RichTextInputFormat

from .params import MAX_ID

RICH_TEXT = "Rich text in the requested rich_text_format (default: Wagtail's HTML)."


#: Ids fit a 32-bit integer column.
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]


class BookIdSchema(Schema):
    id: ObjectId


class BlockBookSchema(Schema):
    id: int
    title: str


class QuoteValueSchema(Schema):
    text: str
    attribution: str


class BlockImageSchema(Schema):
    id: int
    title: str
    alt: str
    url: str
    width: int
    height: int


class ImageValueSchema(Schema):
    image: BlockImageSchema | None = Field(
        description="null when the image is no longer available."
    )
    caption: str


class _Block(Schema):
    id: str | None = Field(None, description="Stable within the stream.")


class ParagraphBlockSchema(_Block):
    type: Literal["paragraph"]
    value: str = Field(description=RICH_TEXT)


class HeadingBlockSchema(_Block):
    type: Literal["heading"]
    value: str


class QuoteBlockSchema(_Block):
    type: Literal["quote"]
    value: QuoteValueSchema


class ImageBlockSchema(_Block):
    type: Literal["image"]
    value: ImageValueSchema


SpoilerContentItem = Annotated[
    ParagraphBlockSchema | QuoteBlockSchema | ImageBlockSchema,
    Field(discriminator="type"),
]


class SpoilerValueSchema(Schema):
    spoils: BlockBookSchema | None = Field(
        description="The book it reveals; null: the reviewed book."
    )
    chapter: int | None = Field(
        description="Reveals the book up to this chapter; null: anything, "
        "the ending included."
    )
    label: str = Field(description="A spoiler-free warning to show instead.")
    hidden: bool = Field(
        description="True while the reader has not read that far (see the "
        "read and spoilers parameters, or the member's progress)."
    )
    content: list[SpoilerContentItem] | None = Field(
        description="The passage; null while hidden (it is never sent then)."
    )


class SpoilerBlockSchema(_Block):
    type: Literal["spoiler"]
    value: SpoilerValueSchema


ReviewBodyItem = Annotated[
    ParagraphBlockSchema
    | HeadingBlockSchema
    | QuoteBlockSchema
    | ImageBlockSchema
    | SpoilerBlockSchema,
    Field(discriminator="type"),
]


class QuestionValueSchema(Schema):
    book: BlockBookSchema | None = Field(
        description="The book the question is about; null: the discussed book."
    )
    chapter: int | None = Field(
        description="Gated to readers who reached this chapter; null: the whole book."
    )
    hidden: bool
    question: str | None = Field(description="null while hidden.")


class QuestionBlockSchema(_Block):
    type: Literal["question"]
    value: QuestionValueSchema


# What a write takes: the read shapes above, sent back, or ids. Headings are
# sent as they are read.


class RichTextInSchema(Schema):
    """Rich text in another input format than the plain string (database
    HTML), as Wagtail's rich text input reads it."""

    format: RichTextInputFormat = "db_html"
    content: str


class ParagraphBlockInSchema(_Block):
    type: Literal["paragraph"]
    value: str | RichTextInSchema = Field(
        description="Database HTML, or {format, content}; sanitised to the "
        "features of a review's text: bold, italic, links, lists, and links "
        'to documents you may see (<a linktype="document" id="…">).',
    )


class ImageIdSchema(Schema):
    """An image as the API shows it, sent back: only the id counts (and
    ``alt``, the image's alternative text in this block)."""

    id: ObjectId
    alt: str | None = None


class QuoteValueInSchema(Schema):
    text: str
    attribution: str | None = None


class ImageValueInSchema(Schema):
    image: ObjectId | ImageIdSchema = Field(description="An id, or {id, …}.")
    caption: str | None = None


class QuoteBlockInSchema(_Block):
    type: Literal["quote"]
    value: QuoteValueInSchema


class ImageBlockInSchema(_Block):
    type: Literal["image"]
    value: ImageValueInSchema


SpoilerContentInputItem = Annotated[
    ParagraphBlockInSchema | QuoteBlockInSchema | ImageBlockInSchema,
    Field(discriminator="type"),
]


class SpoilerValueInSchema(Schema):
    spoils: ObjectId | BookIdSchema | None = Field(
        None,
        description="The book it reveals, an id or {id, …}; null: the reviewed book.",
    )
    chapter: int | None = Field(None, ge=1, le=32767)
    label: str
    hidden: bool | None = Field(None, description="Ignored; as read.")
    content: list[SpoilerContentInputItem] | None = Field(
        None,
        description="null (as read while hidden) keeps the stored content of "
        "the spoiler with the same id; a new spoiler needs its content.",
    )


class SpoilerBlockInSchema(_Block):
    type: Literal["spoiler"]
    value: SpoilerValueInSchema


ReviewBodyInputItem = Annotated[
    ParagraphBlockInSchema
    | HeadingBlockSchema
    | QuoteBlockInSchema
    | ImageBlockInSchema
    | SpoilerBlockInSchema,
    Field(discriminator="type"),
]


class QuestionValueInSchema(Schema):
    question: str
    book: ObjectId | BookIdSchema | None = Field(
        None, description="An id or {id, …}; null: the discussed book."
    )
    chapter: int | None = Field(None, ge=1, le=32767)


class QuestionBlockInSchema(_Block):
    type: Literal["question"]
    value: QuestionValueInSchema


def _as_sent(value: Any) -> Any:
    return value


def documented_as(input_type: Any) -> BeforeValidator:
    """Annotation metadata: the document shows ``input_type`` for the field,
    while validation stays that of the annotated type (then
    :mod:`reviews.api.review_input`), so that errors keep their shape."""
    return BeforeValidator(_as_sent, json_schema_input_type=input_type)


#: A review body as a write takes it (documented; see the module's text).
ReviewBodyInput = Annotated[
    list[dict[str, Any]], documented_as(list[ReviewBodyInputItem])
]


def type_club_streams_in_wagtail_api() -> None:
    """Type the club's StreamFields in Wagtail's own v3 page schemas
    (``/api/v3/pages/``) with the same unions as the club's endpoints.

    Wagtail types every StreamField as a list of anything; its schema
    generator takes a function per field class, so the club's wraps Wagtail's
    and only changes the item type of the club's streams. It must run before
    Wagtail builds the page schemas (the app's ``ready``).
    """
    from wagtail.api.v3.schemas import read_generator
    from wagtail.fields import StreamField

    from ..blocks import QuestionStreamBlock, ReviewStreamBlock

    wagtail_schema = read_generator.field_schemas.get(StreamField)
    if wagtail_schema is None or getattr(wagtail_schema, "types_club_streams", False):
        return
    items = {
        ReviewStreamBlock: ReviewBodyItem,
        QuestionStreamBlock: QuestionBlockSchema,
    }

    def club_stream_schema(generator, field):
        annotation, default, resolve = wagtail_schema(generator, field)
        item = items.get(type(field.stream_block))
        if item is None:
            return annotation, default, resolve
        return list[item], default, resolve  # type: ignore[valid-type]

    club_stream_schema.types_club_streams = True  # type: ignore[attr-defined]
    read_generator.register_field_schema(StreamField, club_stream_schema)
