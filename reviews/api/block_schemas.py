"""StreamField blocks as the API sends them, one schema per block type.

Each stream is a list discriminated by ``type``, so the OpenAPI document says
exactly which blocks a body holds and what each value looks like, and
generated clients get a typed union instead of ``any``. The shapes are those
of each block's ``get_api_representation`` in :mod:`reviews.blocks`; a test
keeps the two in step.
"""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Field, Schema

RICH_TEXT = "Rich text in the requested rich_text_format (default: Wagtail's HTML)."


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
