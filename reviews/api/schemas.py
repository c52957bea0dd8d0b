"""Typed response schemas of the club's v3 endpoints (they make the OpenAPI
document describe every field a frontend gets)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import ConfigDict, StrictBool, StrictInt, model_validator
from taggit.models import Tag

from ..models.members import PUBLIC_ID_LENGTH
from .block_schemas import (
    BookIdSchema,
    ObjectId,
    QuestionBlockSchema,
    ReviewBodyInput,
    ReviewBodyItem,
)

T = TypeVar("T")


class Paged(Schema, Generic[T]):
    count: int = Field(description="Matching items, over all pages.")
    items: list[T]


class RenditionSchema(Schema):
    url: str
    width: int
    height: int


class CoverSchema(Schema):
    id: int
    title: str
    alt: str
    thumbnail: RenditionSchema = Field(description="Cropped to 160×240.")
    large: RenditionSchema = Field(description="At most 600×900.")


class SeriesMembershipSchema(Schema):
    id: int = Field(description="The series page's id.")
    title: str
    position: int | float = Field(description="Place in the series, e.g. 2 or 2.5.")


class BookTitleSchema(Schema):
    id: int
    title: str


class BookSummarySchema(BookTitleSchema):
    author: str
    isbn13: str | None
    series: list[SeriesMembershipSchema]
    cover: CoverSchema | None
    html_url: str | None = Field(
        None, description="The book's page on the site: `/books/<slug>/`."
    )


class ClubBookSchema(BookSummarySchema):
    """A book of the catalogue (``/books/``); Wagtail's own snippet endpoint
    names its schema ``BookSchema``, so this one carries the club's name."""

    published_year: int | None
    chapter_count: int | None
    average_rating: float | None = Field(
        description="Mean rating of the book's published reviews that have "
        "one, to two decimals (halves rounded up); null without any."
    )
    review_count: int = Field(description="Published reviews of the book.")


class ReviewerSchema(Schema):
    id: str | None = Field(
        description="The reviewer's public id, as the reviewer filter takes it "
        "(random, never a user's key); null for a former member."
    )
    display_name: str


class MemberSchema(Schema):
    """A member as comments and nominations show them: a name, nothing more."""

    display_name: str


class SpoiledBookSchema(Schema):
    id: int
    title: str
    chapter: int | None = Field(
        description="The furthest chapter revealed; null: anything, the ending too."
    )


class ClubPageMetaSchema(Schema):
    type: str
    slug: str
    html_url: str | None
    detail_url: str | None
    status: Literal["live", "draft", "in_moderation"]
    last_published_at: datetime | None


class ReviewSchema(Schema):
    id: int
    title: str
    meta: ClubPageMetaSchema
    book: BookSummarySchema
    rating: float | None
    summary: str
    body: list[ReviewBodyItem]
    tags: list[str]
    reviewer: ReviewerSchema
    spoils: list[SpoiledBookSchema]
    published: datetime | None
    popularity: int | None = Field(
        None, description="Views over the last 30 days (with ordering=popularity)."
    )


class SeriesBookSchema(BookTitleSchema):
    position: int | float


class SeriesSchema(Schema):
    id: int
    title: str
    meta: ClubPageMetaSchema
    author: str
    description: str
    books: list[SeriesBookSchema] = Field(description="In reading order.")


class DiscussionSchema(Schema):
    id: int
    title: str
    meta: ClubPageMetaSchema
    book: BookSummarySchema
    starts_at: datetime
    is_upcoming: bool
    location: str
    online_url: str
    host: str
    intro: str
    questions: list[QuestionBlockSchema]
    comment_count: int


class ProgressSchema(Schema):
    book: BookTitleSchema
    chapter: int | None
    finished: bool
    started_at: date | None
    finished_at: date | None
    updated_at: datetime


# Listings. Each is a named class: a generic ``Paged[X]`` would be documented
# as ``Paged_X_``, which code generators turn into the same class name as
# Wagtail's own ``PagedXSchema``.


