"""What the club's pages show that is built above the models.

Each builder is registered for its page type (see
:mod:`reviews.models.page_views`); the page's ``get_context`` adds what it
returns. Imported when the app is ready.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from wagtail.models import Page

from .. import cache_tags
from ..api.querysets import prepare_streams
from ..blocks import revealable_blocks
from ..cards import prepare_review_cards
from ..club_forms import CommentForm, RSVPForm
from ..comments.gate import gate
from ..counts import with_remembered_count
from ..filters import ReviewFilterForm
from ..meetings import rsvp_summary
from ..members import shown_member
from ..models import (
    COMMENT_MAX_LENGTH,
    DiscussionPage,
    ReviewIndexPage,
    ReviewPage,
    SeriesPage,
)
from ..models.page_views import builds_context_of, page_served
from ..models.reviews import listed_reviews, public_reviews_under
from ..popularity import record_view
from ..preview import READER_PREVIEW_MODE
from ..ratings import average
from ..response_cache.pages import COUNTED_VIEW_ATTR
from ..spoilers import reader_of, refresh_reader, revealed_comment_range
from ..visibility import in_subtree, site_root_path


@builds_context_of(ReviewIndexPage)
def review_index_context(page: ReviewIndexPage, request: HttpRequest) -> dict[str, Any]:
    """The filter form and one page of review cards."""
    reviews = (
        shown_member(public_reviews_under(page), "reviewer")
        .select_related("book", "book__cover")
        .order_by("-first_published_at", "-pk")
    )
    # The series of this index's Site only, as its reviews are.
    series = in_subtree(SeriesPage.objects.live(), site_root_path(request) or page.path)
    filters = ReviewFilterForm(request.GET or None, reviews=reviews, series=series)
    listed = filters.filter(reviews)
    if not filters.narrows():
        # Every public review below the index: counted once per version of
        # the tag that says which they are (reviews/counts.py).
        listed = with_remembered_count(listed, tag=cache_tags.PUBLIC_REVIEWS)
    paginator = Paginator(listed, page.REVIEWS_PER_PAGE)
    cards = paginator.get_page(request.GET.get("page"))
    cards.object_list = list(cards.object_list)
    prepare_review_cards(cards.object_list)
    return {
        "filters": filters,
        "filter_query": filters.querystring() if filters.is_bound else "",
        "reviews": cards,
    }


def _open_in_preview(page: Page, request: HttpRequest) -> None:
    """An admin preview (*Preview*, *View draft*, a moderator's) is read by
    whoever edits or moderates the page, who must read what they approve:
    its spoilers and gated questions are opened, as ``reveal=`` opens one.
    A hidden one could not be opened there (the reveal addresses answer
    for live pages only). Nothing else is: another page's blocks, and the
    comments, stay as the reader's progress has them. The preview's other
    mode, *As a reader sees it*, opens nothing."""
    if (
        getattr(request, "is_preview", False)
        and getattr(request, "preview_mode", "") != READER_PREVIEW_MODE
    ):
        refresh_reader(
            request, also_reveal=[child.id for child in revealable_blocks(page)]
        )


@builds_context_of(ReviewPage)
def review_context(page: ReviewPage, request: HttpRequest) -> dict[str, Any]:
    """The spoiled books and the images (with their renditions) of the whole
    body are loaded in one query each, before the template walks the body."""
    _open_in_preview(page, request)
    prepare_streams([page], "body")
    return {}


@builds_context_of(SeriesPage)
def series_context(page: SeriesPage, request: HttpRequest) -> dict[str, Any]:
    """The entries in reading order, each with its public reviews and their
    average rating."""
    entries = list(page.ordered_entries())
    reviews_by_book: dict[int, list] = {}
    for review in (
        listed_reviews()
        .filter(book__in=[entry.book_id for entry in entries])
        .order_by("-first_published_at")
    ):
        reviews_by_book.setdefault(review.book_id, []).append(review)
    for entry in entries:
        entry.reviews = reviews_by_book.get(entry.book_id, [])
        ratings = [r.rating for r in entry.reviews if r.rating]
        entry.rated_count = len(ratings)
        entry.average_rating = average(ratings)
    return {"entries": entries}


@builds_context_of(DiscussionPage)
def discussion_context(page: DiscussionPage, request: HttpRequest) -> dict[str, Any]:
    """The comments this reader may see, and the comment and RSVP forms."""
    _open_in_preview(page, request)
    user = getattr(request, "user", None)
    member = user if user is not None and user.is_authenticated else None
    rsvp = rsvp_summary(page, user)
    context: dict[str, Any] = {
        "discussion": gate(
            page,
            reader_of(request),
            reveal=revealed_comment_range(request),
            member_id=member.pk if member is not None else None,
        ),
        "comment_max_length": COMMENT_MAX_LENGTH,
        "rsvp": rsvp,
    }
    if member is not None:
        context["comment_form"] = CommentForm(page=page)
        context["rsvp_form"] = RSVPForm(initial={"answer": rsvp.answer})
    return context


@receiver(page_served, sender=ReviewPage)
def count_review_view(
    sender: type, page: ReviewPage, response: HttpResponse, **kwargs: Any
) -> None:
    record_view(page.pk)
    # The page cache counts the view again whenever it serves this copy.
    setattr(response, COUNTED_VIEW_ATTR, page.pk)
