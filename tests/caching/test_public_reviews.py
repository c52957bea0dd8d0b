"""Which reviews are public: the listings' totals and the review index's
book choices are kept until that changes, and change the moment it does.

A new revision of a live review about the same book (most publishes) leaves
them: the listings rebuilt after it count nothing and list no books again.
Every way a review enters or leaves the public set, moves, or changes book,
and a book renamed, shows in all of them at once.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction, Site

from reviews.models import ReviewIndexPage, ReviewPage
from tests.factories import BookFactory, make_review, review_index, site_root

pytestmark = pytest.mark.django_db

V3 = "/api/v3/reviews/?limit=5"
V2 = "/api/v2/pages/?type=reviews.ReviewPage&limit=5"


def _counts_and_book_lists(client, url: str) -> tuple[int, int]:
    """How many ``COUNT(*)`` queries, and queries listing the books of the
    public reviews, answering ``url`` took."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.content
    sql = [query["sql"].upper() for query in context.captured_queries]
    counts = sum(q.startswith("SELECT COUNT(*)") for q in sql)
    book_lists = sum(
        q.startswith('SELECT "REVIEWS_BOOK"."ID"')
        and 'FROM "REVIEWS_BOOK" WHERE "REVIEWS_BOOK"."ID" IN (SELECT' in q
        for q in sql
    )
    return counts, book_lists


@pytest.fixture
def _builds_every_time(settings):
    """Each request builds its response: what is measured is what a rebuild
    after a change reads."""
    settings.BOOKCLUB_API_RESPONSE_CACHE = False
    settings.BOOKCLUB_PAGE_CACHE = False


@pytest.mark.usefixtures("_builds_every_time")
@pytest.mark.parametrize("url", [V3, V2, "/reviews/"])
def test_a_new_revision_of_a_public_review_is_not_counted_again(client, url):
    edited = make_review(title="Edited")
    make_review()
    assert _counts_and_book_lists(client, url)[0] == 1

    edited.summary = "Said better."
    edited.save_revision().publish()

    assert _counts_and_book_lists(client, url)[0] == 0
    body = client.get(url).content.decode()
    assert "Said better." in body if url == V3 else "Edited" in body


@pytest.mark.usefixtures("_builds_every_time")
def test_a_new_revision_does_not_list_the_reviewed_books_again(client):
    edited = make_review()
    make_review()
    assert _counts_and_book_lists(client, "/reviews/")[1] == 1

    edited.summary = "Said better."
    edited.save_revision().publish()

    assert _counts_and_book_lists(client, "/reviews/")[1] == 0


@pytest.mark.usefixtures("_builds_every_time")
@pytest.mark.parametrize("url", [V3, V2, "/reviews/"])
def test_a_filtered_listing_is_counted_again_after_a_new_revision(client, url):
    """A filter may select by what a revision changes (a rating, a tag, a
    title): such totals move with every publish."""
    edited = make_review(rating=2)
    make_review(rating=5)
    joiner = "&" if "?" in url else "?"
    filtered = f"{url}{joiner}rating_min=4" if url != "/reviews/" else url + "?rating=4"
    client.get(filtered)

    edited.rating = 5
    edited.save_revision().publish()

    assert _counts_and_book_lists(client, filtered)[0] == 1
    response = client.get(filtered)
    if url == "/reviews/":
        assert "2 reviews match" in response.content.decode()
    else:
        body = response.json()
        assert (body["meta"]["total_count"] if "meta" in body else body["count"]) == 2


# Every change of the public set shows at once --------------------------------


def _state(client) -> dict[str, object]:
    """What the three listings say: their totals and the book choices."""
    v3 = client.get(V3)
    v2 = client.get(V2)
    index = client.get("/reviews/")
    assert v3.status_code == v2.status_code == index.status_code == 200
    html = index.content.decode()
    found = re.search(r'class="results-count">(\d+) review', html)
    assert found is not None, html
    select = re.search(r'<select name="book".*?</select>', html, re.S)
    assert select is not None
    return {
        "v3": v3.json()["count"],
        "v2": v2.json()["meta"]["total_count"],
        "index": int(found.group(1)),
        "books": sorted(re.findall(r'<option value="\d+">([^<(]+) \(', select[0])),
    }


