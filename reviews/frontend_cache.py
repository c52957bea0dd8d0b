"""Purging an edge cache by surrogate key (Varnish with varnish-modules' xkey).

Responses the club lets a shared cache keep carry a ``Surrogate-Key`` header
(the keys of everything they show). :class:`XkeyBackend` is a
``wagtail.contrib.frontend_cache`` backend that, besides Wagtail's own
per-URL purges, removes every stored response tagged with given keys: one
``PURGE`` request with an ``xkey-purge: key key …`` header, which the VCL in
``deploy/varnish/`` hands to ``xkey.purge``.

:func:`purge_keys` sends keys to every configured backend that can take them,
once the current transaction commits, so the edge never drops a response
before the change it reflects is visible to the app nodes; the URL purges of
a changed page (:func:`purge_page_urls`) wait for the commit too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import unquote, urlsplit, urlunsplit
from urllib.request import urlopen

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http.request import split_domain_port
from django.urls import NoReverseMatch, ResolverMatch, reverse
from django.utils.module_loading import import_string
from wagtail import __version__
from wagtail.contrib.frontend_cache.backends.http import HTTPBackend, PurgeRequest
from wagtail.contrib.frontend_cache.utils import (
    PurgeBatch,
    get_backends,
    purge_urls_from_cache,
)
from wagtail.models import Page, ReferenceIndex, Site
from wagtail.signals import page_published, page_unpublished

from . import cache_tags
from .blocks import revealable_blocks
from .chapter_ranges import InvalidChapterRange, bucket_of, clip, parse_range
from .models import (
    Book,
    DiscussionComment,
    DiscussionIndexPage,
    DiscussionPage,
    ReviewPage,
    SeriesEntry,
    SeriesPage,
    book_left,
)

logger = logging.getLogger("wagtail.frontendcache")

#: Varnish refuses request headers over 8 KB by default (``http_req_hdr_len``).
MAX_HEADER_LENGTH = 4000
PURGE_HEADER = "xkey-purge"
USER_AGENT = "Wagtail-frontendcache/" + __version__


class URLPurgeBackend(HTTPBackend):
    """Wagtail's HTTP ``PURGE`` backend, each purge bounded in time: for a
    proxy purged by URL only (nginx, or any that takes ``PURGE``).

    ``LOCATION`` is the edge cache's address as the app nodes reach it (e.g.
    ``http://proxy.internal:8080``); ``TIMEOUT`` (seconds, default 5) bounds
    how long each purge may hold the request that triggered it (Wagtail's
    own waits for as long as the edge does).
    """

    def __init__(self, params: dict[str, Any]) -> None:
        self.timeout = float(params.pop("TIMEOUT", 5))
        super().__init__(params)

    def purge(self, url: str) -> None:
        """Wagtail's purge of one URL, within ``TIMEOUT``: Wagtail's own
        waits for as long as the edge does, and a reset connection ended the
        purges still to come."""
        self._purge_url(url)

    def purge_batch(self, urls: Iterable[str]) -> None:
        """Purge ``urls`` one by one. Once the edge lets a purge time out,
        each of the others would wait as long (a subtree's purges are
        thousands): they are logged as not sent."""
        urls = list(urls)
        for sent, url in enumerate(urls, start=1):
            if not self._purge_url(url) and sent < len(urls):
                logger.error(
                    "%s does not answer: %d more URLs not purged",
                    self.cache_netloc,
                    len(urls) - sent,
                )
                return

    def _purge_url(self, url: str) -> bool:
        parsed = urlsplit(url)
        host = parsed.hostname or ""
        if parsed.port:
            host += f":{parsed.port}"
        location = [self.cache_scheme, self.cache_netloc]
        request = PurgeRequest(
            url=urlunsplit([*location, parsed.path, parsed.query, parsed.fragment]),
            headers={"Host": host, "User-Agent": USER_AGENT},
        )
        return self._send(request, repr(url))

    def _send(self, request: PurgeRequest, what: str) -> bool:
        """Send one purge; an error or a silent edge is logged, never raised.
        False when the edge did not answer within ``TIMEOUT``."""
        try:
            # The scheme comes from the configured LOCATION, not from input.
            urlopen(request, timeout=self.timeout).close()  # noqa: S310
        except HTTPError as error:
            logger.error(
                "Couldn't purge %s from %s: HTTP %d %s",
                what,
                self.cache_netloc,
                error.code,
                error.reason,
            )
        except (URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            logger.error(
                "Couldn't purge %s from %s: %s", what, self.cache_netloc, reason
            )
            return not isinstance(reason, TimeoutError)
        return True


class XkeyBackend(URLPurgeBackend):
    """:class:`URLPurgeBackend` plus purging by surrogate key (Varnish with
    deploy/varnish/'s VCL): ``TIMEOUT`` bounds each purge, by URL or by key."""

    def purge_keys(self, keys: Iterable[str]) -> None:
        for header in _header_values(keys):
            request = PurgeRequest(
                url=urlunsplit([self.cache_scheme, self.cache_netloc, "/", "", ""]),
                headers={PURGE_HEADER: header, "User-Agent": USER_AGENT},
            )
            self._send(request, f"keys {header!r}")


def _header_values(keys: Iterable[str]) -> list[str]:
    """The keys as few ``xkey-purge`` header values as fit Varnish's limit."""
    values: list[str] = []
    current = ""
    for key in dict.fromkeys(k for k in keys if k):
        if current and len(current) + 1 + len(key) > MAX_HEADER_LENGTH:
            values.append(current)
            current = ""
        current = f"{current} {key}" if current else key
    if current:
        values.append(current)
    return values


def configured() -> bool:
    """Is a front-end cache configured? By ``WAGTAILFRONTENDCACHE``, or by
    the older ``WAGTAILFRONTENDCACHE_LOCATION`` that Wagtail still reads (an
    HTTP purger): the club takes Wagtail's own purges off the signals
    (:func:`defer_wagtails_page_purges`) and must send them to either."""
    return bool(
        getattr(settings, "WAGTAILFRONTENDCACHE", None)
        or getattr(settings, "WAGTAILFRONTENDCACHE_LOCATION", None)
    )


def _backend_classes() -> dict[str, type | None]:
    """The configured backends' classes by name, read as Wagtail reads the
    settings, without building any: a backend checks its credentials as it
    is built (Cloudflare's raises without a token) and CloudFront's opens a
    client, and this is asked on every answer. None: an entry without a
    ``BACKEND`` or one that does not import as a class (Wagtail's purges
    fail on it and are logged; the club's answers must not): such an edge
    counts as purged by URL only, the safe side."""
    backends = getattr(settings, "WAGTAILFRONTENDCACHE", None)
    if backends is None:
        if getattr(settings, "WAGTAILFRONTENDCACHE_LOCATION", None) is None:
            return {}
        return {"default": HTTPBackend}
    classes: dict[str, type | None] = {}
    for name, backend in backends.items():
        try:
            found = import_string(backend["BACKEND"])
        except (ImportError, KeyError, TypeError):
            found = None
        classes[name] = found if isinstance(found, type) else None
    return classes


def key_backends() -> list[XkeyBackend]:
    """The configured front-end cache backends that purge by key (only
    those are built)."""
    if not configured():
        return []
    names = [
        name
        for name, backend in _backend_classes().items()
        if backend is not None and issubclass(backend, XkeyBackend)
    ]
    if not names:
        return []
    return [
        b for b in get_backends(backends=names).values() if isinstance(b, XkeyBackend)
    ]


def purges_by_url_only() -> bool:
    """Is an edge configured that is purged by URL alone (any backend but
    :class:`XkeyBackend`: Cloudflare, a plain HTTP purger)? Such an edge can
    get a change's purge before a response built while the change committed,
    and keep that response (Varnish's VCL refuses to store it)."""
    if not configured():
        return False
    return any(
        backend is None or not issubclass(backend, XkeyBackend)
        for backend in _backend_classes().values()
    )


def purge_keys(keys: Iterable[str]) -> None:
    """Purge ``keys`` from every edge cache once the transaction commits.

    An outage of the edge is logged and never fails the change itself.
    """
    backends = key_backends()
    if not backends:
        return
    keys = list(keys)

    def purge() -> None:
        for backend in backends:
            try:
                backend.purge_keys(keys)
            except Exception:  # an edge outage must not undo a publish
                logger.exception("Could not purge keys from the edge cache")

    transaction.on_commit(purge)


def purge_retired(
    sender: object = None,
    tags: Iterable[str] = (),
    pages: Iterable[int] = (),
    books: Iterable[int] = (),
    **kwargs: Any,
) -> None:
    """Receiver of ``reviews.invalidation.tags_retired`` (sent once the
    change has committed): purge the same keys at the edge, and where an
    edge is purged by URL only, the addresses of the ``pages`` and ``books``
    the change shows on, and of the pages that list the nomination rounds
    when they changed."""
    purge_keys(tags)
    rounds = cache_tags.ROUNDS in tags
    if (pages or books or rounds) and purges_by_url_only():
        purge_urls_showing(pages, books, rounds=rounds)


def purge_urls_showing(
    pages: Iterable[int], books: Iterable[int] = (), *, rounds: bool = False
) -> None:
    """Purge now the URLs of the live ``pages`` (ids) and their API, reveal
    and listing answers (:func:`urls_for_page`), and the answers that show
    ``books`` (ids, :func:`urls_showing_books`): what a change that is not
    their own (a member renamed, an answer to a meeting, a book renamed)
    shows on; ``rounds``: and the pages that list the nomination rounds
    (the discussion indexes, and each Site's root page: the club's home
    page). The pages that show a book or a round are looked up here, once
    the change committed and only for such an edge."""
    pages, books = sorted(pages), sorted(books)
    try:
        shown = Q(pk__in=pages)
        if rounds:
            shown |= Q(pk__in=DiscussionIndexPage.objects.values("pk"))
            shown |= Q(pk__in=Site.objects.values("root_page_id"))
        # What urls_for_page gives each page, looked up for all of them at
        # once: the hosts once, the linking and series pages in one query each.
        shown_pages = list(Page.objects.filter(shown).live().specific())
        roots = _app_roots()
        urls = [
            *_shown_on(shown_pages, roots),
            *linking_urls_for_pages(shown_pages, roots),
            *urls_naming_series(shown_pages, roots),
            *urls_showing_books(books, roots),
        ]
        purge_urls_from_cache(list(dict.fromkeys(urls)))
    except Exception:  # an edge outage must not fail the change (it committed)
        logger.exception("Could not purge the URLs of pages %s", pages)


def pages_showing_books(books: Iterable[int]) -> QuerySet[Page]:
    """The live pages that show ``books`` (ids) by title or by series: the
    reviews and discussions about them, the series pages that list them and
    the pages that name them otherwise (a review's spoiler warnings)."""
    books = sorted(set(books))
    naming = _pages_naming(Book.objects.filter(pk__in=books))
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
    roots = _app_roots() if roots is None else roots
    listing, detail = _BOOK_API_ROUTES
    routes = [(listing, []), *((detail, [book_id]) for book_id in books)]
    return [
        *_shown_on(list(pages_showing_books(books)), roots),
        *_on_every_host(routes, roots),
    ]


def _shown_on(pages, roots: list[str]) -> list[str]:
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


#: The API routes that show any page: (listing, detail) of v2 and v3.
_PAGE_API_ROUTES = (
    ("wagtailapi:pages:listing", "wagtailapi:pages:detail"),
    ("wagtailapi_v3:list_pages", "wagtailapi_v3:detail_page"),
)
#: The club's own v3 routes for a kind of page: (listing, detail).
_CLUB_API_ROUTES = {
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
_BOOK_API_ROUTES = ("wagtailapi_v3:club_books_list", "wagtailapi_v3:club_books_detail")
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
        *(name for pair in _PAGE_API_ROUTES for name in pair),
        *(name for pair in _CLUB_API_ROUTES.values() for name in pair),
        *_BOOK_API_ROUTES,
    }
)


