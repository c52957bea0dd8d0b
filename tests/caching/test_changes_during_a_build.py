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

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from reviews.models import Book
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
    """Renames ``book`` elsewhere once this connection has read its row: before
    its next query (SQLite lets no other connection write a table while a
    query reading it is still open)."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.read = False
        self.fired = False

    def __call__(self, execute, sql, params, many, context):
        if self.read and not self.fired:
            self.fired = True
            _rename_elsewhere(self.book.pk)
        if '"reviews_book"' in sql and self.book.pk in (params or ()):
            self.read = True
        return execute(sql, params, many, context)


#: An edge purged by URL only; nothing listens there (a purge is refused at once).
URL_EDGE = {
    "WAGTAILFRONTENDCACHE": {
        "cdn": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": "http://127.0.0.1:9",
        }
    }
}
#: The same edge, named by Wagtail's older setting (which Wagtail still reads).
OLDER_URL_EDGE = {"WAGTAILFRONTENDCACHE_LOCATION": "http://127.0.0.1:9"}
#: Cloudflare without its token (bookclub.settings.production builds this when
#: CLOUDFLARE_API_TOKEN is missing): its purges fail and are logged, but the
#: club must go on answering.
CLOUDFLARE_WITHOUT_TOKEN = {
    "WAGTAILFRONTENDCACHE": {
        "cloudflare": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
            "BEARER_TOKEN": "",
            "ZONEID": "zone",
        }
    }
}
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
    spoiled = BookFactory(title=OLD_TITLE, chapter_count=20)
    review = make_review(
        book=BookFactory(title="The Siege"),
        body=[paragraph("Open words."), spoiler(spoiled, 5, "The keeper", "Gone")],
    )
    path = address.format(pk=review.pk, url=review.url)
    client = Client()
    rename = RenameAfterRead(spoiled)

    with connection.execute_wrapper(rename):
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

    with connection.execute_wrapper(rename):
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
    spoiled = BookFactory(title=OLD_TITLE, chapter_count=20)
    review = make_review(
        book=BookFactory(title="The Siege"),
        body=[paragraph("Open words."), spoiler(spoiled, 5, "The keeper", "Gone")],
    )
    path = address.format(pk=review.pk)
    client = Client()
    rename = RenameAfterRead(spoiled)

    with connection.execute_wrapper(rename):
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
    spoiled = BookFactory(title=OLD_TITLE, chapter_count=20)
    review = make_review(
        book=BookFactory(title="The Siege"),
        body=[paragraph("Open words."), spoiler(spoiled, 5, "The keeper", "Gone")],
    )
    path = address.format(pk=review.pk)
    visitor = Client()
    if cookie:
        visitor.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"
    rename = RenameAfterRead(spoiled)

    with connection.execute_wrapper(rename):
        during = getattr(visitor, method)(path)

    assert during.status_code == 200
    assert rename.fired, "the answer read the spoiled book"
    after = Client().get(path)
    assert after.status_code == 200
    assert NEW_TITLE.encode() in after.content
    assert OLD_TITLE.encode() not in after.content
