"""Changes written past Django's signals still retire what they change.

A script may add view restrictions with ``bulk_create``, unpublish pages
with ``QuerySet.update()``, or change a site in plain SQL: no ``post_save``
is sent, so no signal handler retires a cache tag. The database's own
triggers (migration ``reviews.0016``) retire the tags such a change
affects, in its transaction, whatever wrote it: a restricted or
unpublished page is gone from every cached response and from every
process's derived values (the restricted paths, the unpublished branches)
on the next request.
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection, connections, transaction
from wagtail.models import Page, PageViewRestriction, Site

from reviews import cache_tags
from reviews.checks import check_database_triggers
from reviews.content_version import current_versions
from reviews.derived import forget_in_process
from reviews.models import CacheTag, ImageApproval, ReviewPage, SeriesPage
from reviews.visibility import restricted_paths
from tests.factories import (
    BookFactory,
    discussion_index,
    make_discussion,
    make_image,
    make_review,
    make_series,
    review_index,
    series_index,
)

# Committed: on PostgreSQL the triggers run at the commit.
pytestmark = pytest.mark.django_db(transaction=True)

V2_LIST = "/api/v2/pages/?type=reviews.ReviewPage&fields=title"
V3_LIST = "/api/v3/reviews/"


class RolledBack(Exception):
    """Raised to roll a transaction back."""


def _urls(review) -> list[str]:
    return [
        review.url,
        f"/api/v2/pages/{review.pk}/",
        f"/api/v3/reviews/{review.pk}/",
    ]


def _warm(client, urls: list[str]) -> None:
    for url in urls:
        for _ in range(2):  # built, then served from the cache
            assert client.get(url).status_code == 200, url


def _assert_gone(client, review) -> None:
    html, v2, v3 = _urls(review)
    assert client.get(html).status_code in (302, 404)
    assert client.get(v2).status_code == 404
    assert client.get(v3).status_code == 404
    for listing in (V2_LIST, V3_LIST, "/reviews/"):
        assert review.title not in client.get(listing).content.decode(), listing


def _versions() -> dict[str, tuple[int, int]]:
    """Every tag's version; a tag never retired reads as such."""
    names = {*CacheTag.objects.values_list("name", flat=True), cache_tags.SITE}
    return current_versions(names | set(cache_tags.retired_by_structure()))


def test_a_restriction_written_by_bulk_create_hides_the_page_at_once(client):
    review = make_review(title="Bulk Restricted Review")
    make_review(title="Still Public Review")
    _warm(client, [*_urls(review), V2_LIST, V3_LIST, "/reviews/"])

    PageViewRestriction.objects.bulk_create(
        [
            PageViewRestriction(
                page=review.page_ptr, restriction_type=PageViewRestriction.LOGIN
            )
        ]
    )

    _assert_gone(client, review)
    assert "Still Public Review" in client.get(V3_LIST).content.decode()


def test_a_restriction_on_an_index_written_in_sql_hides_what_is_below(client):
    review = make_review(title="Below A Private Index")
    _warm(client, [*_urls(review), V2_LIST, V3_LIST])
    index = review_index()

    with connection.cursor() as cursor:
        table = connection.ops.quote_name(PageViewRestriction._meta.db_table)
        cursor.execute(
            f"INSERT INTO {table} (page_id, restriction_type, password)"  # noqa: S608
            " VALUES (%s, %s, '')",
            [index.pk, PageViewRestriction.LOGIN],
        )

    _assert_gone(client, review)


def test_a_group_restriction_made_public_by_sql_shows_the_page(client):
    review = make_review(title="Once For Editors Only")
    restriction = PageViewRestriction.objects.create(
        page=review.page_ptr, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.get_or_create(name="Editors")[0])
    assert client.get(f"/api/v3/reviews/{review.pk}/").status_code == 404
    _warm(client, [V3_LIST])

    with connection.cursor() as cursor:
        for model, column in (
            (PageViewRestriction.groups.through, "pageviewrestriction_id"),
            (PageViewRestriction, "id"),
        ):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(
                f"DELETE FROM {table} WHERE {column} = %s",  # noqa: S608
                [restriction.pk],
            )

    assert client.get(f"/api/v3/reviews/{review.pk}/").status_code == 200
    assert "Once For Editors Only" in client.get(V3_LIST).content.decode()


def test_a_page_unpublished_by_queryset_update_is_gone_at_once(client):
    review = make_review(title="Updated Away Review")
    _warm(client, [*_urls(review), V2_LIST, V3_LIST, "/reviews/"])

    Page.objects.filter(pk=review.pk).update(live=False)

    _assert_gone(client, review)