#: The API details (each takes an id; a purge writes it as ``str(id)``).
_API_DETAILS = frozenset(
    detail
    for _, detail in (*_PAGE_API_ROUTES, *_CLUB_API_ROUTES.values(), _BOOK_API_ROUTES)
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


def api_urls_for_page(page, roots: list[str] | None = None) -> list[str]:
    """API URLs that show ``page`` (for purging a front-end cache), on every
    host the APIs answer on (``roots``, when the caller looked them up once
    for many pages)."""
    specific = page.specific_deferred
    routes: list[tuple[str, list]] = []
    for listing, detail in _PAGE_API_ROUTES:
        routes += [(listing, []), (detail, [page.pk])]
    for model, (listing, detail) in _CLUB_API_ROUTES.items():
        if isinstance(specific, model):
            routes += [(listing, []), (detail, [page.pk])]
    books = [getattr(specific, "book_id", None), book_left(page)]
    for book_id in filter(None, books):
        listing, detail = _BOOK_API_ROUTES
        routes += [(listing, []), (detail, [book_id])]
    paths = []
    for name, args in routes:
        try:
            paths.append(reverse(name, args=args))
        except NoReverseMatch:  # a site that mounts only some of the APIs
            continue
    roots = _app_roots() if roots is None else roots
    return [root + path for root in roots for path in dict.fromkeys(paths)]


def _app_roots() -> list[str]:
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
    linking_ids = _pages_naming(list(pages)) - {page.pk for page in pages}
    if not linking_ids:
        return []
    linking = list(Page.objects.live().filter(pk__in=linking_ids).specific())
    return _answers_of(linking, _app_roots() if roots is None else roots)


def _pages_naming(targets) -> set[int]:
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
    showing = [url for page in pages for url in _urls_showing(page, roots)]
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
    roots = _app_roots() if roots is None else roots
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


def _urls_showing(
    page, roots: list[str] | None = None, chapters: Iterable[int | None] = ()
) -> list[str]:
    """URLs other than the page's own that show what ``page`` holds (and
    held in the comments about ``chapters``), under ``roots``."""
    roots = _app_roots() if roots is None else roots
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
        *_urls_showing(page, chapters=chapters),
        *listing_urls_for_pages(page, [page]),
        *linking_urls_for_pages([page]),
        *urls_naming_series([page]),
    ]
    return list(dict.fromkeys(urls))


