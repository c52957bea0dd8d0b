"""Nested API representations shared by API v2 and v3.

Wagtail's v3 schema generator runs ``APIField(serializer=…)`` fields through
the same ``to_representation``, so both versions show the same shape. The
club's own v3 routers build their items from the same functions.

They live beside the models because Wagtail reads a page's ``api_fields``
from the model class: kept with the API, every page model imported upwards.
"""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from rest_framework.fields import Field

from .. import cache_tags
from ..derived import for_tags_in_process
from ..members import display_name
from ..site_root import site_root_url
from .members import public_id_of

#: Cover renditions every API response carries, by name.
COVER_RENDITIONS: dict[str, str] = {
    "thumbnail": "fill-160x240",
    "large": "max-600x900",
}


def series_memberships(book) -> list[dict[str, Any]]:
    """The live, public series a book belongs to, by series title."""
    return live_series_memberships().get(book.pk, [])


def live_series_memberships() -> dict[int, list[dict[str, Any]]]:
    """Every book's live, public series, read again only after a change to
    series or to the page tree's shape.

    Every book in every API response shows its series; prefetching them per
    response cost a query and a series page per book (a tenth of a listing).
    The whole map is small — one entry per book in a series — but reading it
    means every series page: at 20,000 reviews two fifths of a v2 listing's
    rebuild, which every publish, comment and vote used to force. A series
    published, edited, unpublished or deleted, and an entry changed, retire
    :data:`~reviews.cache_tags.SERIES`; a move, a view restriction or a
    Site retire :data:`~reviews.cache_tags.SITE` (reviews.cache_tags).
    """
    from .series import SeriesEntry, public_series  # series imports this module

    def read() -> dict[int, list[dict[str, Any]]]:
        memberships: dict[int, list[dict[str, Any]]] = {}
        entries = (
            SeriesEntry.objects.filter(series__in=public_series())
            .select_related("series")
            .only("book_id", "series_id", "position", "series__title")
            .order_by("series__title", "pk")
        )
        for entry in entries:
            memberships.setdefault(entry.book_id, []).append(
                {
                    "id": entry.series_id,
                    "title": entry.series.title,
                    "position": entry.position_number,
                }
            )
        return memberships

    return for_tags_in_process(
        (cache_tags.SERIES, cache_tags.SITE), "series-memberships", read
    )


def rendition_representation(rendition) -> dict[str, Any]:
    return {"url": rendition.url, "width": rendition.width, "height": rendition.height}


def cover_representation(image) -> dict[str, Any] | None:
    """A book cover with a thumbnail and a large rendition.

    ``get_renditions`` uses renditions prefetched with
    ``prefetch_renditions(*COVER_RENDITIONS.values())`` and creates any that
    are missing, all at once.
    """
    if image is None:
        return None
    renditions = image.get_renditions(*COVER_RENDITIONS.values())
    return {
        "id": image.pk,
        "title": image.title,
        "alt": image.default_alt_text,
        **{
            name: rendition_representation(renditions[spec])
            for name, spec in COVER_RENDITIONS.items()
        },
    }


def default_site_root() -> str:
    """:func:`reviews.site_root.site_root_url` of the default Site, read once
    per change of the sites (:data:`~reviews.cache_tags.SITE`): every book in
    a listing asks for it."""
    return for_tags_in_process(
        (cache_tags.SITE,), "default-site-root-url", site_root_url
    )


def book_html_url(book) -> str | None:
    """The full URL of the book's page on the site, if the site serves one."""
    if not book.slug:
        return None
    try:
        return default_site_root() + reverse("reviews:book", args=[book.slug])
    except NoReverseMatch:  # a site that does not include the plugin's URLs
        return None


def book_summary(book) -> dict[str, Any]:
    return {
        "id": book.pk,
        "title": book.title,
        "author": book.author,
        "isbn13": book.isbn13,
        "series": series_memberships(book),
        "cover": cover_representation(book.cover),
        "html_url": book_html_url(book),
    }


class BookSummaryField(Field):
    """``book`` on a review: ``{id, title, author, isbn13, series, cover}``."""

    def __init__(self, **kwargs) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> dict[str, Any]:
        return book_summary(value)


class ReviewerField(Field):
    """``reviewer`` on a review: its public id (what the ``reviewer`` filter
    takes) and display name, never a login or email."""

    def __init__(self, **kwargs) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> dict[str, Any]:
        return reviewer_summary(value)


#: Where :func:`reviews.api.querysets.with_review_relations` leaves each
#: review's tags, as a list. Prefetching into the tag manager instead makes
#: Django ask taggit for a queryset per review (``tags_for``), built and never
#: run: a third of a 20-review listing's time.
PREFETCHED_TAGS = "prefetched_tags"


def reviewer_summary(user) -> dict[str, Any]:
    """A reviewer as both APIs show them: the public id the ``reviewer``
    filter takes (random and stored, never the user's primary key, which
    would count members) and the display name; never a login or an email.
    A former member has no id."""

    return {"id": public_id_of(user), "display_name": display_name(user)}


def tag_names(page) -> list[str]:
    """A review's tag names, sorted, from the prefetched list when there is
    one."""
    tags = getattr(page, PREFETCHED_TAGS, None)
    if tags is None:
        tags = page.tags.all()
    return sorted(tag.name for tag in tags)


class TagNamesField(Field):
    """``tags``: the tag names (Wagtail's own tags field queries once per
    page)."""

    def __init__(self, **kwargs) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, value) -> list[str]:
        return tag_names(value)
