from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Page

from reviews import cache_tags
from reviews.blocks import RICH_TEXT_FEATURES
from reviews.cards import open_round, prepare_review_cards
from reviews.derived import for_tags_in_process
from reviews.indexing import DraftSavesLeaveIndexesMixin
from reviews.members import shown_member
from reviews.models import DiscussionPage, SeriesIndexPage, SeriesPage
from reviews.models.reviews import public_reviews_under
from reviews.popularity import popular_review_ids
from reviews.routing import ChildRoutingMixin
from reviews.visibility import descendants_of, reachable_pages

LATEST_REVIEWS = 6
#: Series listed on the home page; past that, a link to the series index.
HOME_SERIES = 10


class HomePage(DraftSavesLeaveIndexesMixin, ChildRoutingMixin, Page):
    intro = RichTextField(
        _("welcome"),
        blank=True,
        features=RICH_TEXT_FEATURES,
        help_text=_("A few words about the club, shown at the top of the home page."),
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]

    api_fields = [APIField("intro", writable=True)]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        reviews = shown_member(
            public_reviews_under(self).select_related("book", "book__cover"),
            "reviewer",
        )
        latest = list(reviews.order_by("-first_published_at", "-pk")[:LATEST_REVIEWS])
        # Views are counted outside the cache tags: the ranking is worked
        # out at most once a minute per process (it sums every review's
        # daily rows), and again when which reviews are public changes; the
        # reviews themselves are fetched by id, through the same rule.
        popular_ids = for_tags_in_process(
            (cache_tags.PUBLIC_REVIEWS,),
            f"popular-reviews:{self.path}",
            lambda: popular_review_ids(reviews),
        )
        by_id = {page.pk: page for page in reviews.filter(pk__in=popular_ids)}
        popular = [by_id[pk] for pk in popular_ids if pk in by_id]
        prefetch_related_objects(latest + popular, "book__cover__renditions")
        prepare_review_cards(latest + popular)
        context["latest_reviews"] = latest
        context["popular_reviews"] = popular
        context["next_discussion"] = (
            reachable_pages(descendants_of(DiscussionPage.objects.live(), self))
            .filter(starts_at__gte=timezone.now())
            .select_related("book")
            .order_by("starts_at")
            .first()
        )
        context["open_round"] = open_round()
        series = list(
            reachable_pages(descendants_of(SeriesPage.objects.live(), self)).order_by(
                "title", "pk"
            )[: HOME_SERIES + 1]
        )
        context["series_list"] = series[:HOME_SERIES]
        context["all_series"] = (
            reachable_pages(descendants_of(SeriesIndexPage.objects.live(), self))
            .order_by("path")
            .first()
            if len(series) > HOME_SERIES
            else None
        )
        return context