def purge_page_urls(page, chapters: Iterable[int | None] = ()) -> None:
    """Purge the URLs of ``page`` from the front-end caches, if configured,
    once the transaction commits: a purge sent earlier lets the edge fetch
    and keep the old state again before the change is visible; a change
    rolled back purges nothing. The URLs are read now, while the page is
    where the change found it."""
    if not configured():
        return
    try:
        urls = urls_for_page(page, chapters)
    except Exception:  # a page without a Site still lets the change commit
        logger.exception("Could not list the URLs of page %s", page.pk)
        return

    _purge_urls_on_commit(urls, page)


def page_changed(sender=None, instance=None, **kwargs) -> None:
    if instance is not None:
        purge_page_urls(instance)


def purge_subtree_urls(page) -> None:
    """Purge, once the transaction commits, the URLs of ``page`` and of the
    live pages below it, the reveal and API URLs that show them, the shared
    pages that list them and the pages that link to them, read now: where
    they are before a move, or what a view restriction now covers. An edge
    purged by URL only (Cloudflare, a plain HTTP purger) keeps them
    otherwise; an edge purged by surrogate key is already purged by
    :func:`purge_retired`."""
    if not configured():
        return
    batch = PurgeBatch()
    try:
        pages = [page.specific, *page.get_descendants().live().specific()]
        batch.add_pages(pages)
        # The reveal and API answers about each page too: they show it, and
        # name its address.
        roots = _app_roots()
        showing = [url for each in pages for url in _urls_showing(each, roots)]
        showing += listing_urls_for_pages(page, pages)
        showing += linking_urls_for_pages(pages, roots)
        showing += urls_naming_series(pages, roots)
    except Exception:  # a page without a Site still lets the change commit
        logger.exception("Could not list the URLs below page %s", page.pk)
        return
    urls = [*sorted(batch.urls), *dict.fromkeys(showing)]

    _purge_urls_on_commit(urls, page)


