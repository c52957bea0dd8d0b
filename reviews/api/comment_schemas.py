"""Schemas of the v3 comment endpoints: a comment as one reader is sent it,
the counts of those hidden from them, and what members write."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from ..models import COMMENT_MAX_LENGTH
from ..models.discussions import REPORT_REASON_MAX_LENGTH
from .params import MAX_ID
from .schemas import JSONObjectInput, MemberSchema


class CommentSchema(Schema):
    id: int
    parent: int | None
    chapter: int | None = Field(
        description="The chapter the comment is about; null: the whole book."
    )
    hidden: bool = Field(
        description="A comment about a chapter the reader has not reached is "
        "not sent, only counted in the list's ``hidden``; when a reply the "
        "reader may read hangs from it, it is kept as an empty placeholder "
        "with ``hidden`` true: its chapter only, no author and no text."
    )
    removed: bool = Field(
        description="A moderator removed it; kept as an empty placeholder "
        "because replies hang from it."
    )
    deleted: bool = Field(description="Its author deleted it; placeholder as above.")
    author: MemberSchema | None
    body: str | None
    body_html: str | None
    created_at: datetime
    edited_at: datetime | None


class HiddenRangeSchema(Schema):
    model_config = ConfigDict(populate_by_name=True)

    first: int | None = Field(
        alias="from", description="First chapter; null: the whole book."
    )
    last: int | None = Field(alias="to", description="Last chapter; null as above.")
    count: int
    key: str = Field(description="What ``reveal_comments=`` takes to open it.")
    label: str


class HiddenCommentsSchema(Schema):
    count: int
    from_chapter: int | None
    to_chapter: int | None
    whole_book: bool
    message: str
    ranges: list[HiddenRangeSchema] = Field(
        description="Hidden comments counted per range of chapters, the whole "
        "book last."
    )


class CommentListSchema(Schema):
    count: int = Field(description="Items in this list, placeholders included.")
    comment_count: int = Field(description="Published comments.")
    hidden: HiddenCommentsSchema
    items: list[CommentSchema]


class CommentCreateSchema(JSONObjectInput):
    body: str = Field(min_length=1, max_length=COMMENT_MAX_LENGTH)
    chapter: int | None = Field(default=None, ge=1, le=32767)
    parent: int | None = Field(default=None, ge=1, le=MAX_ID)


class CommentUpdateSchema(JSONObjectInput):
    body: str | None = Field(default=None, min_length=1, max_length=COMMENT_MAX_LENGTH)
    chapter: int | None = Field(default=None, ge=1, le=32767)


class ReportSchema(JSONObjectInput):
    reason: str = Field(default="", max_length=REPORT_REASON_MAX_LENGTH)


class ReportResultSchema(Schema):
    reported: bool = True
    new: bool


class ListParams(Schema):
    limit: int = Field(default=20, ge=1)
    offset: int = Field(default=0, ge=0)
    reveal_comments: str | None = Field(
        default=None,
        description="Open one range of hidden comments on purpose, e.g. "
        "``6-10`` or ``ending``; its comments join ``items``.",
    )