@pytest.fixture
def club(client):
    """Two public reviews of two books, every listing read once (and kept)."""
    kept = make_review(book=BookFactory(title="Alpha"), title="Kept")
    moving = make_review(book=BookFactory(title="Beta"), title="Moving")
    before = _state(client)
    assert before == {"v3": 2, "v2": 2, "index": 2, "books": ["Alpha", "Beta"]}
    return kept, moving


def _unpublish(kept, moving):
    moving.unpublish()


def _delete(kept, moving):
    moving.delete()


def _restrict(kept, moving):
    PageViewRestriction.objects.create(
        page=moving, restriction_type=PageViewRestriction.LOGIN
    )


def _move_to_a_private_index(kept, moving):
    other = ReviewIndexPage(title="Members", slug="members")
    site_root().add_child(instance=other)
    PageViewRestriction.objects.create(
        page=other, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    moving.move(other, pos="last-child")


def _change_book(kept, moving):
    moving = ReviewPage.objects.get(pk=moving.pk)
    moving.book = kept.book
    moving.save_revision().publish()


def _expire(kept, moving):
    """Wagtail's scheduled expiry, run as its command runs from cron: the
    expiry time is written without a signal, as a past revision would have."""
    past = timezone.now() - timedelta(minutes=1)
    ReviewPage.objects.filter(pk=moving.pk).update(expire_at=past)
    call_command("publish_scheduled", verbosity=0)


def _saved_offline(kept, moving):
    """A script that saves the row without publishing a revision."""
    page = ReviewPage.objects.get(pk=moving.pk)
    page.live = False
    page.save(update_fields=["live"])


@pytest.mark.parametrize(
    "change",
    [_unpublish, _delete, _restrict, _move_to_a_private_index, _expire, _saved_offline],
)
def test_a_review_gone_leaves_every_total_and_the_book_choices(client, club, change):
    change(*club)
    assert _state(client) == {"v3": 1, "v2": 1, "index": 1, "books": ["Alpha"]}


def test_a_review_moved_to_another_book_leaves_its_old_book(client, club):
    _change_book(*club)
    assert _state(client) == {"v3": 2, "v2": 2, "index": 2, "books": ["Alpha"]}


def test_a_new_review_counts_and_names_its_book(client, club):
    make_review(book=BookFactory(title="Gamma"))
    assert _state(client)["books"] == ["Alpha", "Beta", "Gamma"]
    assert _state(client)["index"] == 3


def test_a_review_published_again_counts_again(client, club):
    kept, moving = club
    moving.unpublish()
    assert _state(client)["v3"] == 1
    ReviewPage.objects.get(pk=moving.pk).save_revision().publish()
    assert _state(client) == {"v3": 2, "v2": 2, "index": 2, "books": ["Alpha", "Beta"]}


def test_a_review_made_live_by_a_script_counts_again(client, club):
    kept, moving = club
    moving.unpublish()
    assert _state(client)["v3"] == 1
    page = ReviewPage.objects.get(pk=moving.pk)
    page.live = True
    page.save(update_fields=["live"])
    assert _state(client)["v3"] == 2
    assert _state(client)["books"] == ["Alpha", "Beta"]


def test_a_restriction_removed_counts_the_review_again(client, club):
    kept, moving = club
    restriction = PageViewRestriction.objects.create(
        page=review_index(), restriction_type=PageViewRestriction.LOGIN
    )
    assert client.get(V3).json()["count"] == 0
    assert client.get(V2).json()["meta"]["total_count"] == 0
    restriction.delete()
    assert _state(client) == {"v3": 2, "v2": 2, "index": 2, "books": ["Alpha", "Beta"]}


def test_a_review_moved_to_another_index_leaves_this_ones_total(client, club):
    kept, moving = club
    other = ReviewIndexPage(title="Elsewhere", slug="elsewhere")
    site_root().add_child(instance=other)
    moving.move(other, pos="last-child")
    assert _state(client) == {"v3": 2, "v2": 2, "index": 1, "books": ["Alpha"]}


def test_a_book_renamed_is_named_so_at_once(client, club):
    kept, _ = club
    kept.book.title = "Aleph"
    kept.book.save()
    assert _state(client)["books"] == ["Aleph", "Beta"]


def test_a_site_moved_to_another_root_counts_its_own_reviews(client, club):
    site = Site.objects.get(is_default_site=True)
    empty = Page.get_first_root_node().add_child(title="Elsewhere", slug="elsewhere")
    site.root_page = empty
    site.save()
    assert client.get(V2).json()["meta"]["total_count"] == 0