def test_an_index_unpublished_by_queryset_update_is_gone_with_its_branch(client):
    """The index answers 404, and the home page's listing and the feed,
    which leave out what lies below an unpublished page (the unpublished
    branches, kept per content version), no longer show its reviews; back
    at once when it is published again the same way. As with Wagtail's own
    unpublish of the index alone, the reviews themselves stay live."""
    review = make_review(title="Below An Unpublished Index")
    _warm(client, ["/", "/reviews/", "/feeds/reviews/"])
    assert review.title in client.get("/").content.decode()
    assert review.title in client.get("/feeds/reviews/").content.decode()

    Page.objects.filter(pk=review_index().pk).update(live=False)

    assert client.get("/reviews/").status_code == 404
    assert review.title not in client.get("/").content.decode()
    assert review.title not in client.get("/feeds/reviews/").content.decode()

    Page.objects.filter(pk=review_index().pk).update(live=True)

    assert review.title in client.get("/feeds/reviews/").content.decode()


def test_sections_unpublished_by_queryset_update_leave_every_listing(client):
    """Every output that lists pages, warmed in the cache, stops naming what
    lies below a section unpublished by ``update()`` (the unpublished
    branches, reviews.visibility.outside_unpublished_branches); the pages
    stay live at their own addresses. Written through Wagtail:
    tests/pages/test_unpublished_sections.py."""
    book = BookFactory(title="The Lantern", slug="the-lantern")
    make_review(book=book, title="Quarantined thoughts", slug="quarantined", rating=5)
    make_discussion(book=book, title="Mothballed meeting", slug="mothballed")
    make_series("Shelved trilogy", [(book, 1)])
    listings = {
        V2_LIST: ("Quarantined",),
        "/api/v2/pages/": ("Quarantined", "Mothballed", "Shelved"),
        V3_LIST: ("Quarantined",),
        "/api/v3/discussions/": ("Mothballed",),
        "/api/v3/series/": ("Shelved",),
        "/api/v3/books/": ("Shelved",),
        "/search/?q=Quarantined": ("Quarantined thoughts",),
        "/books/the-lantern/": ("Quarantined", "Mothballed", "Shelved"),
        "/club/meetings.ics": ("Mothballed",),
        "/sitemap.xml": ("quarantined", "mothballed", "shelved"),
        "/": ("Quarantined", "Mothballed", "Shelved"),
    }
    _warm(client, list(listings))
    for url, words in listings.items():
        body = client.get(url).content.decode().lower()
        assert all(word.lower() in body for word in words), url
    indexes = [review_index().pk, discussion_index().pk, series_index().pk]

    Page.objects.filter(pk__in=indexes).update(live=False)

    for url, words in listings.items():
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode().lower()
        assert not any(word.lower() in body for word in words), url
    [lantern] = [
        item
        for item in client.get("/api/v3/books/").json()["items"]
        if item["id"] == book.pk
    ]
    assert lantern["review_count"] == 0

    Page.objects.filter(pk__in=indexes).update(live=True)

    for url, words in listings.items():
        body = client.get(url).content.decode().lower()
        assert all(word.lower() in body for word in words), url


def test_a_plain_page_unpublished_by_update_takes_its_sections_off_the_navigation(
    client,
):
    """The navigation's sections are kept until the site's shape changes
    (reviews.visibility.SITE_SHAPE): a plain page holding an index,
    unpublished by ``update()``, retires it through the trigger."""
    club = Page(title="Old club", slug="old-club")
    review_index().get_parent().add_child(instance=club)
    club.save_revision().publish()
    make_series("Shelved trilogy", [(BookFactory(), 1)])
    series_index().move(Page.objects.get(pk=club.pk), pos="last-child")
    _warm(client, ["/"])
    assert 'href="/old-club/series/"' in client.get("/").content.decode()

    Page.objects.filter(pk=club.pk).update(live=False)

    assert 'href="/old-club/series/"' not in client.get("/").content.decode()
    assert "Shelved trilogy" not in client.get("/").content.decode()


def test_a_page_published_by_queryset_update_shows_at_once(client):
    review = make_review(title="Updated In Review")
    review.unpublish()
    _warm(client, [V2_LIST, V3_LIST])
    assert client.get(f"/api/v3/reviews/{review.pk}/").status_code == 404

    Page.objects.filter(pk=review.pk).update(live=True)

    assert client.get(f"/api/v3/reviews/{review.pk}/").status_code == 200
    for listing in (V2_LIST, V3_LIST):
        assert "Updated In Review" in client.get(listing).content.decode()


