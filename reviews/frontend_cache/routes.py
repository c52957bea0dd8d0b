"""Which answers a change purges by URL, at which addresses: the rule an
edge purged by URL only is held to (reviews.response_cache.policy)."""

from __future__ import annotations

import re
from urllib.parse import unquote

from django.http.request import split_domain_port
from django.urls import NoReverseMatch, ResolverMatch, reverse

from ..chapter_ranges import InvalidChapterRange, bucket_of, parse_range
from ..models import (
    DiscussionPage,
    ReviewPage,
    SeriesPage,
)

#: The API routes that show any page: (listing, detail) of v2 and v3.
PAGE_API_ROUTES = (
    ("wagtailapi:pages:listing", "wagtailapi:pages:detail"),
    ("wagtailapi_v3:list_pages", "wagtailapi_v3:detail_page"),
)
#: The club's own v3 routes for a kind of page: (listing, detail).
CLUB_API_ROUTES = {
    ReviewPage: (
        "wagtailapi_v3:club_reviews_list",
        "wagtailapi_v3:club_reviews_detail",
    ),
    SeriesPage: ("wagtailapi_v3:club_series_list", "wagtailapi_v3:club_series_detail"),
    DiscussionPage: (
        "wagtailapi_v3:club_discussions_list",
        "wagtailapi_v3:club_discussions_detail",
    ),
}
BOOK_API_ROUTES = ("wagtailapi_v3:club_books_list", "wagtailapi_v3:club_books_detail")
#: The views whose answers a change purges by URL, each at its address
#: without a query string: a page's own (Wagtail's ``get_cached_paths``),
#: the API listings and details that show it, its reveal answers and the
#: reviews feed. Nothing else is ever purged by URL.
PURGED_BY_URL = frozenset(
    {
        "wagtail_serve",
        "reviews:reveal_block",
        "reviews:reveal_comments",
        "reviews:review_feed",
        *(name for pair in PAGE_API_ROUTES for name in pair),
        *(name for pair in CLUB_API_ROUTES.values() for name in pair),
        *BOOK_API_ROUTES,
    }
)


#: The API details (each takes an id; a purge writes it as ``str(id)``).
_API_DETAILS = frozenset(
    detail
    for _, detail in (*PAGE_API_ROUTES, *CLUB_API_ROUTES.values(), BOOK_API_ROUTES)
)
_ID = re.compile("[1-9][0-9]*")


def is_purged_by_url(
    path: str, match: ResolverMatch, written: str | None = None
) -> bool:
    """Would a change to what it shows purge the answer at ``path`` (which
    resolved to ``match``), asked without a query string, from an edge
    purged by URL only? Only at the address a purge names: the view's
    arguments written as the purge writes them (``/api/v3/reviews/07/``
    shows review 7 but is never purged), the path percent-encoded as it
    encodes it (``written``, the path as the client sent it, when the
    server tells), and for a discussion's comments a range a change purges.
    The same answer under any other address (``?utm_source=…``, an API
    listing's filters, a search) is never purged, so such an edge would keep
    it (a review unpublished or restricted since included) for as long as
    ``max-age`` lets it (reviews.response_cache.policy.for_edges)."""
    if match.view_name not in PURGED_BY_URL:
        return False
    try:
        named = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
    except NoReverseMatch:
        return False
    if unquote(named) != path or (written is not None and written != named):
        # ``written``: the path as the client wrote it, when the server
        # says; ``/%72eviews/…`` is answered as ``/reviews/…``.
        return False
    if match.view_name in _API_DETAILS and not all(
        _ID.fullmatch(str(value)) for value in [*match.args, *match.kwargs.values()]
    ):
        # The v3 details take their id as text and read ``05``, ``+5`` or
        # ``5.0`` as 5; a purge writes it as ``5``.
        return False
    if match.view_name == "reviews:reveal_comments":
        return _is_purged_range(match.kwargs["chapter_range"])
    return True


def is_host_as_purged(host: str) -> bool:
    """Is ``host`` (a request's ``Host``) written as a purge writes a Site's
    (``Site.root_url``): in lower case, without a trailing dot, with a port
    only when it is not the scheme's own? Django and Wagtail answer
    ``EXAMPLE.org``, ``example.org.`` and ``example.org:443`` as
    ``example.org``, but an edge keeps each under the ``Host`` it came with
    (Varnish hashes it as it is), where no purge reaches it."""
    domain, port = split_domain_port(host)
    return (
        bool(domain)
        and host == (f"{domain}:{port}" if port else domain)
        and port not in ("80", "443")
    )


def _is_purged_range(slug: str) -> bool:
    """Is ``slug`` a range of chapters :func:`comment_range_urls_for_page`
    purges: the ending, or a bucket clipped after any of its chapters (the
    range a reader is offered), written as it writes them?"""
    try:
        wanted = parse_range(slug)
    except InvalidChapterRange:
        return False
    if wanted.slug != slug:
        return False
    return wanted.is_ending or wanted.last == bucket_of(wanted.first).last
