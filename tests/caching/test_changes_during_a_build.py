"""A change committed by another process while a response is being built.

The response being built may show what was there before; nothing kept from
that build may be served once it is over, by the server or downstream (it
goes out ``no-store``). Here the other process renames
the book a review's spoiler names, right after the build has read it; the
next anonymous reader gets the new name, from the API (whose review bodies
are also kept per revision, reviews/api/item_cache.py) and the HTML page.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_init
from django.test import Client
from django.utils import timezone

from reviews.models import Book, CacheTag, ReviewPage
from reviews.response_cache import forget_local
from tests.cache_queries import reads_tag_versions
from tests.caching.edges import CLOUDFLARE_WITHOUT_TOKEN, OLDER_URL_EDGE, URL_EDGE
from tests.factories import BookFactory, make_review, paragraph, spoiler

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_db"),
]

OLD_TITLE = "The Lighthouse Keeper"
NEW_TITLE = "The Keeper of the Light"


def _rename_elsewhere(book_id: int) -> None:
    """Rename the book on another thread, with its own connection, and
    wait until that has committed."""

    def rename() -> None:
        try:
            book = Book.objects.get(pk=book_id)
            book.title = NEW_TITLE
            book.save()
        finally:
            connection.close()

    other = threading.Thread(target=rename)
    other.start()
    other.join(timeout=30)


class RenameAfterRead:
    """Renames ``book`` elsewhere once this connection has read its row (with
    ``tags``: the tag versions, which a build reads before any content):
    before its next query, or as soon as the row is loaded into a ``Book``
    (a queryset reads all its rows, and closes its cursor, before it builds
    them), since the book may be the build's last query. Never while the
    read is still open: SQLite lets no other connection write a table while
    a query reading it is."""

    def __init__(self, book: Book, *, tags: bool = False) -> None:
        self.book = book
        self.tags = tags
        self.read = False
        self.fired = False

    @contextmanager
    def watching(self) -> Iterator[None]:
        """Watch this connection's queries, and the books it loads."""
        uid = f"rename-after-read-{id(self)}"
        post_init.connect(self._loaded, sender=Book, weak=False, dispatch_uid=uid)
        try:
            with connection.execute_wrapper(self):
                yield
        finally:
            post_init.disconnect(sender=Book, dispatch_uid=uid)

    def _loaded(self, sender, instance: Book, **kwargs) -> None:
        if not self.tags and not self.fired and instance.pk == self.book.pk:
            self._fire()

    def _fire(self) -> None:
        self.fired = True
        _rename_elsewhere(self.book.pk)

    def __call__(self, execute, sql, params, many, context):
        if self.read and not self.fired:
            self._fire()
        if self._reads(sql, params):
            self.read = True
        return execute(sql, params, many, context)

    def _reads(self, sql: str, params) -> bool:
        if self.tags:
            return reads_tag_versions(sql)
        return '"reviews_book"' in sql and self.book.pk in (params or ())


def review_spoiling_a_book() -> tuple[Book, ReviewPage]:
    """A review of another book whose spoiler names a book titled
    :data:`OLD_TITLE`, and that book."""
    spoiled = BookFactory(title=OLD_TITLE, chapter_count=20)
    review = make_review(
        book=BookFactory(title="The Siege"),
        body=[paragraph("Open words."), spoiler(spoiled, 5, "The keeper", "Gone")],
    )
    return spoiled, review


EDGES = pytest.mark.parametrize(
    "edge",
    [None, URL_EDGE, OLDER_URL_EDGE, CLOUDFLARE_WITHOUT_TOKEN],
    ids=["no-edge", "url-edge", "older-url-edge", "cloudflare-without-token"],
)


@pytest.mark.parametrize(
    "address",
    ["/api/v3/reviews/{pk}/", "/api/v2/pages/{pk}/", "{url}"],
    ids=["v3", "v2", "html"],
)
@EDGES
def test_a_book_renamed_while_a_response_is_built_is_shown_renamed_next(
    address, edge, settings
):
    for name, value in (edge or {}).items():
        setattr(settings, name, value)
    spoiled, review = review_spoiling_a_book()
    path = address.format(pk=review.pk, url=review.url)
    client = Client()
    rename = RenameAfterRead(spoiled)

    with rename.watching():
        during = client.get(path)

    assert during.status_code == 200
    assert rename.fired, "the build read the spoiled book"
    # What this build sent may show the old title. An edge purged by URL got
    # the rename's purge before this response: it must not keep it. (Varnish
    # refuses to store a response fetched across a purge: tests/edge.)
    assert during["Cache-Control"] == ("no-store" if edge else "public, max-age=60")
    after = client.get(path)
    assert "public" in after["Cache-Control"]
    assert after.status_code == 200
    assert NEW_TITLE.encode() in after.content
    assert OLD_TITLE.encode() not in after.content