def _purge_urls_on_commit(urls: list[str], what: object) -> None:
    """Purge ``urls`` (those of ``what``, for the log) once the transaction
    commits; nothing on rollback."""

    def purge() -> None:
        try:
            purge_urls_from_cache(urls)
        except Exception:  # a CDN outage must not stop a change
            logger.exception("Could not purge the URLs of %r", what)

    transaction.on_commit(purge)


def media_changing(sender=None, instance=None, **kwargs) -> None:
    """An image or a document saved, or about to be deleted: where an edge
    is purged by URL only, the live pages that show it (Wagtail's reference
    index, read before a deletion takes its rows) and those that show the
    books it is the cover of, once the change commits. An edge purged by key
    gets the change's keys (reviews.invalidation.structure_changed)."""
    if instance is None or kwargs.get("created") or kwargs.get("raw"):
        return
    if not purges_by_url_only():
        return  # no query per upload for a site without such an edge
    try:
        roots = _app_roots()
        pages = Page.objects.live().filter(pk__in=_pages_naming([instance]))
        urls = _shown_on(list(pages.specific()), roots)
        if isinstance(instance, Book._meta.get_field("cover").related_model):
            covers = Book.objects.filter(cover_id=instance.pk)
            urls += urls_showing_books(covers.values_list("pk", flat=True), roots)
    except Exception:  # an edge's lookup must not stop a change
        logger.exception("Could not list the URLs that show %r", instance)
        return
    _purge_urls_on_commit(list(dict.fromkeys(urls)), instance)


