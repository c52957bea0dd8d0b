"""``/api/v3/reviews/``: published reviews with every club field, filtered,
ordered and searched; a member's own drafts; writing reviews (see writes.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import field_validator, model_validator

from ... import cache_tags
from ...models import Book, ReviewPage, SeriesPage
from ...models.members import PUBLIC_ID_LENGTH
from ...models.reviews import listed_reviews
from ...visibility import reachable_pages
from .. import item_cache, representations
from ..auth import READ_AUTH
from ..params import (
    MAX_ID,
    IdPath,
    PaginationParams,
    ReaderParams,
    get_or_invalid,
    paginate,
    reject_unknown_params,
)
from ..problems import Problem
from ..querysets import (
    annotate_popularity,
    public_review,
    visible_reviews,
    with_review_relations,
)
from ..schemas import ReviewListSchema, ReviewSchema
from . import READ_ERRORS

router = Router(tags=["reviews"])

MAX_SEARCH_RESULTS = 500

ReviewOrdering = Literal[
    "-published", "published", "-rating", "rating", "-popularity", "popularity"
]


class ReviewFilters(Schema):
    book: int | None = Field(
        None, ge=1, le=MAX_ID, description="Reviews of this book (id)."
    )
    series: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="Reviews of any book in this series (page id).",
    )
    tag: str | None = Field(None, min_length=1, max_length=100)
    reviewer: str | None = Field(
        None,
        pattern=rf"^(me|[A-Za-z0-9_-]{{{PUBLIC_ID_LENGTH}}})$",
        description="A reviewer's public id (reviewer.id in a review), or "
        "'me' for the token's member.",
    )
    rating_min: float | None = Field(None, ge=1, le=5)
    rating_max: float | None = Field(None, ge=1, le=5)
    published_after: datetime | None = Field(
        None, description="ISO 8601 date or date-time; a date means its midnight."
    )
    ordering: ReviewOrdering = Field(
        "-published",
        description="published, rating or popularity (views over 30 days); "
        "a leading '-' sorts descending.",
    )
    search: str | None = Field(
        None, min_length=1, max_length=200, description="Full-text search."
    )
    mine: bool = Field(
        False,
        description="Only the token member's own reviews, drafts included.",
    )

    @field_validator("published_after")
    @classmethod
    def check_published_after_in_range(cls, value: datetime | None):
        """A date-time at the edge of the calendar cannot be compared in UTC."""
        if value is None:
            return value
        try:
            aware = value if timezone.is_aware(value) else timezone.make_aware(value)
            aware.astimezone(UTC)
        except (OverflowError, ValueError) as error:
            raise ValueError(
                "published_after is outside the supported dates."
            ) from error
        return value

    @model_validator(mode="after")
    def check_rating_range(self):
        if (
            self.rating_min is not None
            and self.rating_max is not None
            and self.rating_min > self.rating_max
        ):
            raise ValueError("rating_min cannot be higher than rating_max.")
        return self


def filter_reviews(
    request: HttpRequest, queryset: QuerySet, filters: ReviewFilters
) -> QuerySet:
    """Apply the club's review filters; shared with API v2."""
    if filters.book is not None:
        book = get_or_invalid(Book.objects.all(), filters.book, "book")
        queryset = queryset.filter(book=book)
    if filters.series is not None:
        series = get_or_invalid(
            reachable_pages(SeriesPage.objects.live()), filters.series, "series"
        )
        queryset = queryset.filter(
            book__in=series.entries.values("book")  # type: ignore[attr-defined]
        )
    if filters.tag:
        queryset = queryset.filter(tagged_items__tag__name=filters.tag)
    if filters.reviewer == "me":
        if not request.user.is_authenticated:
            raise HttpError(401, "reviewer=me needs a bearer token.")
        queryset = queryset.filter(reviewer=request.user)
    elif filters.reviewer:
        queryset = queryset.filter(reviewer__member_profile__public_id=filters.reviewer)
    if filters.rating_min is not None:
        queryset = queryset.filter(rating__gte=filters.rating_min)
    if filters.rating_max is not None:
        queryset = queryset.filter(rating__lte=filters.rating_max)
    if filters.published_after is not None:
        after = filters.published_after
        if timezone.is_naive(after):
            after = timezone.make_aware(after)
        queryset = queryset.filter(first_published_at__gt=after)
    if filters.search:
        matches = listed_reviews().search(filters.search, operator="and")
        ids = [page.pk for page in matches[:MAX_SEARCH_RESULTS]]
        queryset = queryset.filter(pk__in=ids)
    return queryset


