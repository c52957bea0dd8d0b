"""What a book's page sends one reader: only what that reader may see.

A book page gathers the book's published reviews, its place in each series,
its ratings and its discussions. Reviews are listed by their spoiler-free
summary (never their body) with the spoilers they hold named as a badge;
discussions say how many questions and comments are about chapters the
reader has not reached, never what they say. Everything here comes from
live, public pages (:mod:`reviews.visibility`), and the gating from the one
spoiler rule (:mod:`reviews.spoilers`, :mod:`reviews.comments.gate`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import ReferenceIndex

from .cards import prepare_review_cards
from .comments.gate import gate
from .members import shown_member
from .models import Book, DiscussionPage, ReviewPage, SeriesEntry
from .models.reviews import listed_reviews
from .models.series import public_series
from .ratings import average
from .spoilers import Reader, can_see_about
from .visibility import reachable_pages

#: Whole stars, best first: a half star counts with the whole star below it.
STAR_ROWS = (5, 4, 3, 2, 1)


@dataclass(frozen=True)
class SeriesPlace:
    """Where a book stands in one series, and its neighbours there."""

    series: object
    position: str
    count: int
    previous: Book | None
    next: Book | None


@dataclass(frozen=True)
class RatingSummary:
    """The ratings of a book's published reviews."""

    count: int
    average: float | None
    #: ``(stars, reviews)`` for 5 down to 1 whole stars.
    rows: tuple[tuple[int, int], ...]

    @property
    def most(self) -> int:
        return max((n for _stars, n in self.rows), default=0)


@dataclass
class DiscussionSummary:
    """A discussion of the book as one reader is told about it."""

    page: DiscussionPage
    comment_count: int
    hidden_comments: int
    hidden_questions: int

    @property
    def hidden_text(self) -> str:
        """E.g. "1 question and 3 comments", or "" when nothing is hidden."""
        parts = []
        if self.hidden_questions:
            parts.append(
                ngettext("%(n)s question", "%(n)s questions", self.hidden_questions)
                % {"n": self.hidden_questions}
            )
        if self.hidden_comments:
            parts.append(
                ngettext("%(n)s comment", "%(n)s comments", self.hidden_comments)
                % {"n": self.hidden_comments}
            )
        return _(" and ").join(parts)


@dataclass
class BookPage:
    book: Book
    series: list[SeriesPlace]
    ratings: RatingSummary
    reviews: list[ReviewPage]
    #: Reviews of other books holding spoilers for this one.
    spoiled_in: list[ReviewPage]
    discussions: list[DiscussionSummary] = field(default_factory=list)


def rating_summary(ratings: list[float]) -> RatingSummary:
    """Average and whole-star distribution of ``ratings`` (1–5, in halves)."""
    buckets = Counter(int(rating) for rating in ratings)
    return RatingSummary(
        count=len(ratings),
        average=average(ratings),
        rows=tuple((stars, buckets.get(stars, 0)) for stars in STAR_ROWS),
    )


def series_places(book: Book) -> list[SeriesPlace]:
    """The book's place in each live, public series, with the books before
    and after it there."""
    entries = (
        SeriesEntry.objects.filter(book=book, series__in=public_series())
        .select_related("series")
        .order_by("series__title", "pk")
    )
    places = []
    for entry in entries:
        siblings = list(
            SeriesEntry.objects.filter(series_id=entry.series_id)
            .select_related("book")
            .order_by("position", "sort_order", "pk")
        )
        index = next(i for i, sibling in enumerate(siblings) if sibling.pk == entry.pk)
        places.append(
            SeriesPlace(
                series=entry.series,
                position=format(Decimal(entry.position).normalize(), "f"),
                count=len(siblings),
                previous=siblings[index - 1].book if index > 0 else None,
                next=siblings[index + 1].book if index + 1 < len(siblings) else None,
            )
        )
    return places


def discussion_summaries(
    book: Book, reader: Reader, member_id: int | None = None
) -> list[DiscussionSummary]:
    """The book's live, public discussions, upcoming first, each with how
    many of its questions and comments ``reader`` has not reached (the
    comments ``member_id`` wrote are theirs to read, as the discussion shows
    them: :func:`reviews.comments.gate.may_read`)."""
    now = timezone.now()
    pages = list(
        reachable_pages(DiscussionPage.objects.live().filter(book=book)).order_by(
            "-starts_at"
        )
    )
    pages.sort(key=lambda page: (page.starts_at < now, abs(page.starts_at - now)))
    summaries = []
    for page in pages:
        gated = gate(page, reader, member_id=member_id)
        hidden_questions = 0
        for block in page.questions:
            question_book = block.value["book"]
            if not can_see_about(
                reader,
                question_book.pk if question_book else page.book_id,
                block.value["chapter"],
            ):
                hidden_questions += 1
        summaries.append(
            DiscussionSummary(
                page=page,
                comment_count=gated.count,
                hidden_comments=gated.hidden.count,
                hidden_questions=hidden_questions,
            )
        )
    return summaries


def book_page(book: Book, reader: Reader, member_id: int | None = None) -> BookPage:
    """Everything the book's page shows ``reader``, who is the member
    ``member_id`` when signed in."""
    reviews = list(
        shown_member(listed_reviews().filter(book=book), "reviewer")
        .select_related("book", "book__cover")
        .order_by("-first_published_at", "-pk")
    )
    spoiled_in = [
        review
        for review in shown_member(
            listed_reviews()
            .exclude(book=book)
            .filter(pk__in=_pages_referring_to(book)),
            "reviewer",
        )
        .select_related("book", "book__cover")
        .order_by("-first_published_at", "-pk")
        if book.pk in _spoiled_book_ids(review)
    ]
    prepare_review_cards(reviews)
    return BookPage(
        book=book,
        series=series_places(book),
        ratings=rating_summary([r.rating for r in reviews if r.rating]),
        reviews=reviews,
        spoiled_in=spoiled_in,
        discussions=discussion_summaries(book, reader, member_id),
    )


def _pages_referring_to(book: Book) -> list[int]:
    """Pages that name ``book`` anywhere, from Wagtail's reference index (a
    first cut: the live body is checked by :func:`_spoiled_book_ids`)."""
    ids = ReferenceIndex.get_references_to(book).values_list("object_id", flat=True)
    return [int(pk) for pk in ids if pk.isdigit()]


def _spoiled_book_ids(review: ReviewPage) -> set[int]:
    """The books ``review``'s live body has spoilers for, read from the raw
    stream (no queries)."""
    return {
        block["value"]["spoils"]
        for block in review.body.raw_data
        if block.get("type") == "spoiler" and block["value"].get("spoils")
    }
