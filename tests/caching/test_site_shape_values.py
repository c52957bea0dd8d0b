"""What the site's shape decides (which Site answers a host, the sites' root
paths, the restricted pages, the club's sections in the navigation) is kept
until the shape changes (:data:`reviews.cache_tags.SITE`), not until any
change at all.

Before, these values were worked out again after every change: a review's
new revision, a comment, a vote. Every listing rebuilt after a publish
read the sites and the restrictions again, and so did every member's page
after a comment. What changes the shape still shows at once: a restriction,
a Site, a move, an index page (tests/caching/test_writes_without_signals.py,
tests/caching/test_cross_process.py and tests/pages/test_navigation.py
change each one from code, in SQL and from another process).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction, Site

from reviews import cache_tags, visibility
from reviews.models import DiscussionComment, SeriesPage
from tests.cache_queries import reads_tag_versions
from tests.factories import (
    BookFactory,
    UserFactory,
    make_discussion,
    make_review,
    review_index,
    series_index,
)

#: Committed, as a writer in another process commits: on PostgreSQL the
#: triggers retire at the commit.
pytestmark = pytest.mark.django_db(transaction=True)

V2_REVIEWS = "/api/v2/pages/?type=reviews.ReviewPage&fields=*&limit=20"
#: Tables read only to work out the site's shape.
SHAPE_TABLES = ('"wagtailcore_site"', '"wagtailcore_pageviewrestriction"')
#: What Wagtail's own ``serve`` reads for every HTML page it serves, which
#: the plugin leaves to it: the restrictions on the page served and its
#: ancestors. (The Site of the request is kept too:
#: ``reviews.site_root.site_for_hostname``.)
WAGTAILS_OWN = 1


def _shape_reads(client, path: str) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if any(table in q["sql"] for table in SHAPE_TABLES)
    ]
    return len(reads), response.content


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/", WAGTAILS_OWN), ("/reviews/", WAGTAILS_OWN), (V2_REVIEWS, 0)],
)
def test_a_rebuild_after_a_publish_works_out_no_site_or_restriction(
    client, path, expected
):
    """Before, each of these rebuilds read the sites and the restrictions
    again: two more reads of each page, four for the API's list."""
    review = make_review(book=BookFactory(), summary="Before the edit.")
    client.get(path)

    review.summary = "After the edit."
    review.save_revision().publish()
    reads, content = _shape_reads(client, path)

    assert b"After the edit." in content
    assert reads == expected


def test_a_members_page_after_a_comment_works_out_no_site_or_restriction(client):
    member = UserFactory()
    client.force_login(member)
    discussion = make_discussion()
    review_index()
    client.get("/reviews/")

    DiscussionComment.objects.create(page=discussion, author=member, body="Hello")
    reads, _ = _shape_reads(client, "/reviews/")

    assert reads == WAGTAILS_OWN


def test_a_restriction_after_the_values_were_kept_hides_at_once(client):
    """The values kept through a publish are still retired by what they
    depend on: here a restriction on the index, written after a publish."""
    index = review_index()
    review = make_review(book=BookFactory(), summary="Shown until restricted.")
    client.get(V2_REVIEWS)
    review.summary = "Edited, still shown."
    review.save_revision().publish()
    assert b"Edited, still shown." in client.get(V2_REVIEWS).content

    PageViewRestriction.objects.create(
        page=index, restriction_type=PageViewRestriction.LOGIN
    )

    assert b"Edited, still shown." not in client.get(V2_REVIEWS).content
    assert b"Edited, still shown." not in client.get("/").content


def test_a_site_renamed_after_a_publish_is_in_every_page_url_at_once(client):
    review = make_review(book=BookFactory(), summary="Where am I?")
    client.get(V2_REVIEWS)
    review.save_revision().publish()
    assert b'"html_url":"http://localhost/' in client.get(V2_REVIEWS).content

    # No signal: the trigger on the sites' table retires the shape.
    Site.objects.filter(is_default_site=True).update(hostname="renamed.example")

    content = client.get(V2_REVIEWS).content
    assert b'"html_url":"http://renamed.example/' in content
    assert b'"html_url":"http://localhost/' not in content


@pytest.mark.parametrize("how", ["publish", "sql"])
def test_the_root_page_renamed_moves_every_url_at_once(client, how):
    """The sites' root paths are kept through a publish; a new slug for the
    site's root page (which moves every URL path below it) is seen at once,
    published by an editor or written in SQL."""
    review = make_review(book=BookFactory(), summary="Follow me.")
    client.get(V2_REVIEWS)
    review.save_revision().publish()
    assert f'"html_url":"http://localhost{review.url}"'.encode() in (
        client.get(V2_REVIEWS).content
    )
    root = Site.objects.get(is_default_site=True).root_page.specific
    old = root.url_path

    if how == "publish":
        root.slug = "renamed-root"
        root.save_revision().publish()
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE wagtailcore_page SET url_path = %s || substr(url_path, %s)"
                " WHERE url_path LIKE %s",
                ["/renamed-root/", len(old) + 1, old + "%"],
            )

    content = client.get(V2_REVIEWS).content
    # The same address: the root's path stands for the site's root URL.
    assert f'"html_url":"http://localhost{review.url}"'.encode() in content
    assert b'"html_url":null' not in content