def narrows(filters: ReviewFilters) -> bool:
    """Do ``filters`` list fewer than every public review? (The order does
    not.)"""
    return bool(filters.model_dump(exclude_defaults=True).keys() - {"ordering"})


def order_reviews(
    queryset: QuerySet, ordering: str, *, drafts: bool = False
) -> QuerySet:
    """Order reviews; ``drafts``: the listing may hold never-published
    reviews, whose publication date is empty and goes last.

    Ties are broken on the page's own id (``wagtailcore_page.id``, the same
    value as the review's pk), so that newest-first over live reviews is
    one walk down Wagtail's ``first_published_at`` index: 1.5 ms at 20,000
    reviews on PostgreSQL, where ``NULLS LAST`` or a tie-break on the review
    table sorted all of them (130 ms).
    """
    descending = ordering.startswith("-")
    key = ordering.lstrip("-")
    if key == "popularity":
        queryset = annotate_popularity(queryset)
    column = {"published": "first_published_at", "rating": "rating"}.get(key, key)
    nulls_last = drafts or column != "first_published_at"
    if descending:
        expression = F(column).desc(nulls_last=True) if nulls_last else F(column).desc()
    else:
        expression = F(column).asc(nulls_last=True) if nulls_last else F(column).asc()
    return queryset.order_by(expression, "-id" if descending else "id")


@router.get(
    "/",
    response={200: ReviewListSchema, 401: Problem, **READ_ERRORS},
    url_name="club_reviews_list",
    operation_id="club_reviews_list",
    summary="List reviews",
    auth=READ_AUTH,
)
def list_reviews(
    request: HttpRequest,
    reader: Query[ReaderParams],
    filters: Query[ReviewFilters],
    pagination: Query[PaginationParams],
):
    reject_unknown_params(request, ReviewFilters, PaginationParams)
    if filters.mine:
        if not request.user.is_authenticated:
            raise HttpError(401, "mine=true needs a bearer token.")
        queryset = ReviewPage.objects.filter(owner=request.user) | (
            ReviewPage.objects.filter(reviewer=request.user)
        )
    else:
        queryset = listed_reviews()
    queryset = filter_reviews(request, queryset, filters)
    queryset = order_reviews(
        with_review_relations(queryset), filters.ordering, drafts=filters.mine
    )
    page = paginate(
        queryset,
        pagination,
        public=not filters.mine,
        count_tag=None if narrows(filters) else cache_tags.PUBLIC_REVIEWS,
    )
    known = item_cache.bodies(request, page["items"])
    page["items"] = [
        representations.review_item(request, p, known[p.pk]) for p in page["items"]
    ]
    return page


class ReviewDetailParams(Schema):
    version: Literal["live", "draft"] = Field(
        "live", description="'draft': the latest revision (own reviews only)."
    )


def get_visible_review(request: HttpRequest, page_id: int) -> ReviewPage:
    # get(), not first(): an id names one review, and ordering by it would
    # only cost building the ORDER BY.
    try:
        if not request.user.is_authenticated:
            return public_review(page_id)
        return with_review_relations(visible_reviews(request.user)).get(pk=page_id)
    except ReviewPage.DoesNotExist:
        raise Http404("No review matches the given id.") from None


def is_own(user, page: ReviewPage) -> bool:
    return user.is_authenticated and user.pk in (page.owner_id, page.reviewer_id)


@router.get(
    "/{review_id}/",
    response={200: ReviewSchema, **READ_ERRORS},
    url_name="club_reviews_detail",
    operation_id="club_reviews_detail",
    summary="Review detail",
    auth=READ_AUTH,
)
def get_review(
    request: HttpRequest,
    review_id: IdPath,
    params: Query[ReviewDetailParams],
    reader: Query[ReaderParams],
):
    reject_unknown_params(request, ReviewDetailParams)
    page = get_visible_review(request, review_id)
    if params.version == "draft" or not page.live:
        if not is_own(request.user, page):
            raise Http404("No draft of this review that you may read.")
        page = page.get_latest_revision_as_object()
        return representations.review_item(request, page)
    return representations.review_item(
        request, page, item_cache.bodies(request, [page])[page.pk]
    )
