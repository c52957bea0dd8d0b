from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Page

from reviews.blocks import RICH_TEXT_FEATURES
from reviews.models import DiscussionPage, ReviewPage, SeriesPage
from reviews.popularity import popular_reviews


class HomePage(Page):
    intro = RichTextField(
        _("welcome"),
        blank=True,
        features=RICH_TEXT_FEATURES,
        help_text=_("A few words about the club, shown at the top of the home page."),
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]

    api_fields = [APIField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        reviews = (
            ReviewPage.objects.live()
            .public()
            .descendant_of(self)
            .select_related("book", "book__cover", "reviewer")
        )
        context["latest_reviews"] = reviews.order_by("-first_published_at")[:6]
        context["popular_reviews"] = popular_reviews(reviews)
        context["next_discussion"] = (
            DiscussionPage.objects.live()
            .public()
            .descendant_of(self)
            .filter(starts_at__gte=timezone.now())
            .select_related("book")
            .order_by("starts_at")
            .first()
        )
        context["series_list"] = (
            SeriesPage.objects.live().public().descendant_of(self).order_by("title")
        )
        return context
