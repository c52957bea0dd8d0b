"""Club meetings about a book and their questions; members' comments and their
reports are in comments.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
)
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from ..blocks import RICH_TEXT_FEATURES, QuestionStreamBlock, check_block_chapters
from ..indexing import DraftSavesLeaveIndexesMixin
from ..page_permissions import LiveTitleForMembersMixin
from ..preview import SPOILER_PREVIEW_MODES, HeadlessPreviewMixin
from ..routing import ChildRoutingMixin
from ..visibility import reachable_pages
from .api_fields import BookSummaryField

# Re-exported for the modules that import it from here.
from .comments import REPORT_REASON_MAX_LENGTH  # noqa: F401
from .page_types import INDEX_PARENT_PAGE_TYPES
from .page_views import context_from_views


class DiscussionIndexPage(
    DraftSavesLeaveIndexesMixin, LiveTitleForMembersMixin, ChildRoutingMixin, Page
):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    api_fields = [APIField("intro", writable=True)]

    parent_page_types = INDEX_PARENT_PAGE_TYPES
    subpage_types = ["reviews.DiscussionPage"]
    max_count_per_parent = 1
    routed_child_model = "reviews.DiscussionPage"
    routed_child_related = ("book", "book__cover")

    class Meta:
        verbose_name = _("discussion index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        discussions = reachable_pages(
            DiscussionPage.objects.child_of(self).live()
        ).select_related("book", "book__cover")
        now = timezone.now()
        context["upcoming"] = discussions.filter(starts_at__gte=now).order_by(
            "starts_at"
        )
        context["past"] = discussions.filter(starts_at__lt=now).order_by("-starts_at")[
            :20
        ]
        from .club import NominationRound

        context["open_rounds"] = NominationRound.objects.open()
        return context


#: The years a meeting may be in. Year 1 cannot be shifted into the club's
#: time zone (an OverflowError wherever it is shown), and no club met
#: before 1900 or plans past 2999.
MEETING_YEARS = range(1900, 3000)


def check_meeting_year(value: datetime) -> None:
    if value.year not in MEETING_YEARS:
        raise ValidationError(
            _("Give a date between the years %(first)s and %(last)s."),
            code="meeting_year",
            params={"first": MEETING_YEARS[0], "last": MEETING_YEARS[-1]},
        )


class DiscussionPage(
    DraftSavesLeaveIndexesMixin, LiveTitleForMembersMixin, HeadlessPreviewMixin, Page
):
    book = models.ForeignKey(
        "reviews.Book",
        on_delete=models.PROTECT,
        related_name="discussions",
        verbose_name=_("book"),
    )
    starts_at = models.DateTimeField(
        _("starts at"),
        help_text=_("Date and time of the meeting, in the club's time zone."),
        validators=[check_meeting_year],
    )
    location = models.CharField(
        _("location"),
        max_length=255,
        blank=True,
        help_text=_("Where members meet in person. Leave blank for online only."),
    )
    online_url = models.URLField(
        _("online link"),
        blank=True,
        help_text=_("Video call link. Leave blank for in person only."),
    )
    host = models.CharField(
        _("host"), max_length=255, blank=True, help_text=_("Who leads the discussion.")
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("length in minutes"),
        default=120,
        validators=[MinValueValidator(15), MaxValueValidator(24 * 60)],
        help_text=_("How long the meeting lasts; calendar files use it for the end."),
    )
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)
    questions = StreamField(
        QuestionStreamBlock(),
        blank=True,
        verbose_name=_("questions"),
        help_text=_("Questions for the meeting; gate any that give away the plot."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("book"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("starts_at"), FieldPanel("duration_minutes")]
                ),
                FieldRowPanel([FieldPanel("location"), FieldPanel("online_url")]),
                FieldPanel("host"),
            ],
            heading=_("Meeting"),
        ),
        FieldPanel("intro"),
        FieldPanel("questions"),
    ]
    # The admin form (reviews.page_forms.DiscussionPageForm, which suggests
    # members' names for the host) is set as base_form_class when the app is
    # ready: models import no forms.

    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.RelatedFields("book", [index.SearchField("title")]),
        index.FilterField("starts_at"),
    ]

    api_fields = [
        APIField("book", serializer=BookSummaryField(), writable=True),
        APIField("starts_at", writable=True),
        APIField("location", writable=True),
        APIField("online_url", writable=True),
        APIField("host", writable=True),
        APIField("intro", writable=True),
        APIField("questions", writable=True),
        APIField("comment_count"),
    ]

    parent_page_types = ["reviews.DiscussionIndexPage"]
    subpage_types: list[str] = []
    preview_modes = SPOILER_PREVIEW_MODES

    class Meta:
        verbose_name = _("discussion")

    def clean(self) -> None:
        super().clean()
        if not self.location and not self.online_url:
            raise ValidationError(
                {
                    "location": _("Give a location, an online link, or both."),
                    "online_url": _("Give a location, an online link, or both."),
                }
            )
        if self.book_id:
            for block in self.questions:
                if block.value["book"] is None:
                    block.value["book"] = self.book
            try:
                check_block_chapters(self.questions, "book")
            except ValidationError as error:
                raise ValidationError({"questions": error}) from error

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The comments this reader may see, the comment and RSVP forms.
        context.update(context_from_views(self, request))
        return context

    @property
    def is_upcoming(self) -> bool:
        return self.starts_at >= timezone.now()

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes or 120)

    @property
    def comment_count(self) -> int:
        return self.comments.published().count()
