"""Retiring cache tags when the content changes.

Signal handlers (wired in reviews/signal_handlers.py) name the change;
reviews.cache_tags says which tags it retires; :func:`retire` gives those
tags new versions in the database inside the change's own transaction, and
once it commits sends :data:`tags_retired`, which an edge cache's purger
listens to (purge by surrogate key).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from wagtail.models import Page

from . import cache_tags
from .content_version import retire_in_database
from .indexing import DRAFT_FIELDS
from .members import display_name
from .models import (
    DiscussionComment,
    DiscussionIndexPage,
    DiscussionPage,
    MeetingRSVP,
    ReviewIndexPage,
    ReviewPage,
    SeriesIndexPage,
    SeriesPage,
    book_left,
    newly_live,
    rating_changed,
    was_live,
)

logger = logging.getLogger(__name__)

#: Sent once the transaction that retired ``tags`` (a frozenset of
#: reviews.cache_tags names) has committed; ``sender`` is None. ``pages``
#: and ``books`` (frozensets of ids) name the pages and books a change other
#: than their own shows on (a member renamed, an answer to a meeting, a book
#: renamed: the pages about it too), for an edge purged by URL
#: (reviews.frontend_cache); a page's own change names its addresses itself.
tags_retired = Signal()

_KINDS: tuple[tuple[type[Page], str], ...] = (
    (ReviewPage, cache_tags.REVIEW),
    (DiscussionPage, cache_tags.DISCUSSION),
    (SeriesPage, cache_tags.SERIES_PAGE),
    (ReviewIndexPage, cache_tags.REVIEW_INDEX),
    (DiscussionIndexPage, cache_tags.DISCUSSION_INDEX),
    (SeriesIndexPage, cache_tags.SERIES_INDEX),
)


def page_kind(page: Page) -> str:
    """The reviews.cache_tags kind of ``page`` (any Page, specific or not)."""
    model = page.specific_class or type(page)
    for page_model, kind in _KINDS:
        if issubclass(model, page_model):
            return kind
    return cache_tags.OTHER


def retire(
    tags: Iterable[str],
    *,
    late_ok: bool = False,
    pages: Iterable[int] = (),
    books: Iterable[int] = (),
) -> None:
    """Retire ``tags`` (and :data:`~reviews.cache_tags.ALL`) now, in the
    current transaction; tell the edge once it commits.

    ``late_ok``: the change only adds to what every reader may already see
    (a new comment, a vote, an RSVP), so a cached copy may still be served
    while one client rebuilds it (reviews/response_cache/builds.py). Anything that
    may hide, reveal or rename must leave it False. ``pages``, ``books``: the
    ids of those the change shows on, when it is not their own change
    (:data:`tags_retired`).
    """
    retired = frozenset(tags) | {cache_tags.ALL}
    retire_in_database(retired, late_ok=late_ok)
    transaction.on_commit(
        partial(_announce, retired, frozenset(pages), frozenset(books))
    )


def _announce(
    tags: frozenset[str],
    pages: frozenset[int] = frozenset(),
    books: frozenset[int] = frozenset(),
) -> None:
    sent = tags_retired.send_robust(sender=None, tags=tags, pages=pages, books=books)
    for receiver, error in sent:
        if isinstance(error, Exception):  # an edge outage must not fail a write
            logger.error("Purging %s failed in %r: %s", sorted(tags), receiver, error)


def _book_id(page: Page) -> int | None:
    # Never a query: a deleted page's row is gone. Wagtail's page signals
    # send the specific page; a deletion sends the specific row's own too.
    return getattr(page, "book_id", None)


# Signal receivers ----------------------------------------------------------


def _retired_by(instance: Page, *, gone: bool = False) -> frozenset[str]:
    """What a page published, unpublished, saved or deleted (``gone``)
    retires."""
    left = book_left(instance)
    tags = cache_tags.retired_by_page(
        page_kind(instance),
        instance.pk,
        _book_id(instance),
        # Live now and perhaps not before: links to it, written as plain
        # text while it was a draft or unpublished, may now carry its URL.
        links=gone or not instance.live or newly_live(instance),
        stayed=(
            not gone and instance.live and was_live(instance) is True and left is None
        ),
        rated=rating_changed(instance),
    )
    if left is not None:
        # Published about another book: the one it was about lost it.
        tags |= {cache_tags.book(left)}
    return tags


#: Where :func:`page_saved` leaves, on the page object it saved, the tags
#: that save retired, for :func:`page_published` to find.
_RETIRED_BY_SAVE = "_reviews_retired_by_save"


def page_published(sender: Any = None, instance: Page | None = None, **kwargs) -> None:
    """``page_published`` and ``page_unpublished``: Wagtail sends them just
    after the page's save has committed, and :func:`page_saved` retired the
    page's tags in that save's transaction (as the database's triggers did).
    Retiring them again, in a commit of its own, made every reader who
    rebuilt a listing between the two commits rebuild it again: twice the
    work for the busiest pages on every publish. A rebuild after the first
    commit is already right, since what the publish shows readers committed
    with the page's row (the media it uses, written after, retire their own
    tags), so only tags that save did not retire are retired here.

    The save is known by the page object it left its tags on, and stands in
    for one signal only: a signal for an object no save of this process
    touched (a page Wagtail deletes, code that sends it itself, a copy of
    the page loaded afresh) retires everything, as before.
    """
    if instance is None:
        return
    saved = instance.__dict__.pop(_RETIRED_BY_SAVE, frozenset())
    tags = _retired_by(instance)
    if tags - saved:
        retire(tags)


def page_saved(sender: Any, instance: Any, **kwargs) -> None:
    """A page saved (by a publish, an unpublish, a script, a command):
    unless only its draft moved on, readers may see the change. Retired in
    the save's own transaction; a publish's signal then retires only what
    this did not (:func:`page_published`)."""
    if not isinstance(instance, Page):
        return
    if kwargs.get("raw"):  # loaddata: content types may not be there yet
        retire(cache_tags.retired_by_structure())
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and set(update_fields) <= DRAFT_FIELDS:
        return
    if kwargs.get("created") and not instance.live:
        return
    tags = _retired_by(instance)
    retire(tags)
    instance.__dict__[_RETIRED_BY_SAVE] = tags


def page_deleted(sender: Any, instance: Any, **kwargs) -> None:
    if isinstance(instance, Page):
        retire(_retired_by(instance, gone=True))


def page_moved(sender: Any = None, instance: Page | None = None, **kwargs) -> None:
    tags = set(cache_tags.retired_by_structure())
    if instance is not None:
        tags |= cache_tags.retired_by_page(
            page_kind(instance), instance.pk, _book_id(instance)
        )
    retire(tags)


def structure_changed(sender: Any = None, **kwargs) -> None:
    """A view restriction, a site, an image, a document or an approval."""
    retire(cache_tags.retired_by_structure())


def media_uses_changed(sender: Any = None, **kwargs) -> None:
    retire(cache_tags.retired_by_media_uses())


def book_changed(sender: Any, instance: Any, **kwargs) -> None:
    """A book saved or deleted: its answer, and the pages about it, which
    show its title."""
    retire(cache_tags.retired_by_book(instance.pk), books=[instance.pk])


#: What a sign-in or a password change saves on a member: nothing shown.
_UNSHOWN_MEMBER_FIELDS = frozenset({"last_login", "password"})
#: Where :func:`member_saving` leaves the name a member was shown by.
_SHOWN_BEFORE = "_reviews_shown_name_before"


def member_saving(sender: Any, instance: Any, **kwargs) -> None:
    """Before a member is saved: remember the name the stored row shows,
    so that a save that changes nothing shown (a password reset through
    Django's form saves every field) retires nothing."""
    update_fields = kwargs.get("update_fields")
    if kwargs.get("raw") or instance.pk is None:
        return
    if update_fields is not None and set(update_fields) <= _UNSHOWN_MEMBER_FIELDS:
        return
    stored = type(instance)._default_manager.filter(pk=instance.pk).first()
    if stored is not None:
        instance.__dict__[_SHOWN_BEFORE] = display_name(stored)


def member_changed(sender: Any, instance: Any, **kwargs) -> None:
    """A member saved: if their name changed, the pages and listings that
    show them."""
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and set(update_fields) <= _UNSHOWN_MEMBER_FIELDS:
        return
    if kwargs.get("created"):
        return  # nothing shows a member who has just joined
    before = instance.__dict__.pop(_SHOWN_BEFORE, None)
    if before is not None and before == display_name(instance):
        return
    _member_shown_differently(instance.pk)


def member_deleting(sender: Any, instance: Any, **kwargs) -> None:
    """A member about to be deleted, in the deletion's transaction: found
    while their comments and reviews still name them."""
    _member_shown_differently(instance.pk)


def _member_shown_differently(member_id: int) -> None:
    reviews = list(
        ReviewPage.objects.filter(reviewer_id=member_id).values_list("pk", "book_id")
    )
    discussions = set(
        DiscussionComment.objects.filter(author_id=member_id).values_list(
            "page_id", flat=True
        )
    ) | set(
        MeetingRSVP.objects.filter(member_id=member_id).values_list(
            "page_id", flat=True
        )
    )
    review_ids = [pk for pk, _ in reviews]
    tags = cache_tags.retired_by_member(
        reviews=review_ids,
        discussions=discussions,
        books=[book_id for _, book_id in reviews],
    )
    retire(tags, pages=[*review_ids, *discussions])


def series_entry_changed(sender: Any, instance: Any, **kwargs) -> None:
    retire(
        cache_tags.retired_by_series_entry(),
        pages=[instance.series_id],
        books=[instance.book_id],
    )


def comment_changed(sender: Any, instance: Any, **kwargs) -> None:
    """A comment posted may show a moment late; an edit (its author taking
    a spoiler back out), a removal or a deletion never."""
    posted = (
        kwargs.get("created", False)
        and not instance.removed
        and instance.deleted_at is None
    )
    retire(cache_tags.retired_by_comment(instance.page_id), late_ok=posted)


def rsvp_changed(sender: Any, instance: Any, **kwargs) -> None:
    """An answer given or changed may show a moment late; one deleted (its
    member gone) never."""
    retire(
        cache_tags.retired_by_rsvp(instance.page_id),
        late_ok="created" in kwargs,
        pages=[instance.page_id],
    )


def round_changed(sender: Any, instance: Any, **kwargs) -> None:
    retire(cache_tags.retired_by_round())


def vote_changed(sender: Any, instance: Any, **kwargs) -> None:
    """Votes only move a tally: late is harmless."""
    retire(cache_tags.retired_by_vote(), late_ok=True)