def test_a_site_changed_by_queryset_update_is_in_every_url_at_once(client):
    """Wagtail keeps the sites' root paths in the cache for an hour and
    clears them when a Site is saved; the club reads them per content
    version (reviews.site_root), which the trigger moves on."""
    review = make_review()
    api = f"/api/v2/pages/{review.pk}/"
    urls = [api, "/sitemap.xml", "/feeds/reviews/"]
    _warm(client, urls)
    assert "localhost/" in Page.objects.get(pk=review.pk).full_url

    Site.objects.update(port=8123)

    assert ":8123/" in client.get(api).json()["meta"]["html_url"]
    for url in urls[1:]:
        body = client.get(url).content.decode()
        assert "localhost:8123/" in body and "localhost/" not in body, url
    assert "localhost:8123/" in Page.objects.get(pk=review.pk).full_url


def _moved_by(change) -> set[str]:
    before = _versions()
    change()
    after = _versions()
    return {name for name in after if after[name] != before.get(name)}


def test_what_a_page_trigger_retires():
    """What an unpublish retires, by the page's kind: its own tag, its
    book's, its kind's listings and the pages that link to it; the whole
    tree (``site``) for an index or the home page."""
    review = make_review(book=BookFactory())
    other = make_review()
    discussion = make_discussion()

    moved = _moved_by(lambda: Page.objects.filter(pk=review.pk).update(live=False))
    assert moved == set(
        cache_tags.retired_by_page(
            cache_tags.REVIEW, review.pk, review.book_id, links=True
        )
    )
    assert cache_tags.page(other.pk) not in moved

    moved = _moved_by(lambda: Page.objects.filter(pk=discussion.pk).update(live=False))
    assert moved == set(
        cache_tags.retired_by_page(cache_tags.DISCUSSION, discussion.pk, links=True)
    )

    index = review_index()
    moved = _moved_by(lambda: Page.objects.filter(pk=index.pk).update(live=False))
    assert moved == set(
        cache_tags.retired_by_page(cache_tags.REVIEW_INDEX, index.pk, links=True)
    )


def test_a_page_moved_by_sql_retires_the_structure():
    review = make_review()

    def move() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE wagtailcore_page SET path = path || '0001' WHERE id = %s",
                [review.pk],
            )

    assert _moved_by(move) == set(cache_tags.retired_by_structure())


def test_a_page_type_written_in_sql_retires_the_structure():
    """Wagtail never writes a page's type after it is created; written in
    SQL it may make an index one of the plugin's kinds, whose edits retire
    less (reviews/migrations/0023)."""
    index = review_index()

    def retype() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE wagtailcore_page SET content_type_id = %s WHERE id = %s",
                [ContentType.objects.get_for_model(SeriesPage).pk, index.pk],
            )

    assert set(cache_tags.retired_by_structure()) <= _moved_by(retype)


def test_a_restriction_trigger_retires_what_the_signal_handler_does():
    review = make_review()
    before = _versions()

    PageViewRestriction.objects.bulk_create(
        [PageViewRestriction(page=review.page_ptr, restriction_type="login")]
    )

    after = _versions()
    moved = {name for name in after if after[name] != before.get(name)}
    assert moved == set(cache_tags.retired_by_structure())


def test_a_new_revision_of_a_live_page_fires_no_trigger():
    """Neither ``live`` nor the tree changes: only what the publish's own
    handlers retire, the tree's shape (``site``) not among them."""
    review = make_review()
    before = _versions()

    review.summary = "Said again."
    review.save_revision().publish()

    after = _versions()
    assert after[cache_tags.SITE] == before[cache_tags.SITE]
    assert after[cache_tags.PUBLIC_REVIEWS] == before[cache_tags.PUBLIC_REVIEWS]


def test_the_tag_names_written_out_are_the_plugins():
    """The migration writes the tag names out; they are the ones
    reviews.cache_tags retires for the same changes."""
    triggers = import_module("reviews.migrations.0016_retire_tags_in_triggers")
    assert set(triggers.STRUCTURE) == set(cache_tags.retired_by_structure())
    for model, kind in (
        ("reviewpage", cache_tags.REVIEW),
        ("discussionpage", cache_tags.DISCUSSION),
        ("seriespage", cache_tags.SERIES_PAGE),
        (None, cache_tags.REVIEW_INDEX),
    ):
        own = {cache_tags.page(1)}
        expected = cache_tags.retired_by_page(kind, 1, links=True) - own
        written = set(triggers.PAGE) | set(
            triggers.KINDS[model] if model else triggers.OTHER
        )
        assert written == expected, kind


def test_a_database_without_triggers_is_warned_about(monkeypatch):
    assert check_database_triggers() == []
    monkeypatch.setattr(connections["default"], "vendor", "mysql")
    assert [message.id for message in check_database_triggers()] == ["reviews.W004"]


