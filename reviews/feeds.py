"""RSS 2.0 feed of published reviews. Summary only: never body text."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .members import display_name, shown_member
from .models import ReviewPage
from .models.reviews import listed_reviews
from .ratings import rating_text
from .site_root import absolute_url, site_root_url


class LatestReviewsFeed(Feed):
    title = _("Latest reviews")
    description = _("New reviews from the book club. Spoiler-free summaries.")
    limit = 30

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def link(self) -> str:
        return site_root_url() + "/"

    def feed_url(self) -> str:
        return absolute_url(reverse("reviews:review_feed"))

    def items(self) -> list[ReviewPage]:
        """The latest reviews a reader may reach: public, not below an
        unpublished section, and served by a Site (one in a page tree no Site
        covers has no address to link to)."""
        reviews = (
            shown_member(listed_reviews(), "reviewer")
            .select_related("book")
            .prefetch_related("tags")
            .order_by("-first_published_at", "-pk")[: self.limit]
        )
        return [review for review in reviews if review.get_full_url(self.request)]

    def item_title(self, item: ReviewPage) -> str:
        rating = f" — {rating_text(item.rating)}/5" if item.rating else ""
        return f"{item.book.title}: {item.title}{rating}"

    def item_description(self, item: ReviewPage) -> str:
        return item.summary

    def item_link(self, item: ReviewPage) -> str:
        return item.get_full_url(request=self.request)

    def item_author_name(self, item: ReviewPage) -> str:
        return display_name(item.reviewer)

    def item_pubdate(self, item: ReviewPage):
        return item.first_published_at

    def item_categories(self, item: ReviewPage) -> list[str]:
        return [tag.name for tag in item.tags.all()]