@pytest.mark.parametrize(
    "address",
    ["/api/v3/reviews/{pk}/", "/api/v2/pages/{pk}/", "{url}"],
    ids=["v3", "v2", "html"],
)
@EDGES
def test_a_copy_revalidated_while_the_book_is_renamed_is_not_kept_downstream(
    address, edge, settings
):
    """An edge revalidates its copy (``If-None-Match``) after the server's
    has gone; the rebuild reads the book before a rename commits, so it
    matches the old copy. Its ``304`` would keep that copy at an edge
    purged by URL for another ``max-age``, as a ``200`` would: it goes out
    ``no-store`` too."""
    for name, value in (edge or {}).items():
        setattr(settings, name, value)
    spoiled = BookFactory(title=OLD_TITLE, chapter_count=20)
    reviewed = BookFactory(title="The Siege")
    review = make_review(
        book=reviewed,
        body=[paragraph("Open words."), spoiler(spoiled, 5, "The keeper", "Gone")],
    )
    path = address.format(pk=review.pk, url=review.url)
    client = Client()
    first = client.get(path)
    assert OLD_TITLE.encode() in first.content
    # Saved unchanged: the server's copy retires, the edge's still matches.
    reviewed.save()
    rename = RenameAfterRead(spoiled)

    with rename.watching():
        during = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])

    assert rename.fired, "the rebuild read the spoiled book"
    assert during.status_code == 304
    assert during["Cache-Control"] == ("no-store" if edge else "public, max-age=60")
    after = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    assert NEW_TITLE.encode() in after.content


@pytest.mark.parametrize(
    "address", ["/api/v3/reviews/{pk}/", "/api/v2/pages/{pk}/"], ids=["v3", "v2"]
)
def test_an_api_answer_not_kept_by_the_server_is_not_kept_downstream_either(
    address, settings
):
    """With the server's copies of API answers off, every answer is built,
    and still goes out public for an edge: one built across a rename must
    not stay at an edge purged by URL."""
    settings.BOOKCLUB_API_RESPONSE_CACHE = False
    settings.WAGTAILFRONTENDCACHE = URL_EDGE["WAGTAILFRONTENDCACHE"]
    spoiled, review = review_spoiling_a_book()
    path = address.format(pk=review.pk)
    client = Client()
    rename = RenameAfterRead(spoiled)

    with rename.watching():
        during = client.get(path)

    assert during.status_code == 200
    assert rename.fired, "the answer read the spoiled book"
    assert during["Cache-Control"] == "no-store"
    after = client.get(path)
    assert after["Cache-Control"] == "public, max-age=60"
    assert NEW_TITLE.encode() in after.content
    assert OLD_TITLE.encode() not in after.content


@pytest.mark.parametrize(
    ("address", "method", "cookie"),
    [
        ("/api/v3/reviews/{pk}/", "get", True),
        ("/api/v2/pages/{pk}/", "get", True),
        ("/api/v3/reviews/{pk}/", "head", False),
        ("/api/v2/pages/{pk}/", "head", False),
    ],
    ids=["v3-session", "v2-session", "v3-head", "v2-head"],
)
def test_a_book_renamed_while_an_unshared_answer_is_built_is_shown_renamed_next(
    address, method, cookie
):
    """A visitor with a session (signed out, or a page unlocked) and a HEAD get
    no shared copy, but their review bodies are the anonymous ones, kept for
    every later reader: one rendered before a rename must not be kept under
    the versions read after it."""
    spoiled, review = review_spoiling_a_book()
    path = address.format(pk=review.pk)
    visitor = Client()
    if cookie:
        visitor.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"
    rename = RenameAfterRead(spoiled)

    with rename.watching():
        during = getattr(visitor, method)(path)

    assert during.status_code == 200
    assert rename.fired, "the answer read the spoiled book"
    after = Client().get(path)
    assert after.status_code == 200
    assert NEW_TITLE.encode() in after.content
    assert OLD_TITLE.encode() not in after.content


