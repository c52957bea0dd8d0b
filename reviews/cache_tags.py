"""Cache tags: what a cached response depends on, and what a change retires.

One vocabulary for every cache that keeps the club's public responses: the
server's own (reviews/response_cache/store.py keeps one version per tag in the
database) and an edge cache in front (responses carry their tags in the
``Surrogate-Key`` header, fed to Varnish xkey; a change purges the tags it
retires). A cached response is good while none of its tags has been retired
since it was built.

Pure: it knows kinds of content by name and ids as numbers, no models, no
requests, so the server and the edge agree by construction. Tags are short
ASCII words without spaces, so a header can carry them space-separated:

============== ===========================================================
``all``        retired by every change; what the club cannot tag finer
               (an unknown route) depends on it
``site``       the page tree's shape: a move, a view restriction, a site,
               an index page published, media; every response depends on it
``page-<id>``  one page's own content
``book-<id>``  one book, its reviews' count and average rating
``comments-<id>``, ``rsvps-<id>``  one discussion's comments, answers
``pages``, ``reviews``, ``discussions``, ``series``, ``books``,
``comments``, ``rounds``, ``votes``, ``media``  listings of that kind: retired
               when anything of the kind changes (``media``: which images and
               documents are public)
``public-reviews``  which reviews a reader may see, where, about which books
               (:data:`PUBLIC_REVIEWS`)
``ratings``    the reviews' ratings (:data:`RATINGS`)
``search``     what the search index holds: every answer to a search
               depends on it (:data:`SEARCH`)
============== ===========================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.conf import settings

ALL = "all"
SITE = "site"
PAGES = "pages"
REVIEWS = "reviews"
DISCUSSIONS = "discussions"
SERIES = "series"
BOOKS = "books"
COMMENTS = "comments"
ROUNDS = "rounds"
VOTES = "votes"
MEDIA = "media"
#: Which reviews are public, where they are, which books they are about and
#: those books' names: what a review listing's total and the review index's
#: book choices show, kept under this tag alone (reviews/counts.py,
#: reviews/filters.py). Retired when a review appears or goes (published for
#: the first time or again, unpublished, expired, deleted, moved, made
#: private or public, on an ancestor or a Site too) or changes book, and when
#: a book is saved or deleted; not by a new revision of a live review about
#: the same book, which is most publishes. Every change that retires it also
#: retires :data:`SITE`, :data:`PAGES`, :data:`REVIEWS` or :data:`BOOKS`, so
#: the responses that read it are retired by nothing more than before.
PUBLIC_REVIEWS = "public-reviews"
#: The reviews' ratings: with :data:`PUBLIC_REVIEWS`, what the book list's
#: counts and average ratings read, so that a new revision of a live review
#: that keeps its book and rating (most publishes) leaves the book list.
#: Retired when a live review that stays public gets another rating, by a
#: publish, and by any write of a review's rating (the database's trigger,
#: reviews/migrations/0022); a review that appears or goes retires
#: :data:`PUBLIC_REVIEWS` instead.
RATINGS = "ratings"
#: What the search index holds. The index is written after the change it
#: follows, by a task (in another process with the database task backend),
#: ``manage.py update_index`` or a script; the database's triggers retire
#: this tag with every write to it (reviews/migrations/0021), so a search
#: answered before the index caught up is not kept past it. Every listing
#: asked to search depends on it, and the site search always.
SEARCH = "search"

#: Kinds of page this module knows; any other page is ``OTHER``.
REVIEW = "review"
DISCUSSION = "discussion"
SERIES_PAGE = "series"
REVIEW_INDEX = "review-index"
DISCUSSION_INDEX = "discussion-index"
SERIES_INDEX = "series-index"
OTHER = "other"

#: The header that carries a response's tags to an edge cache (the VCL feeds
#: them to Varnish's xkey index and strips the header before delivery).
HEADER = "Surrogate-Key"

Tags = frozenset[str]


def page(page_id: int) -> str:
    return f"page-{page_id}"


def book(book_id: int) -> str:
    return f"book-{book_id}"


def comments(page_id: int) -> str:
    return f"comments-{page_id}"


def rsvps(page_id: int) -> str:
    return f"rsvps-{page_id}"


def header_value(tags: Iterable[str]) -> str:
    """The tags as a header value: sorted, space-separated."""
    return " ".join(sorted(tags))


# What a response depends on ------------------------------------------------


#: What a page's rich text shows of other pages: a link is written with the
#: target's URL only while the reader may see the target (reviews/rich_text.py),
#: so a page unpublished or deleted must leave every page that links to it (its
#: slug may be a spoiler). Links are not tagged one by one yet: content that
#: renders rich text depends on this one tag, which a page going away or
#: appearing for the first time retires (editing a live page, a comment, a
#: vote or an RSVP leave other pages' copies alone).
LINKED = "linked"


def for_page(kind: str, page_id: int) -> Tags:
    """Tags of a page as served (HTML, a revealed block): the page, the
    navigation, and what it lists or shows besides itself."""
    tags = {SITE, LINKED, page(page_id)}
    if kind == REVIEW:
        # Spoiler warnings and "unread" notes name books and their series.
        tags |= {BOOKS, SERIES}
    elif kind == DISCUSSION:
        tags |= {BOOKS, comments(page_id), rsvps(page_id)}
    elif kind == SERIES_PAGE:
        tags |= {BOOKS, SERIES, REVIEWS}
    elif kind == REVIEW_INDEX:
        tags |= {REVIEWS, BOOKS, SERIES, PUBLIC_REVIEWS}
    elif kind == DISCUSSION_INDEX:
        tags |= {DISCUSSIONS, BOOKS, ROUNDS}
    elif kind == SERIES_INDEX:
        tags |= {SERIES, BOOKS}
    else:  # the home page and any page of another site: everything listed
        # PUBLIC_REVIEWS: the home page's ranking of the most read reviews
        # is kept under it (home/models.py); what retires it retires
        # REVIEWS or SITE too, so the page goes with nothing more than before.
        tags |= {PAGES, REVIEWS, DISCUSSIONS, SERIES, BOOKS, ROUNDS, PUBLIC_REVIEWS}
    return frozenset(tags)


#: Generic page listings: what they show depends on the page types asked for.
_PAGE_LISTINGS = frozenset(
    {
        "wagtailapi:pages:listing",
        "wagtailapi:pages:find",
        "wagtailapi_v3:list_pages",
        "wagtailapi_v3:find_page",
    }
)
#: The plugin's page types (``app_label.model``, lower case) none of whose
#: fields shows a discussion's comments: a listing of these alone is left by a
#: comment. The host site names its own in
#: ``BOOKCLUB_PAGE_TYPES_WITHOUT_COMMENTS``; any other type may show them.
_TYPES_WITHOUT_COMMENTS = frozenset(
    {
        "reviews.reviewpage",
        "reviews.reviewindexpage",
        "reviews.seriespage",
        "reviews.seriesindexpage",
        "reviews.discussionindexpage",
    }
)


def _types_without_comments() -> frozenset[str]:
    hosts = getattr(settings, "BOOKCLUB_PAGE_TYPES_WITHOUT_COMMENTS", ())
    return _TYPES_WITHOUT_COMMENTS | {name.lower() for name in hosts}


def _shows_comments(query: Mapping[str, str]) -> bool:
    # A repeated ``type`` counts whole: API v3 takes every value given.
    values = (
        query.getlist("type") if hasattr(query, "getlist") else [query.get("type", "")]
    )
    names = {
        name.strip().lower() for value in values or [""] for name in value.split(",")
    }
    return not names <= _types_without_comments()


def _pk(kwargs: Mapping[str, object], name: str) -> int | None:
    try:
        return int(str(kwargs[name]))
    except (KeyError, ValueError):
        return None


#: Listings by URL name: every item of the kind, and what the items show.
_LISTINGS: dict[str, Tags] = {
    "wagtailapi:pages:listing": frozenset(
        {PAGES, BOOKS, SERIES, COMMENTS, PUBLIC_REVIEWS}
    ),
    "wagtailapi:pages:find": frozenset({PAGES, BOOKS, SERIES, COMMENTS}),
    "wagtailapi_v3:list_pages": frozenset({PAGES, BOOKS, SERIES, COMMENTS}),
    "wagtailapi_v3:find_page": frozenset({PAGES, BOOKS, SERIES, COMMENTS}),
    "wagtailapi_v3:club_reviews_list": frozenset(
        {REVIEWS, BOOKS, SERIES, LINKED, PUBLIC_REVIEWS}
    ),
    # A discussion's book carries its series, as every book does.
    "wagtailapi_v3:club_discussions_list": frozenset(
        {DISCUSSIONS, COMMENTS, BOOKS, SERIES, LINKED}
    ),
    "wagtailapi_v3:club_series_list": frozenset({SERIES, BOOKS, LINKED}),
    "wagtailapi_v3:club_books_list": frozenset(
        {BOOKS, SERIES, PUBLIC_REVIEWS, RATINGS}
    ),
    "wagtailapi:images:listing": frozenset({MEDIA}),
    "wagtailapi:documents:listing": frozenset({MEDIA}),
    "wagtailapi_v3:list_images": frozenset({MEDIA}),
    "wagtailapi_v3:list_documents": frozenset({MEDIA}),
    "reviews:review_feed": frozenset({REVIEWS, BOOKS}),
    "reviews:search": frozenset({PAGES, REVIEWS, DISCUSSIONS, SERIES, BOOKS}),
}

#: Details by URL name: the keyword argument naming the object, and how the
#: object's own tags are built from its id.
_DETAILS: dict[str, tuple[str, Tags]] = {
    "wagtailapi:pages:detail": ("pk", frozenset({BOOKS, SERIES, LINKED})),
    "wagtailapi_v3:detail_page": ("page_id", frozenset({BOOKS, SERIES, LINKED})),
    "wagtailapi_v3:club_reviews_detail": (
        "review_id",
        frozenset({BOOKS, SERIES, LINKED}),
    ),
    "wagtailapi_v3:club_discussions_detail": (
        "discussion_id",
        frozenset({BOOKS, SERIES, LINKED}),
    ),
    "wagtailapi_v3:club_series_detail": (
        "series_id",
        frozenset({BOOKS, SERIES, LINKED}),
    ),
}


def for_route(
    view_name: str,
    kwargs: Mapping[str, object],
    query: Mapping[str, str] | None = None,
) -> Tags:
    """Tags of a response from the view named ``view_name`` (a URL name with
    its namespace) called with ``kwargs`` and the query string ``query``. A
    route this module does not know depends on :data:`ALL`: any change
    retires it."""
    if view_name in _LISTINGS:
        shown = _LISTINGS[view_name]
        if view_name in _PAGE_LISTINGS and not _shows_comments(query or {}):
            shown = shown - {COMMENTS}
        if view_name == "reviews:search" or "search" in (query or {}):
            shown = shown | {SEARCH}
        return shown | {SITE}
    if view_name in _DETAILS:
        name, shown = _DETAILS[view_name]
        page_id = _pk(kwargs, name)
        if page_id is not None:
            # A page detail may be a discussion: its comments and answers.
            own = {page(page_id), comments(page_id), rsvps(page_id)}
            return shown | own | {SITE}
    if view_name in ("reviews:reveal_block", "reviews:reveal_comments"):
        page_id = _pk(kwargs, "page_id")
        if page_id is not None:
            return frozenset(
                {SITE, BOOKS, SERIES, LINKED, page(page_id), comments(page_id)}
            )
    if view_name == "wagtailapi_v3:club_books_detail":
        book_id = _pk(kwargs, "book_id")
        if book_id is not None:
            return frozenset({SITE, book(book_id), SERIES})
    return frozenset({SITE, ALL})


# What a change retires -----------------------------------------------------


def retired_by_page(
    kind: str,
    page_id: int,
    book_id: int | None = None,
    *,
    links: bool = False,
    stayed: bool = False,
    rated: bool = True,
) -> Tags:
    """A page published, unpublished, edited live or deleted; ``links``: it
    went (unpublished, deleted) or first appeared, so the pages that link to
    it change (:data:`LINKED`), and so may the media it made public (a
    deletion takes its recorded uses with it). Otherwise the media listings
    are retired only when the page's media uses changed
    (:func:`retired_by_media_uses`). ``stayed``: a review that was live
    before the change and still is, about the same book (a new revision
    published): which reviews are public did not change
    (:data:`PUBLIC_REVIEWS`). Leave it False when that is not known.
    ``rated``: a review that stayed may have a new rating (:data:`RATINGS`;
    one that did not stay retires :data:`PUBLIC_REVIEWS`, which covers it).
    False only when its stored rating is known to be the same."""
    tags = {ALL, PAGES, page(page_id)}
    if links:
        tags |= {LINKED, MEDIA}
    if book_id is not None:
        tags.add(book(book_id))
    if kind == REVIEW:
        tags.add(REVIEWS)
        if not stayed:
            tags.add(PUBLIC_REVIEWS)
        elif rated:
            tags.add(RATINGS)
    elif kind == DISCUSSION:
        tags.add(DISCUSSIONS)
    elif kind == SERIES_PAGE:
        tags.add(SERIES)
    else:  # an index, the home page: what lies below it, the navigation
        tags |= {SITE, PUBLIC_REVIEWS}
    return frozenset(tags)


def retired_by_structure() -> Tags:
    """A page moved, a view restriction, a site, an image or document or
    their approval changed: which pages anyone may see, and where."""
    return frozenset({ALL, SITE, MEDIA, PUBLIC_REVIEWS})


def retired_by_media_uses() -> Tags:
    """A published page's media uses changed (reviews.media_visibility):
    which images and documents are public may have. Review bodies do not
    depend on it: they show an image the same whether or not it is public
    elsewhere, and an image's own change retires :data:`SITE`."""
    return frozenset({ALL, MEDIA})