class ClubBookListSchema(Paged[ClubBookSchema]):
    pass


class ReviewListSchema(Paged[ReviewSchema]):
    pass


class SeriesListSchema(Paged[SeriesSchema]):
    pass


class DiscussionListSchema(Paged[DiscussionSchema]):
    pass


class ProgressListSchema(Paged[ProgressSchema]):
    pass


class JSONObjectInput(Schema):
    """A request body that must be a JSON object.

    Ninja's schemas also accept arbitrary objects (they read attributes, for
    ORM instances), so a body of ``1`` or ``[1]`` would validate as "no
    fields given" and, for all-optional schemas, silently do nothing or reset
    values. Bodies are client input: anything but an object is a 400, and
    so is a name the schema does not have (``"raiting": 5`` was dropped
    without a word, and the review saved without its rating).
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _require_object(cls, data: Any) -> Any:
        # Ninja's own validator has already wrapped the input for attribute
        # access by the time this runs; look at what the client sent, and
        # validate it as the mapping it is, so that its extra names count.
        sent = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(sent, dict):
            raise ValueError("The request body must be a JSON object.")
        return sent


# A chapter is a JSON number and ``finished`` a JSON boolean (strict types):
# in lax mode ``"chapter": true`` was read as chapter 1.
class ProgressInSchema(JSONObjectInput):
    """The whole record: a field left out is reset to its default."""

    chapter: StrictInt | None = Field(None, ge=1, le=10000)
    finished: StrictBool = False
    started_at: date | None = None
    finished_at: date | None = None


class ProgressPatchSchema(JSONObjectInput):
    """Changes to the record: a field left out keeps its value."""

    chapter: StrictInt | None = Field(None, ge=1, le=10000)
    finished: StrictBool | None = None
    started_at: date | None = None
    finished_at: date | None = None


class ReaderErrorSchema(Schema):
    message: str
    param: str


class ReviewerIdSchema(Schema):
    """A member as the API shows them (``{"id", "display_name"}``), sent
    back: only the public id counts."""

    id: str = Field(min_length=1, max_length=PUBLIC_ID_LENGTH)


#: A tag as the tag table holds it (django-taggit's name: 100 characters);
#: a longer one was stored whole on SQLite and a 500 on PostgreSQL.
TagName = Annotated[
    str, Field(min_length=1, max_length=Tag._meta.get_field("name").max_length)
]


class ReviewInSchema(JSONObjectInput):
    """A new review; it is saved as a draft of the token's member."""

    title: str = Field(min_length=1, max_length=255)
    book: ObjectId | BookIdSchema = Field(
        description="The reviewed book: an id, or {id, …} as the API shows it."
    )
    rating: float | None = Field(None, ge=1, le=5, multiple_of=0.5)
    summary: str = Field(min_length=1, max_length=300)
    body: ReviewBodyInput = Field(
        description="Blocks as the API shows them; a hidden spoiler sent back "
        "with its id keeps its content.",
    )
    tags: list[TagName] = Field(default_factory=list, max_length=20)
    slug: str | None = Field(
        None,
        max_length=255,
        pattern=r"^[-\w]+$",
        description="The review's address under the review index. One another "
        "page there has is not available (a 400 naming no page); left out, a "
        "free one is made from the title.",
    )


class ReviewPatchSchema(JSONObjectInput):
    """Changes to a review; fields left out stay as they are."""

    title: str | None = Field(None, min_length=1, max_length=255)
    book: ObjectId | BookIdSchema | None = None
    rating: float | None = Field(None, ge=1, le=5, multiple_of=0.5)
    summary: str | None = Field(None, min_length=1, max_length=300)
    body: ReviewBodyInput | None = None
    tags: list[TagName] | None = Field(None, max_length=20)


class PreviewPageSchema(Schema):
    """Any other page type: its title and meta (use API v2 for its fields)."""

    id: int | None
    title: str
    meta: ClubPageMetaSchema
