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
