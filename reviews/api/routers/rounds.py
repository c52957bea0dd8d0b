"""``/api/v3/rounds/``: next-book rounds, their nominations, and the results
once a round has closed (read-only; members vote on the site)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from ...members import display_name
from ...models import Nomination, NominationRound, Vote
from ..auth import READ_AUTH
from ..params import IdPath, ReaderParams, reject_unknown_params
from ..schemas import MemberSchema
from . import READ_ERRORS

router = Router(tags=["next book"], auth=READ_AUTH)


class BookRefSchema(Schema):
    id: int
    title: str
    author: str


class NominationSchema(Schema):
    id: int
    book: BookRefSchema
    pitch: str
    nominated_by: MemberSchema | None
    votes: int | None = Field(description="Shown once the round has closed.")


class RoundSchema(Schema):
    id: int
    title: str
    description: str
    opens_at: datetime
    closes_at: datetime
    status: Literal["scheduled", "open", "closed"]
    nominations: list[NominationSchema] = Field(
        description="In the order they were made while the round is open; "
        "most votes first once it has closed."
    )
    total_votes: int | None = Field(description="Shown once the round has closed.")
    winners: list[int] = Field(
        description="Nomination ids with the most votes (several on a tie), "
        "once the round has closed."
    )
    your_vote: int | None = Field(
        description="The token member's current vote (a nomination id)."
    )


def _visible_rounds() -> QuerySet[NominationRound]:
    return NominationRound.objects.filter(opens_at__lte=timezone.now())


def serialize_round(nomination_round: NominationRound, user) -> dict:
    tally = nomination_round.tally()
    closed = nomination_round.is_closed
    your_vote = None
    if user is not None and user.is_authenticated:
        your_vote = (
            Vote.objects.filter(round=nomination_round, member=user)
            .values_list("nomination_id", flat=True)
            .first()
        )
    return {
        "id": nomination_round.pk,
        "title": nomination_round.title,
        "description": nomination_round.description,
        "opens_at": nomination_round.opens_at,
        "closes_at": nomination_round.closes_at,
        "status": nomination_round.status,
        "nominations": [_nomination(n, closed) for n in tally],
        "total_votes": sum(n.vote_count for n in tally) if closed else None,
        "winners": [n.pk for n in nomination_round.winners(tally)],
        "your_vote": your_vote,
    }


def _nomination(nomination: Nomination, closed: bool) -> dict:
    return {
        "id": nomination.pk,
        "book": {
            "id": nomination.book_id,
            "title": nomination.book.title,
            "author": nomination.book.author,
        },
        "pitch": nomination.pitch,
        "nominated_by": {"display_name": display_name(nomination.nominated_by)},
        "votes": nomination.vote_count if closed else None,
    }


@router.get(
    "/rounds/",
    response={200: list[RoundSchema], **READ_ERRORS},
    operation_id="list_next_book_rounds",
    summary="Next-book rounds: nominations, and results once closed",
)
def list_rounds(request: HttpRequest, reader: Query[ReaderParams]) -> list[dict]:
    reject_unknown_params(request)
    rounds = _visible_rounds().order_by("-closes_at")[:20]
    return [serialize_round(r, request.user) for r in rounds]


@router.get(
    "/rounds/{round_id}/",
    response={200: RoundSchema, **READ_ERRORS},
    operation_id="get_next_book_round",
    summary="One next-book round",
)
def get_round(
    request: HttpRequest, round_id: IdPath, reader: Query[ReaderParams]
) -> dict:
    reject_unknown_params(request)
    nomination_round = get_object_or_404(_visible_rounds(), pk=round_id)
    return serialize_round(nomination_round, request.user)
