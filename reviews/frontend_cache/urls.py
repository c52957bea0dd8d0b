"""The URLs that show a page, a book or a series: what a change to them
purges from an edge purged by URL."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from wagtail.contrib.frontend_cache.utils import (
    PurgeBatch,
)
from wagtail.models import Page, ReferenceIndex, Site

from ..blocks import revealable_blocks
from ..chapter_ranges import bucket_of, clip
from ..models import (
    Book,
    DiscussionComment,
    DiscussionPage,
    ReviewPage,
    SeriesEntry,
    SeriesPage,
    book_left,
)
from .routes import BOOK_API_ROUTES, CLUB_API_ROUTES, PAGE_API_ROUTES


def pages_showing_books(books: Iterable[int]) -> QuerySet[Page]:
    """The live pages that show ``books`` (ids) by title or by series: the
    reviews and discussions about them, the series pages that list them and
    the pages that name them otherwise (a review's spoiler warnings)."""
    books = sorted(set(books))
    naming = pages_naming(Book.objects.filter(pk__in=books))
    shown = (
        Q(pk__in=ReviewPage.objects.filter(book_id__in=books).values("pk"))
        | Q(pk__in=DiscussionPage.objects.filter(book_id__in=books).values("pk"))
        | Q(pk__in=SeriesEntry.objects.filter(book_id__in=books).values("series_id"))
        | Q(pk__in=naming)
    )
    return Page.objects.live().filter(shown).specific()


def urls_showing_books(
    books: Iterable[int], roots: list[str] | None = None
) -> list[str]:
    """The shared answers that show ``books`` (ids): their API answers and
    those of the pages that show them (:func:`pages_showing_books`), each at
    its own address, with its API and reveal answers and the pages that list
    it, under ``roots``."""
    books = sorted(set(books))
    if not books:
        return []
    roots = app_roots() if roots is None else roots
    listing, detail = BOOK_API_ROUTES
    routes = [(listing, []), *((detail, [book_id]) for book_id in books)]
    return [
        *shown_on(list(pages_showing_books(books)), roots),
        *_on_every_host(routes, roots),
    ]


def shown_on(pages, roots: list[str]) -> list[str]:
    """The shared answers of ``pages``, each shown on its own (its address,
    reveal and API answers) and in the pages that list it."""
    listing = [url for page in pages for url in listing_urls_for_pages(page, [page])]
    return [*_answers_of(pages, roots), *listing]


def urls_naming_series(pages, roots: list[str] | None = None) -> list[str]:
    """The shared answers that name the series pages among ``pages``: those
    that show one of their books (:func:`urls_showing_books`), which say
    "Book 2 of" the series while it is live and public."""
    series = [
        page.pk for page in pages if isinstance(page.specific_deferred, SeriesPage)
    ]
    if not series:
        return []
    books = SeriesEntry.objects.filter(series_id__in=series).values_list(
        "book_id", flat=True
    )
    return urls_showing_books(books, roots)


def api_urls_for_page(page, roots: list[str] | None = None) -> list[str]:
    """API URLs that show ``page`` (for purging a front-end cache), on every
    host the APIs answer on (``roots``, when the caller looked them up once
    for many pages)."""
    specific = page.specific_deferred
    routes: list[tuple[str, list]] = []
    for listing, detail in PAGE_API_ROUTES:
        routes += [(listing, []), (detail, [page.pk])]
    for model, (listing, detail) in CLUB_API_ROUTES.items():
        if isinstance(specific, model):
            routes += [(listing, []), (detail, [page.pk])]
    books = [getattr(specific, "book_id", None), book_left(page)]
    for book_id in filter(None, books):
        listing, detail = BOOK_API_ROUTES
        routes += [(listing, []), (detail, [book_id])]
    paths = []
    for name, args in routes:
        try:
            paths.append(reverse(name, args=args))
        except NoReverseMatch:  # a site that mounts only some of the APIs
            continue
    roots = app_roots() if roots is None else roots
    return [root + path for root in roots for path in dict.fromkeys(paths)]


def app_roots() -> list[str]:
    """Where the APIs and the reveal endpoint answer (by id, whatever the
    page's site): the APIs' base URL and every Site's address (an edge keeps
    an answer per host)."""
    base = getattr(settings, "WAGTAILAPI_BASE_URL", "") or getattr(
        settings, "WAGTAILADMIN_BASE_URL", ""
    )
    sites = [root.root_url for root in Site.get_site_root_paths()]
    return list(dict.fromkeys(url.rstrip("/") for url in [base, *sites]))


def reveal_urls_for_page(page, roots: list[str] | None = None) -> list[str]:
    """The reveal endpoint's answers about ``page``'s spoilers and gated
    questions, on every host the endpoint answers on (``roots``, when the
    caller looked them up once for many pages): each is a block's content,
    shared with every visitor while the page is live and public."""
    return _on_every_host(
        [
            ("reviews:reveal_block", [page.pk, child.id])
            for child in revealable_blocks(page.specific_deferred)
        ],
        roots,
    )


def listing_urls_for_pages(top, pages) -> list[str]:
    """The shared pages that list ``pages`` (``top`` and pages below it)
    from outside them: the live pages above ``top`` (an index lists its
    children, the home page the latest reviews), the series pages of their
    books, and the reviews feed on ``top``'s site."""
    books = {getattr(page, "book_id", None) for page in pages}
    books |= {book_left(page) for page in pages}
    books -= {None}
    listing = [
        *top.get_ancestors().filter(depth__gt=1).live().specific(),
        *SeriesPage.objects.live().filter(entries__book_id__in=books).distinct(),
    ]
    batch = PurgeBatch()
    batch.add_pages(listing)
    urls = sorted(batch.urls)
    if any(isinstance(page, ReviewPage) for page in pages):
        urls += _on_site_of(top, [("reviews:review_feed", [])])
    return urls


def linking_urls_for_pages(pages, roots: list[str] | None = None) -> list[str]:
    """The shared answers of the live pages whose rich text links to one of
    ``pages`` (Wagtail's reference index): their own addresses and the
    reveal and API answers that show them, under ``roots``. A link is
    written with its target's URL only while the target is live and public
    (reviews/rich_text.py), and a slug may be a spoiler."""
    linking_ids = pages_naming(list(pages)) - {page.pk for page in pages}
    if not linking_ids:
        return []
    linking = list(Page.objects.live().filter(pk__in=linking_ids).specific())
    return _answers_of(linking, app_roots() if roots is None else roots)


def pages_naming(targets) -> set[int]:
    """The ids of the pages whose content names one of ``targets`` (model
    instances, or a queryset of one model): Wagtail's reference index."""
    sources = (
        ReferenceIndex.get_references_to_in_bulk(targets)
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .values_list("object_id", flat=True)
    )
    return {int(source) for source in sources if source.isdigit()}


def _answers_of(pages, roots: list[str]) -> list[str]:
    """The shared answers of ``pages``: their own addresses, and the reveal
    and API answers that show them under ``roots``."""
    batch = PurgeBatch()
    batch.add_pages(pages)
    showing = [url for page in pages for url in urls_showing(page, roots)]
    return [*sorted(batch.urls), *showing]


def _on_every_host(
    routes: Iterable[tuple[str, list]], roots: list[str] | None = None
) -> list[str]:
    """The full URLs of ``routes`` (name and arguments) under each of
    ``roots`` (by default every host the app answers on); none for a route
    the site does not mount."""
    paths = []
    for name, args in routes:
        try:
            paths.append(reverse(name, args=args))
        except NoReverseMatch:  # a site that does not mount the club's URLs
            continue
    if not paths:
        return []
    roots = app_roots() if roots is None else roots
    return [root + path for root in roots for path in paths]


def _on_site_of(page, routes: Iterable[tuple[str, list]]) -> list[str]:
    """The full URLs of ``routes`` (name and arguments) on ``page``'s site,
    for what each site answers of its own pages (the reviews feed); none
    when the page has no URL, and none for a route the site does not mount.
    The page's site is looked up once, however many routes."""
    root: tuple[str, str] | None = None
    urls = []
    for name, args in routes:
        try:
            path = reverse(name, args=args)
        except NoReverseMatch:  # a site that does not mount the club's URLs
            continue
        if root is None:
            page_url = page.get_full_url()
            if page_url is None:
                return []
            scheme, netloc = urlsplit(page_url)[:2]
            root = (scheme, netloc)
        urls.append(urlunsplit((*root, path, "", "")))
    return urls


def comment_range_urls_for_page(
    page, also: Iterable[int | None] = (), roots: list[str] | None = None
) -> list[str]:
    """The reveal endpoint's answers about a discussion's comments: every
    range a reader may be offered for the chapters they are about (a bucket,
    clipped after any of its chapters, or the ending), and for the chapters
    ``also`` (where a changed comment was), on every host the endpoint
    answers on (``roots``). Each is shared with every visitor while the
    discussion is live and public."""
    if not isinstance(page, DiscussionPage):
        return []
    chapters = DiscussionComment.objects.filter(page_id=page.pk).values_list(
        "chapter", flat=True
    )
    slugs: dict[str, None] = {}
    for chapter in {*chapters, *also}:
        bucket = bucket_of(chapter)
        first, last = bucket.first or 1, bucket.last or 1
        for reached in range(first - 1, last):
            slugs[clip(bucket, reached).slug] = None
    return _on_every_host(
        [("reviews:reveal_comments", [page.pk, slug]) for slug in slugs], roots
    )


def urls_showing(
    page, roots: list[str] | None = None, chapters: Iterable[int | None] = ()
) -> list[str]:
    """URLs other than the page's own that show what ``page`` holds (and
    held in the comments about ``chapters``), under ``roots``."""
    roots = app_roots() if roots is None else roots
    return [
        *reveal_urls_for_page(page, roots),
        *comment_range_urls_for_page(page, chapters, roots),
        *api_urls_for_page(page, roots),
    ]


def urls_for_page(page, chapters: Iterable[int | None] = ()) -> list[str]:
    """The page's own URLs (as Wagtail's frontend cache purges them: its
    ``get_cached_paths`` under its full URL), its blocks' reveal answers, the
    API URLs that show it, the shared pages that list it and those of the
    pages that link to it; ``chapters``: those a changed comment of the page
    was and is about."""
    batch = PurgeBatch()
    batch.add_page(page)
    urls = [
        *sorted(batch.urls),
        *urls_showing(page, chapters=chapters),
        *listing_urls_for_pages(page, [page]),
        *linking_urls_for_pages([page]),
        *urls_naming_series([page]),
    ]
    return list(dict.fromkeys(urls))
