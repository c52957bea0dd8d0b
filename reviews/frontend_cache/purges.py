"""When to purge: receivers of the club's and Wagtail's signals, each
sending its purges once the change has committed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from wagtail.contrib.frontend_cache.utils import (
    PurgeBatch,
    purge_urls_from_cache,
)
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished

from .. import cache_tags
from ..models import (
    Book,
    DiscussionIndexPage,
    DiscussionPage,
)
from .backends import configured, logger, purge_keys, purges_by_url_only
from .urls import (
    app_roots,
    linking_urls_for_pages,
    listing_urls_for_pages,
    pages_naming,
    shown_on,
    urls_for_page,
    urls_naming_series,
    urls_showing,
    urls_showing_books,
)


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
        roots = app_roots()
        urls = [
            *shown_on(shown_pages, roots),
            *linking_urls_for_pages(shown_pages, roots),
            *urls_naming_series(shown_pages, roots),
            *urls_showing_books(books, roots),
        ]
        purge_urls_from_cache(list(dict.fromkeys(urls)))
    except Exception:  # an edge outage must not fail the change (it committed)
        logger.exception("Could not purge the URLs of pages %s", pages)


def purge_page_urls(page, chapters: Iterable[int | None] = ()) -> None:
    """Purge the URLs of ``page`` from the front-end caches, if configured,
    once the transaction commits: a purge sent earlier lets the edge fetch
    and keep the old state again before the change is visible; a change
    rolled back purges nothing. The URLs are read now, while the page is
    where the change found it."""
    if not configured():
        return
    try:
        # A savepoint: inside a caller's transaction around the change, a
        # database error caught here would otherwise leave it aborted.
        with transaction.atomic():
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
        # A savepoint, as in purge_page_urls.
        with transaction.atomic():
            pages = [page.specific, *page.get_descendants().live().specific()]
            batch.add_pages(pages)
            # The reveal and API answers about each page too: they show it,
            # and name its address.
            roots = app_roots()
            showing = [url for each in pages for url in urls_showing(each, roots)]
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
        roots = app_roots()
        pages = Page.objects.live().filter(pk__in=pages_naming([instance]))
        urls = shown_on(list(pages.specific()), roots)
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
