"""Reviews of books, written by members in a StreamField with spoiler blocks."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import QuerySet
from django.utils.html import json_script
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from ..blocks import ReviewStreamBlock, check_block_chapters, check_body_size
from ..derived import for_this_version
from ..indexing import DraftSavesLeaveIndexesMixin
from ..members import display_name, shown_member
from ..page_permissions import LiveTitleForMembersMixin
from ..preview import SPOILER_PREVIEW_MODES, HeadlessPreviewMixin
from ..routing import ChildRoutingMixin
from ..visibility import descendants_of, reachable_pages
from .api_fields import BookSummaryField, ReviewerField, TagNamesField
from .page_types import INDEX_PARENT_PAGE_TYPES
from .page_views import context_from_views, page_served
from .series import SeriesEntry, public_series

RATING_CHOICES = [(n / 2, f"{n / 2:g} ★") for n in range(2, 11)]


class ReviewIndexPage(
    DraftSavesLeaveIndexesMixin, LiveTitleForMembersMixin, ChildRoutingMixin, Page
):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    api_fields = [APIField("intro", writable=True)]

    parent_page_types = INDEX_PARENT_PAGE_TYPES
    subpage_types = ["reviews.ReviewPage"]
    max_count_per_parent = 1

    REVIEWS_PER_PAGE = 12
    routed_child_model = "reviews.ReviewPage"
    routed_child_related = ("book", "book__cover")

    class Meta:
        verbose_name = _("review index")

    def routed_child_queryset(self, queryset: QuerySet) -> QuerySet:
        # The reviewer as shown: no password hash, no email.
        return shown_member(super().routed_child_queryset(queryset), "reviewer")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The filter form and the page of review cards.
        context.update(context_from_views(self, request))
        return context


def listed_reviews() -> QuerySet:
    """The live reviews a listing, search, count or feed may name to any
    reader: no view restriction covers them and no unpublished page holds
    them (:func:`reviews.visibility.reachable_pages`)."""
    return reachable_pages(ReviewPage.objects.live())


def public_reviews_under(page: Page) -> QuerySet:
    """Live, public reviews below ``page`` (a home or review index page),
    none of them below an unpublished page.

    Reviews live only under review indexes (``parent_page_types``). When
    every review index is ``page`` or below it, the type alone selects them:
    without a ``path LIKE`` filter the database reads the newest reviews off
    the ``first_published_at`` index instead of sorting all of them.
    """
    reviews = listed_reviews()
    others = for_this_version(
        f"review-indexes-outside:{page.path}",
        lambda: ReviewIndexPage.objects.exclude(path__startswith=page.path).exists(),
    )
    return descendants_of(reviews, page) if others else reviews


class ReviewPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "reviews.ReviewPage", related_name="tagged_items", on_delete=models.CASCADE
    )


class ReviewPage(
    DraftSavesLeaveIndexesMixin, LiveTitleForMembersMixin, HeadlessPreviewMixin, Page
):
    book = models.ForeignKey(
        "reviews.Book",
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("book"),
    )
    # Halves are exact in binary floating point, and a float reads as a JSON
    # number in both API versions (a Decimal would become a string).
    rating = models.FloatField(
        _("rating"),
        blank=True,
        null=True,
        choices=RATING_CHOICES,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("Optional: 1 to 5 stars, in half stars."),
    )
    summary = models.CharField(
        _("summary"),
        max_length=300,
        help_text=_(
            "A spoiler-free teaser of up to 300 characters. It is shown in lists, "
            "feeds, search results and link previews, so never reveal the plot."
        ),
    )
    body = StreamField(
        ReviewStreamBlock(),
        verbose_name=_("review"),
        help_text=_(
            "Put anything that gives away the plot in a Spoiler block, and say "
            "which book and chapter it reveals."
        ),
    )
    tags = ClusterTaggableManager(through=ReviewPageTag, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="book_reviews",
        verbose_name=_("reviewer"),
        help_text=_("The member who wrote it. Defaults to the page's owner."),
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("book"), FieldPanel("rating"), FieldPanel("reviewer")],
            heading=_("The book"),
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]
    # The admin form (reviews.page_forms.ReviewPageForm) is set as
    # base_form_class when the app is ready: models import no forms.

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.RelatedFields(
            "book", [index.SearchField("title"), index.SearchField("author")]
        ),
        index.FilterField("book"),
        index.FilterField("rating"),
        index.FilterField("reviewer"),
    ]

    api_fields = [
        APIField("book", serializer=BookSummaryField(), writable=True),
        APIField("rating", writable=True),
        APIField("summary", writable=True),
        APIField("body", writable=True),
        APIField("tags", serializer=TagNamesField(), writable=True),
        APIField("reviewer", serializer=ReviewerField(), writable=True),
        APIField("spoils"),
        APIField("published"),
    ]

    parent_page_types = ["reviews.ReviewIndexPage"]
    subpage_types: list[str] = []
    preview_modes = SPOILER_PREVIEW_MODES

    class Meta:
        verbose_name = _("review")

    def clean(self) -> None:
        super().clean()
        if self.reviewer_id is None and self.owner_id is not None:  # type: ignore[has-type]
            self.reviewer_id = self.owner_id
        if self.book_id:
            self._fill_blank_spoiled_books()
            self._check_spoiler_chapters()
        try:
            check_body_size(self.body)
        except ValidationError as error:
            raise ValidationError({"body": error.messages}) from error

    def _fill_blank_spoiled_books(self) -> None:
        """A spoiler with no book spoils the reviewed book: store that, so every
        output can name the spoiled book without knowing the page."""
        for block in self.body:
            if block.block_type == "spoiler" and block.value["spoils"] is None:
                block.value["spoils"] = self.book

    def _check_spoiler_chapters(self) -> None:
        try:
            check_block_chapters(self.body, "spoils")
        except ValidationError as error:
            raise ValidationError({"body": error}) from error

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # First: the body's spoiled books and images are loaded at once.
        context.update(context_from_views(self, request))
        context["series_memberships"] = self.series_entries_by_book().get(
            self.book_id, []
        )
        context["json_ld"] = self.json_ld(request)
        return context

    def series_entries_by_book(self) -> dict[int, list[SeriesEntry]]:
        """Live series places of the reviewed book and of every book the
        review spoils, ``{book id: [entry, …]}``, in one query per page."""
        cached = getattr(self, "_series_entries_by_book", None)
        if cached is None:
            book_ids = {self.book_id} | {entry["id"] for entry in self.spoils}
            cached = {}
            for entry in (
                SeriesEntry.objects.filter(
                    book_id__in=book_ids, series__in=public_series()
                )
                .select_related("series")
                .order_by("series__title", "pk")
            ):
                cached.setdefault(entry.book_id, []).append(entry)
            self._series_entries_by_book = cached
        return cached

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if response.status_code == 200:
            page_served.send(
                sender=type(self), page=self, request=request, response=response
            )
        return response

    def json_ld(self, request=None) -> SafeString:
        """schema.org ``Review`` markup built from the summary, never the body."""
        book = self.book
        data = {
            "@context": "https://schema.org",
            "@type": "Review",
            "name": self.title,
            "description": self.summary,
            "url": self.get_full_url(request=request),
            "author": {"@type": "Person", "name": self.reviewer_name},
            "itemReviewed": {
                "@type": "Book",
                "name": book.title,
                "author": {"@type": "Person", "name": book.author},
                **({"isbn": book.isbn13} if book.isbn13 else {}),
            },
        }
        if self.first_published_at:
            data["datePublished"] = self.first_published_at.date().isoformat()
        if self.rating:
            data["reviewRating"] = {
                "@type": "Rating",
                "ratingValue": self.rating,
                "bestRating": 5,
                "worstRating": 1,
            }
        # json_script escapes <, > and & inside the JSON; only the type changes.
        return mark_safe(  # noqa: S308
            json_script(data).replace(
                'type="application/json"', 'type="application/ld+json"', 1
            )
        )

    def spoiler_blocks(self) -> list:
        return [block for block in self.body if block.block_type == "spoiler"]

    @property
    def spoils(self) -> list[dict]:
        """The books this review has spoilers for, each with the furthest chapter
        revealed (None: the ending)."""
        furthest: dict[int, dict] = {}
        for block in self.spoiler_blocks():
            book = block.value["spoils"]
            if book is None:
                continue
            chapter = block.value["chapter"]
            entry = furthest.setdefault(
                book.pk, {"id": book.pk, "title": book.title, "chapter": chapter}
            )
            if entry["chapter"] is not None and (
                chapter is None or chapter > entry["chapter"]
            ):
                entry["chapter"] = chapter
        return list(furthest.values())

    @property
    def published(self):
        return self.first_published_at

    @property
    def reviewer_name(self) -> str:
        return display_name(self.reviewer)


class ReviewDailyViews(models.Model):
    """Views of a review on one day, written in batches (see popularity.py)."""

    page = models.ForeignKey(
        ReviewPage, on_delete=models.CASCADE, related_name="daily_views"
    )
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily review views")
        verbose_name_plural = _("daily review views")
        constraints = [
            models.UniqueConstraint(fields=["page", "day"], name="unique_views_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.page_id} {self.day}: {self.views}"
