"""The sitemap: Wagtail's, naming only what a listing may name."""

from __future__ import annotations

from django.db.models import QuerySet
from wagtail.contrib.sitemaps import Sitemap

from .visibility import outside_unpublished_branches


class ReachablePagesSitemap(Sitemap):
    """Wagtail's sitemap of the site's live, public pages, without those
    below an unpublished page: an editor who unpublishes a section takes
    what is below it off every listing
    (:func:`reviews.visibility.outside_unpublished_branches`)."""

    def items(self) -> QuerySet:
        return outside_unpublished_branches(super().items())
