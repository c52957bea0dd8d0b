"""What the club's API may show, and loading it in a fixed number of queries.

Every club endpoint (v2 and v3) starts from these querysets, so anonymous
clients and token members see the same published, public pages; a member's
own drafts are added explicitly where an endpoint offers them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import timedelta

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from wagtail.images import get_image_model

from ..members import shown_member
from ..models import (
    Book,
    DiscussionPage,
    ReviewDailyViews,
    ReviewPage,
    SeriesEntry,
    SeriesPage,
)
from ..models.api_fields import COVER_RENDITIONS, PREFETCHED_TAGS
from ..models.comments import published_comments
from ..models.reviews import listed_reviews
from ..popularity import POPULAR_DAYS
from ..visibility import public_pages, restricted_paths
from .compiled import get_by_pk


def cover_renditions(specs: Iterable[str] = COVER_RENDITIONS.values()) -> QuerySet:
    return (
        get_image_model()
        .get_rendition_model()
        .objects.filter(filter_spec__in=list(specs))
    )


def book_relations(
    prefix: str = "", specs: Iterable[str] = COVER_RENDITIONS.values()
) -> list:
    """Prefetches for a book's cover renditions (the API's, unless ``specs``
    names a page's own); the cover itself comes with
    ``select_related(f"{prefix}cover")`` and its series from
    :func:`reviews.models.api_fields.live_series_memberships`."""
    return [Prefetch(f"{prefix}cover__renditions", queryset=cover_renditions(specs))]


def public_reviews() -> QuerySet:
    """Published reviews without a view restriction: what anyone may read."""
    return public_pages(ReviewPage.objects.live())


def public_review(pk: int) -> ReviewPage:
    """One public review by id, with what its API representation reads
    (:func:`with_review_relations`). Its SQL is compiled once per process
    for each set of view restrictions, the only thing besides the id that
    goes into it; a restriction added or lifted is a new set."""
    return get_by_pk(  # type: ignore[return-value]
        lambda: with_review_relations(public_reviews()),
        pk,
        variant=lambda: ("public-review", *restricted_paths()),
    )


def visible_reviews(user) -> QuerySet:
    """Public reviews, plus every review the member ``user`` owns (drafts too)."""
    queryset = public_reviews()
    if user is not None and user.is_authenticated:
        mine = ReviewPage.objects.filter(Q(owner=user) | Q(reviewer=user))
        queryset = ReviewPage.objects.filter(
            Q(pk__in=queryset.values("pk")) | Q(pk__in=mine.values("pk"))
        )
    return queryset


#: From a Page to its ReviewPage row, for :func:`with_review_relations`.
REVIEW_OF_PAGE: str = ReviewPage._meta.get_field("page_ptr").related_query_name()


def with_review_relations(
    queryset: QuerySet, fields: Collection[str] | None = None, *, through: str = ""
) -> QuerySet:
    """Reviews with what their API representation reads, for a whole page of
    them; with ``fields``, only what those fields read (an API v2 listing of
    titles loads no books, tags or reviewers).

    ``through``: the queryset is of pages, and the reviews among them are
    loaded with them through this relation (:data:`REVIEW_OF_PAGE`).
    """

    def shown(name: str) -> bool:
        return fields is None or name in fields

    prefix = f"{through}__" if through else ""
    related: list[str] = [through] if through else []
    prefetches: list = []
    if shown("book"):
        related += [f"{prefix}book", f"{prefix}book__cover"]
        prefetches += book_relations(f"{prefix}book__")
    if shown("reviewer"):
        related.append(f"{prefix}reviewer__member_profile")
        queryset = shown_member(queryset, f"{prefix}reviewer")
    if shown("locale"):
        related.append(f"{prefix}locale")
    if shown("tags"):
        prefetches.append(Prefetch(f"{prefix}tags", to_attr=PREFETCHED_TAGS))
    if related:  # select_related() with no names would follow every key
        queryset = queryset.select_related(*related)
    return queryset.prefetch_related(*prefetches)


#: The review fields that read the StreamField body (see prepare_streams).
BODY_FIELDS = frozenset({"body", "spoils"})


def annotate_popularity(queryset: QuerySet, days: int = POPULAR_DAYS) -> QuerySet:
    """Views over the last ``days`` days (see reviews.popularity)."""
    since = timezone.localdate() - timedelta(days=days)
    views = (
        ReviewDailyViews.objects.filter(page=OuterRef("pk"), day__gte=since)
        .order_by()
        .values("page")
        .annotate(total=Sum("views"))
        .values("total")
    )
    return queryset.annotate(
        popularity=Coalesce(Subquery(views, output_field=IntegerField()), Value(0))
    )


def books_with_stats(
    cover_specs: Iterable[str] = COVER_RENDITIONS.values(),
) -> QuerySet:
    """Books with the average rating and number of the public reviews a
    listing may name (:func:`reviews.visibility.reachable_pages`), their
    covers' ``cover_specs`` renditions fetched with them."""
    reviews = listed_reviews().filter(book=OuterRef("pk")).order_by().values("book")
    from django.db.models import Avg, FloatField

    return (
        Book.objects.annotate(
            review_count=Coalesce(
                Subquery(
                    reviews.annotate(n=Count("pk")).values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            average_rating=Subquery(
                reviews.filter(rating__isnull=False)
                .annotate(avg=Avg("rating"))
                .values("avg"),
                output_field=FloatField(),
            ),
        )
        .select_related("cover")
        .prefetch_related(*book_relations(specs=cover_specs))
    )


def public_series() -> QuerySet:
    return public_pages(SeriesPage.objects.live()).prefetch_related(
        Prefetch(
            "entries",
            queryset=SeriesEntry.objects.select_related("book").order_by(
                "position", "sort_order"
            ),
        )
    )


def public_discussions() -> QuerySet:
    return (
        public_pages(DiscussionPage.objects.live())
        .select_related("book", "book__cover")
        .prefetch_related(*book_relations("book__"))
        .annotate(
            live_comment_count=Count(
                "comments", filter=published_comments(prefix="comments__")
            )
        )
    )


def prepare_streams(pages: Sequence, field_name: str) -> None:
    """Convert the StreamField ``field_name`` of all ``pages`` at once.

    A StreamField converts itself lazily, one query per chooser block type and
    page; :meth:`StreamBlock.bulk_to_python` does it for the whole list, so a
    listing of 20 costs what a listing of 5 does. Images met in the streams
    get their renditions prefetched too.
    """
    if not pages:
        return
    stream_block = pages[0]._meta.get_field(field_name).stream_block
    raw_streams = [list(getattr(page, field_name).raw_data) for page in pages]
    for page, value in zip(
        pages, stream_block.bulk_to_python(raw_streams), strict=True
    ):
        setattr(page, field_name, value)
    _prefetch_stream_image_renditions(getattr(page, field_name) for page in pages)


def _stream_images(stream) -> Iterable:
    for child in stream:
        if child.block_type == "image":
            if child.value["image"] is not None:
                yield child.value["image"]
        elif child.block_type == "spoiler":
            yield from _stream_images(child.value["content"])


def _prefetch_stream_image_renditions(streams: Iterable) -> None:
    from django.db.models import prefetch_related_objects

    images = [image for stream in streams for image in _stream_images(stream)]
    if images:
        prefetch_related_objects(images, "renditions")