def retired_by_book(book_id: int) -> Tags:
    """A book saved or deleted (its cover may make an image public; the
    review index names it among its choices)."""
    return frozenset({ALL, BOOKS, MEDIA, PUBLIC_REVIEWS, book(book_id)})


def retired_by_member(
    reviews: Iterable[int] = (),
    discussions: Iterable[int] = (),
    books: Iterable[int] = (),
) -> Tags:
    """A member renamed or gone: their name shows beside their ``reviews``
    (page ids) and their comments and answers in ``discussions`` (page ids),
    on the pages of the reviewed ``books``, and in the listings of reviews,
    discussions, comments, pages and nomination rounds. Every other cached
    response (a series, a book detail, another discussion) stays."""
    tags = {ALL, PAGES, REVIEWS, DISCUSSIONS, COMMENTS, ROUNDS}
    tags |= {page(page_id) for page_id in reviews}
    for page_id in discussions:
        tags |= {page(page_id), comments(page_id), rsvps(page_id)}
    tags |= {book(book_id) for book_id in books}
    return frozenset(tags)


def retired_by_series_entry() -> Tags:
    return frozenset({ALL, SERIES, BOOKS})


def retired_by_comment(page_id: int) -> Tags:
    return frozenset({ALL, COMMENTS, comments(page_id)})


def retired_by_rsvp(page_id: int) -> Tags:
    return frozenset({ALL, rsvps(page_id)})


def retired_by_round() -> Tags:
    """A nomination round or a nomination (what the discussion index and the
    home page list)."""
    return frozenset({ALL, ROUNDS})


def retired_by_vote() -> Tags:
    return frozenset({ALL, VOTES})
