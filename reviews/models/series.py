"""Series: books read in order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from ..blocks import RICH_TEXT_FEATURES
from ..indexing import DraftSavesLeaveIndexesMixin
from ..page_permissions import LiveTitleForMembersMixin
from ..preview import HeadlessPreviewMixin
from ..routing import ChildRoutingMixin
from ..visibility import reachable_pages
from .page_types import INDEX_PARENT_PAGE_TYPES
from .page_views import context_from_views


class SeriesIndexPage(
    DraftSavesLeaveIndexesMixin, LiveTitleForMembersMixin, ChildRoutingMixin, Page
):
    intro = RichTextField(blank=True, features=RICH_TEXT_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    api_fields = [APIField("intro", writable=True)]

    parent_page_types = INDEX_PARENT_PAGE_TYPES
    subpage_types = ["reviews.SeriesPage"]
    max_count_per_parent = 1
    routed_child_model = "reviews.SeriesPage"

    class Meta:
        verbose_name = _("series index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["series_list"] = reachable_pages(
            SeriesPage.objects.child_of(self).live()
        ).order_by("title")
        return context


class SeriesPage(
    DraftSavesLeaveIndexesMixin, LiveTitleForMembersMixin, HeadlessPreviewMixin, Page
):
    author = models.CharField(_("author"), max_length=255)
    description = RichTextField(
        _("description"), blank=True, features=RICH_TEXT_FEATURES
    )

    content_panels = Page.content_panels + [
        FieldPanel("author"),
        FieldPanel("description"),
        InlinePanel(
            "entries",
            label=_("Book"),
            heading=_("Books"),
            help_text=_(
                "Each book's position sets the reading order (1, 2, or 2.5 "
                "for a novella between them); the arrows only arrange this form."
            ),
            min_num=1,
        ),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("author"),
        index.SearchField("description"),
    ]

    api_fields = [
        APIField("author", writable=True),
        APIField("description", writable=True),
        APIField("books"),
        # Written as {book, position} items; read as ``books`` above.
        APIField("entries", writable=True),
    ]

    parent_page_types = ["reviews.SeriesIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")

    @property
    def books(self) -> list[dict]:
        """The series in reading order, as the API shows it."""
        return series_books(self.ordered_entries())

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The entries in reading order, each with its public reviews.
        context.update(context_from_views(self, request))
        return context

    def ordered_entries(self):
        return self.entries.select_related("book", "book__cover").order_by(
            "position", "sort_order"
        )


class SeriesEntry(Orderable):
    series = ParentalKey(SeriesPage, on_delete=models.CASCADE, related_name="entries")
    book = models.ForeignKey(
        "reviews.Book",
        on_delete=models.CASCADE,
        related_name="series_entries",
        verbose_name=_("book"),
    )
    position = models.DecimalField(
        _("position"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Place in the series: 1, 2, or 2.5 for a novella between them."),
    )

    panels = [FieldPanel("book"), FieldPanel("position")]

    api_fields = [APIField("book", writable=True), APIField("position", writable=True)]

    class Meta(Orderable.Meta):
        verbose_name = _("book in series")
        verbose_name_plural = _("books in series")
        constraints = [
            models.UniqueConstraint(
                fields=["series", "book"], name="unique_book_per_series"
            )
        ]

    def __str__(self) -> str:
        return f"{self.book.title} (#{self.position_display})"

    @property
    def position_number(self) -> int | float:
        """The position as JSON shows it: ``2`` or ``2.5``."""
        value = self.position.normalize()
        return int(value) if value == value.to_integral_value() else float(value)

    @property
    def position_display(self) -> str:
        """``2`` for 2.00, ``2.5`` for 2.50."""
        return format(self.position.normalize(), "f")


def public_series() -> models.QuerySet:
    """The ids of the live series pages no view restriction covers and no
    unpublished section holds: the only series a review, or a book's
    summary, may name to any reader (as the series listings and the book's
    page do)."""
    return reachable_pages(SeriesPage.objects.live()).values("pk")


def series_books(entries) -> list[dict[str, Any]]:
    """A series' books in the order given, as every API version shows them."""
    return [
        {
            "id": entry.book_id,
            "title": entry.book.title,
            "position": entry.position_number,
        }
        for entry in entries
    ]
