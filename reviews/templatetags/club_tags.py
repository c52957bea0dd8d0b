from __future__ import annotations

from django import template
from wagtail.models import Page, Site

from ..models import DiscussionIndexPage, ReviewIndexPage, SeriesIndexPage
from ..spoilers import can_see, reader_for_request

register = template.Library()

SECTION_MODELS = (ReviewIndexPage, SeriesIndexPage, DiscussionIndexPage)


@register.simple_tag(takes_context=True)
def club_sections(context) -> list[Page]:
    """The club's index pages under the current site's root, for navigation."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    if site is None:
        return []
    pages = []
    for model in SECTION_MODELS:
        page = model.objects.live().public().descendant_of(site.root_page).first()
        if page is not None:
            pages.append(page)
    return pages


@register.filter
def stars(rating: float | None) -> str:
    """``4.5`` → ``★★★★½``."""
    if not rating:
        return ""
    whole = int(rating)
    return "★" * whole + ("½" if rating - whole >= 0.5 else "")


@register.simple_tag(takes_context=True)
def unread_spoilers(context, review) -> list[dict]:
    """The books a review spoils that the current reader has not read that far."""
    reader = reader_for_request(context.get("request"))
    return [
        entry
        for entry in review.spoils
        if not can_see(reader, entry["id"], entry["chapter"])
    ]
