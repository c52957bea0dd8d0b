"""``/api/v3/discussions/{id}/rsvps/`` and ``…/rsvp/``: who is coming to a
meeting, as the discussion page shows it.

Anyone sees the counts; a member (a token) also sees who is going or may
come, by display name, and answers for themselves while the meeting is ahead.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from ...meetings import rsvp_summary, set_rsvp
from ...members import MemberRequest
from ...models import DiscussionPage
from ...visibility import public_pages
from ..auth import READ_AUTH, WRITE_AUTH
from ..params import IdPath, ReaderParams, reject_unknown_params
from ..problems import Problem
from ..schemas import JSONObjectInput
from . import READ_ERRORS, WRITE_ERRORS

router = Router(tags=["discussions"])

Answer = Literal["going", "maybe", "not_going"]


class RSVPSummarySchema(Schema):
    going_count: int
    maybe_count: int
    not_going_count: int
    going: list[str] | None = Field(
        description="Display names of those going; null unless the client is "
        "a member (a bearer token)."
    )
    maybe: list[str] | None = Field(description="As going, for maybe.")
    mine: Answer | None = Field(description="The token member's own answer.")


class RSVPInSchema(JSONObjectInput):
    answer: Answer


def _discussion(discussion_id: int) -> DiscussionPage:
    return get_object_or_404(
        public_pages(DiscussionPage.objects.live()), pk=discussion_id
    )


def _summary(request: HttpRequest, page: DiscussionPage) -> dict:
    user = request.user
    member = user.is_authenticated
    summary = rsvp_summary(page, user if member else None)
    return {
        "going_count": summary.going_count,
        "maybe_count": summary.maybe_count,
        "not_going_count": summary.not_going_count,
        "going": summary.going if member else None,
        "maybe": summary.maybe if member else None,
        "mine": summary.answer,
    }


@router.get(
    "/discussions/{discussion_id}/rsvps/",
    response={200: RSVPSummarySchema, **READ_ERRORS},
    auth=READ_AUTH,
    url_name="club_rsvps",
    operation_id="club_rsvps",
    summary="Who is coming to a meeting",
)
def get_rsvps(request: HttpRequest, discussion_id: IdPath, reader: Query[ReaderParams]):
    reject_unknown_params(request)
    return _summary(request, _discussion(discussion_id))


@router.put(
    "/discussions/{discussion_id}/rsvp/",
    response={200: RSVPSummarySchema, 409: Problem, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    url_name="club_rsvp_answer",
    operation_id="club_rsvp_answer",
    summary="Say whether I am coming",
    description="Sets (or changes) the token member's answer; a meeting that "
    "has started takes no more answers (409).",
)
def put_rsvp(request: MemberRequest, discussion_id: IdPath, data: RSVPInSchema):
    reject_unknown_params(request)
    page = _discussion(discussion_id)
    if not page.is_upcoming:
        raise HttpError(409, "This meeting is over; answers are closed.")
    set_rsvp(page, request.user, data.answer)
    return _summary(request, page)