def page_moving(sender=None, instance=None, **kwargs) -> None:
    """Receiver of ``pre_page_move``: the addresses the page and the pages
    below it are about to leave (``post_page_move`` purges the new ones)."""
    if instance is not None:
        purge_subtree_urls(instance)


#: Where :func:`comment_saving` leaves the chapter a stored comment was about.
_CHAPTER_BEFORE = "_reviews_chapter_before"


def comment_saving(sender=None, instance=None, **kwargs) -> None:
    """Before a ``DiscussionComment`` is saved: remember the chapter the
    stored row is about. An edit may move the comment to another chapter,
    out of the ranges whose reveal answers showed it."""
    if not configured():
        return
    if instance is None or instance.pk is None or kwargs.get("raw"):
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "chapter" not in update_fields:
        return
    stored = type(instance)._default_manager.filter(pk=instance.pk)
    for chapter in stored.values_list("chapter", flat=True):
        instance.__dict__[_CHAPTER_BEFORE] = chapter


def comment_changed(sender=None, instance=None, **kwargs) -> None:
    """A ``DiscussionComment`` saved or deleted (posted, edited, removed):
    its discussion's page, API answers and comment ranges, those of the
    chapter it was about before an edit included."""
    if not configured():
        return  # no query per comment for a site without an edge cache
    chapters = [getattr(instance, "chapter", None)]
    if instance is not None and _CHAPTER_BEFORE in instance.__dict__:
        chapters.append(instance.__dict__.pop(_CHAPTER_BEFORE))
    page = DiscussionPage.objects.filter(pk=getattr(instance, "page_id", None)).first()
    if page is not None:
        purge_page_urls(page, chapters)


def restriction_changed(sender=None, instance=None, **kwargs) -> None:
    """A ``PageViewRestriction`` saved or deleted: the pages it covers."""
    page = Page.objects.filter(pk=getattr(instance, "page_id", None)).first()
    if page is not None:
        purge_subtree_urls(page)


def defer_wagtails_page_purges() -> None:
    """Take ``wagtail.contrib.frontend_cache``'s own purges on publish and
    unpublish off the signals: they are sent at once, inside the
    transaction, and :func:`page_changed` purges the same URLs on commit.

    Its handlers are connected when that app is ready, so it has to be
    listed before ``reviews`` in ``INSTALLED_APPS`` (``reviews.W003``)."""
    if not apps.is_installed("wagtail.contrib.frontend_cache"):
        return
    from wagtail.contrib.frontend_cache import signal_handlers

    for model in apps.get_models():
        if issubclass(model, Page):
            page_published.disconnect(
                signal_handlers.page_published_signal_handler, sender=model
            )
            page_unpublished.disconnect(
                signal_handlers.page_unpublished_signal_handler, sender=model
            )