def test_a_review_moved_to_another_book_by_update_retires_both_books():
    first, second = BookFactory(), BookFactory()
    review = make_review(book=first)

    moved = _moved_by(
        lambda: ReviewPage.objects.filter(pk=review.pk).update(book=second)
    )

    # The review's own page shows its book too (migration 0018).
    assert moved == {
        cache_tags.ALL,
        cache_tags.PUBLIC_REVIEWS,
        cache_tags.REVIEWS,
        cache_tags.PAGES,
        cache_tags.page(review.pk),
        cache_tags.book(first.pk),
        cache_tags.book(second.pk),
    }


def test_a_live_review_deleted_in_sql_retires_its_book():
    """Its book's count and rating: the review's row goes before the
    page's, so the page's trigger no longer finds the book."""
    review = make_review(book=BookFactory())
    book_id = review.book_id

    def delete() -> None:
        with connection.cursor() as cursor:
            for table, column in (
                ("reviews_reviewpagetag", "content_object_id"),
                ("reviews_reviewpage", "page_ptr_id"),
            ):
                cursor.execute(
                    f"DELETE FROM {table} WHERE {column} = %s",  # noqa: S608
                    [review.pk],
                )

    assert cache_tags.book(book_id) in _moved_by(delete)


def test_an_approval_removed_in_sql_retires_the_structure():
    approval = ImageApproval.objects.create(image=make_image())

    moved = _moved_by(
        lambda: ImageApproval.objects.filter(pk=approval.pk)._raw_delete(
            connection.alias
        )
    )

    assert moved == set(cache_tags.retired_by_structure())


@pytest.mark.parametrize(
    "hide",
    [
        lambda review: PageViewRestriction.objects.bulk_create(
            [PageViewRestriction(page=review.page_ptr, restriction_type="login")]
        ),
        lambda review: Page.objects.filter(pk=review.pk).update(live=False),
    ],
    ids=["restricted", "unpublished"],
)
def test_the_media_of_a_page_hidden_without_signals_are_hidden_too(client, hide):
    """Which media are public is recorded as pages are published, through
    the signals; the listings check the using page again."""
    image = make_image(title="Map Of The Secret Room")
    review = make_review(
        body=[
            {
                "type": "image",
                "value": {
                    "image": {
                        "image": image.pk,
                        "decorative": False,
                        "alt_text": "A map",
                    },
                    "caption": "",
                },
            }
        ]
    )
    urls = ["/api/v2/images/", "/api/v3/images/", f"/api/v2/images/{image.pk}/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200 and image.title in response.content.decode()

    hide(review)

    for url in urls:
        assert image.title not in client.get(url).content.decode(), url


def test_what_a_transaction_keeps_before_it_rolls_back_is_never_served():
    """A script makes a restricted page public in SQL, reads through the
    club's caches in the same transaction, and rolls back. What it kept was
    computed from a state nobody else ever saw: it is kept under versions
    only that transaction reads (on PostgreSQL the triggers retire at the
    commit, so until then the transaction reads its own versions), never
    under the ones everybody reads."""
    review = make_review(title="Still Restricted Review")
    PageViewRestriction.objects.create(
        page=review.page_ptr, restriction_type=PageViewRestriction.LOGIN
    )
    assert restricted_paths() == [review.path]
    forget_in_process()
    cache.clear()  # as when the kept copy has expired

    with pytest.raises(RolledBack), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM wagtailcore_pageviewrestriction WHERE page_id = %s",
                [review.pk],
            )
        assert restricted_paths() == []  # kept, in this process and the cache
        raise RolledBack

    forget_in_process()  # another process: only the shared cache
    assert restricted_paths() == [review.path]


@pytest.mark.postgresql  # SQLite has no TRUNCATE: its DELETE fires the row triggers
def test_a_truncate_rolled_back_leaves_nothing_kept_for_others():
    """TRUNCATE fires no row trigger: a statement trigger retires the
    structure at once, so what the transaction keeps meanwhile is kept
    under versions only it reads, and a rollback leaves nothing served."""
    review = make_review()
    PageViewRestriction.objects.create(
        page=review.page_ptr, restriction_type=PageViewRestriction.LOGIN
    )
    assert restricted_paths() == [review.path]
    forget_in_process()
    cache.clear()

    with pytest.raises(RolledBack), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE wagtailcore_pageviewrestriction CASCADE")
        assert restricted_paths() == []
        raise RolledBack

    forget_in_process()
    assert restricted_paths() == [review.path]


@pytest.mark.postgresql
def test_a_truncate_committed_retires_the_structure():
    review = make_review()
    PageViewRestriction.objects.create(
        page=review.page_ptr, restriction_type=PageViewRestriction.LOGIN
    )

    def truncate() -> None:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE wagtailcore_pageviewrestriction CASCADE")

    assert _moved_by(truncate) == set(cache_tags.retired_by_structure())