@pytest.mark.parametrize(
    "address", ["/api/v3/reviews/{pk}/", "/api/v2/pages/{pk}/"], ids=["v3", "v2"]
)
@pytest.mark.parametrize("kept", [True, False], ids=["kept", "not-kept"])
@pytest.mark.parametrize("edge", [None, URL_EDGE], ids=["no-edge", "url-edge"])
def test_a_copy_from_before_a_rename_the_build_shows_is_not_answered_304(
    address, kept, edge, settings
):
    """A client revalidates its copy by date alone (``If-Modified-Since``,
    no ``ETag``) after the server's copy has gone. The rebuild reads its
    tags' versions, then the rename commits, then the rebuild reads the
    renamed book: it shows the rename, but its date is the versions'. The
    client's copy from before the rename is not current: it gets the new
    answer, not a ``304``."""
    settings.BOOKCLUB_API_RESPONSE_CACHE = kept
    for name, value in (edge or {}).items():
        setattr(settings, name, value)
    spoiled, review = review_spoiling_a_book()
    # Changed long ago: the answer names its date.
    CacheTag.objects.update(changed_at=timezone.now() - timedelta(hours=1))
    path = address.format(pk=review.pk)
    client = Client()
    first = client.get(path)
    assert OLD_TITLE.encode() in first.content
    # The server's copies expire.
    cache.clear()
    forget_local()
    rename = RenameAfterRead(spoiled, tags=True)

    with rename.watching():
        during = client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert rename.fired, "the rebuild read its tags' versions"
    assert during.status_code == 200
    assert NEW_TITLE.encode() in during.content
    assert OLD_TITLE.encode() not in during.content


@pytest.mark.parametrize(
    ("method", "address"),
    [
        ("head", "/api/v3/reviews/{pk}/"),
        ("head", "/api/v2/pages/{pk}/"),
        ("head", "{url}"),
        ("get", "/club/reveal/{pk}/{block}/"),
        ("get", "/api/v3/pages/{pk}/"),
        ("get", "/api/v3/books/{book}/"),
    ],
    ids=["v3-head", "v2-head", "html-head", "reveal", "v3-pages", "v3-book"],
)
def test_other_answers_built_across_a_rename_are_not_kept_at_an_edge_purged_by_url(
    method, address, settings
):
    """A HEAD (never built into the server's copy), the reveal endpoint and
    Wagtail's own and the books' API answers, built across the rename: an
    edge purged by URL must not keep them either."""
    settings.WAGTAILFRONTENDCACHE = URL_EDGE["WAGTAILFRONTENDCACHE"]
    spoiled, review = review_spoiling_a_book()
    path = address.format(
        pk=review.pk, url=review.url, block=review.body[1].id, book=spoiled.pk
    )
    client = Client()
    rename = RenameAfterRead(spoiled)

    with rename.watching():
        during = getattr(client, method)(path)

    assert during.status_code == 200
    assert rename.fired, "the answer read the spoiled book"
    assert during["Cache-Control"] == "no-store"
    after = client.get(path)
    assert after["Cache-Control"] == "public, max-age=60"
    assert OLD_TITLE.encode() not in after.content


@pytest.mark.parametrize("address", ["/api/v3/reviews/{pk}/", "/api/v2/pages/{pk}/"])
def test_an_answer_built_outside_a_build_names_no_date(address):
    """A visitor with a session takes the whole stack: the answer's tags'
    versions are read after its content, so a change committed in between
    would date the old content as of the change, and a later
    ``If-Modified-Since`` would be answered ``304`` with it. Such an answer
    names no date; its ``ETag`` still validates it."""
    review = make_review()
    CacheTag.objects.update(changed_at=timezone.now() - timedelta(hours=1))
    path = address.format(pk=review.pk)

    shared = Client().get(path)
    visitor = Client()
    visitor.cookies["sessionid"] = "made-up"
    own = visitor.get(path)

    assert shared.status_code == own.status_code == 200
    assert "Last-Modified" in shared, "a build reads its versions first"
    assert "Last-Modified" not in own
    assert own["ETag"]
