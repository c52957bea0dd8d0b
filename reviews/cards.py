"""Review cards in lists: what a list needs loaded before it renders them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils import timezone

from .derived import for_this_version_in_process
from .models import Book, NominationRound

CARD_SPOILS_ATTR = "card_spoils"


def raw_spoils(review) -> dict[int, int | None]:
    """``{book id: furthest chapter}`` of a review's spoilers, read from the
    stored body without converting it (None: the ending)."""
    furthest: dict[int, int | None] = {}
    for block in review.body.raw_data:
        if block.get("type") != "spoiler":
            continue
        value = block.get("value") or {}
        book_id = value.get("spoils") or review.book_id
        chapter = value.get("chapter")
        if book_id not in furthest:
            furthest[book_id] = chapter
        elif furthest[book_id] is not None and (
            chapter is None or chapter > furthest[book_id]
        ):
            furthest[book_id] = chapter
    return furthest


def prepare_review_cards(reviews: Sequence) -> None:
    """Work out what every card of a list says about its spoilers ("spoils
    *The Siege* up to chapter 12"), for the whole list in one query at most.

    ``ReviewPage.spoils`` converts the body, a query per spoiled book and
    review; cards only need the spoiled books' titles, so they are read from
    the stored body and fetched together (none at all when every spoiler is
    about the reviewed book, already loaded with it).
    """
    spoils = {review.pk: raw_spoils(review) for review in reviews}
    titles = {review.book_id: review.book.title for review in reviews}
    missing = {pk for found in spoils.values() for pk in found} - set(titles)
    if missing:
        titles.update(Book.objects.filter(pk__in=missing).values_list("pk", "title"))
    for review in reviews:
        setattr(
            review,
            CARD_SPOILS_ATTR,
            [
                {"id": pk, "title": titles[pk], "chapter": chapter}
                for pk, chapter in spoils[review.pk].items()
                if pk in titles
            ],
        )


def card_spoils(review) -> list[dict]:
    """The spoiler badges of ``review``'s card."""
    prepared = getattr(review, CARD_SPOILS_ATTR, None)
    return prepared if prepared is not None else review.spoils


def open_round(now: datetime | None = None) -> NominationRound | None:
    """The next-book round open now (the one closing first), without a query
    once worked out for this content version.

    The rounds that had not closed when the list was made are kept; a round
    opening or closing later is a matter of time, checked against ``now`` on
    every call, and any change to a round moves the content version on.
    """
    now = now or timezone.now()
    rounds = for_this_version_in_process(
        "unclosed-rounds",
        lambda: list(
            NominationRound.objects.filter(closes_at__gt=timezone.now()).order_by(
                "closes_at", "pk"
            )
        ),
    )
    return next((r for r in rounds if r.opens_at <= now < r.closes_at), None)