def _sections(client) -> list[tuple[str, str]]:
    html = client.get("/search/").content.decode()
    nav = html[html.index('aria-label="Main"') :]
    nav = nav[: nav.index("</nav>")]
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav)


def test_an_index_page_turned_into_another_type_in_sql_leaves_the_navigation(
    client, settings
):
    """A page's type written without the club's code (``update()``, SQL) is
    a change of the site's shape: the navigation kept through a publish is
    worked out again at once (the trigger of reviews/migrations/0023)."""
    settings.BOOKCLUB_PAGE_CACHE = False
    index, series = review_index(), series_index()
    review = make_review(book=BookFactory())
    assert ("/reviews/", "Reviews") in _sections(client)
    review.save_revision().publish()
    assert ("/reviews/", "Reviews") in _sections(client)

    Page.objects.filter(pk=index.pk).update(
        content_type=ContentType.objects.get_for_model(SeriesPage)
    )

    assert ("/reviews/", "Reviews") not in _sections(client)
    assert ("/series/", series.title) in _sections(client)


def _version_reads(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return sum(reads_tag_versions(q["sql"]) for q in queries.captured_queries)


@pytest.mark.parametrize("path", ["/reviews/", "/", "/api/v3/reviews/?limit=20"])
def test_a_members_page_reads_each_tag_version_once(client, path):
    """A member's page is never shared, so after a change each value it
    works out asks the database whether its tags moved: one read for all
    of them, as of the request's first, not one per value."""
    member = UserFactory()
    client.force_login(member)
    discussion = make_discussion()
    review_index()
    make_review(book=BookFactory())
    client.get(path)

    DiscussionComment.objects.create(page=discussion, author=member, body="Hello")

    assert _version_reads(client, path) <= 2


def test_a_request_that_retires_tags_reads_them_again(rf):
    """What a request remembers of the versions is forgotten when it
    retires tags itself: it reads the new ones, as the next request would."""
    from django.core.signals import request_finished, request_started

    from reviews.content_version import retire_in_database, tag_versions

    request_started.send(sender=None)
    try:
        before = tag_versions({cache_tags.SITE})[cache_tags.SITE]
        with CaptureQueriesContext(connection) as queries:
            assert tag_versions({cache_tags.SITE})[cache_tags.SITE] == before
        assert not any(reads_tag_versions(q["sql"]) for q in queries)

        retire_in_database({cache_tags.ALL, cache_tags.SITE})

        after = tag_versions({cache_tags.SITE})[cache_tags.SITE]
        assert after.version != before.version
    finally:
        request_finished.send(sender=None)


@contextmanager
def _one_request() -> Iterator[None]:
    from django.core.signals import request_finished, request_started

    request_started.send(sender=None)
    try:
        yield
    finally:
        request_finished.send(sender=None)


class _RolledBack(Exception):
    pass


@pytest.mark.parametrize("how", ["sql", "raw-delete"])
def test_a_value_worked_out_in_a_transaction_that_rolls_back_is_never_used(client, how):
    """A request that has read the versions, then removes a restriction
    without signals (the triggers alone retire the shape) inside a
    transaction that rolls back: what it worked out meanwhile must not be
    kept under the versions still current afterwards."""
    review = make_review(book=BookFactory(), title="The secret review")
    PageViewRestriction.objects.create(
        page=review, restriction_type=PageViewRestriction.LOGIN
    )

    with _one_request():
        visibility.restricted_paths()  # the request has read the versions
        try:
            with transaction.atomic():
                if how == "sql":
                    with connection.cursor() as cursor:
                        cursor.execute("DELETE FROM wagtailcore_pageviewrestriction")
                else:
                    PageViewRestriction.objects.all()._raw_delete(connection.alias)
                assert visibility.restricted_paths() == []
                raise _RolledBack
        except _RolledBack:
            pass

    assert visibility.restricted_paths() == [review.path]
    assert b"The secret review" not in client.get(V2_REVIEWS).content


def test_a_branch_unpublished_in_a_transaction_that_rolls_back_is_never_used(
    client,
):
    """The same through the content version, which a request also reads
    once: values kept under it (the unpublished branches) must not be kept
    from a transaction's writes under the version current after it."""
    index = review_index()
    make_review(book=BookFactory(), title="Below a hidden index")
    Page.objects.filter(pk=index.pk).update(live=False)

    with _one_request():
        assert visibility.unpublished_branch_paths() == [index.path]
        try:
            with transaction.atomic():
                Page.objects.filter(pk=index.pk).update(live=True)
                assert visibility.unpublished_branch_paths() == []
                raise _RolledBack
        except _RolledBack:
            pass

    assert visibility.unpublished_branch_paths() == [index.path]
    assert b"Below a hidden index" not in client.get("/reviews/").content
