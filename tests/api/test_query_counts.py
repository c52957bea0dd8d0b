"""Listing 20 reviews with every field costs what listing 5 does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reviews.models import ReviewPage
from tests.api.helpers import count_queries, full_review
from tests.cache_queries import reads_tag_versions
from tests.factories import (
    BookFactory,
    UserFactory,
    make_review,
    paragraph,
    spoiler,
    token_client,
)
from tests.fixtures.database import built_once

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10

V3 = "/api/v3/reviews/"
V2 = "/api/v2/pages/?type=reviews.ReviewPage&fields=*"


@pytest.fixture(autouse=True)
def _measure_uncached(settings):
    """These count what building a response costs, so the server-side
    response cache (tests/api/test_response_cache.py) stays out of the way."""
    settings.BOOKCLUB_API_RESPONSE_CACHE = False


@pytest.fixture(scope="module")
def twenty_reviews(django_db_setup, django_db_blocker) -> Iterator[list[ReviewPage]]:
    """Built once for the module (each test only reads them; what a test adds
    rolls back after it). Values derived per content version are forgotten
    before each test (tests/conftest.py), so a value an earlier test kept
    cannot expire between a test's warm-up and its measured request."""
    with built_once(django_db_blocker):
        yield [full_review(n) for n in range(20)]


@pytest.mark.parametrize(
    "url",
    [
        V3,
        V3 + "?ordering=-popularity&rating_min=1",
        V2,
        V2 + "&order=-popularity&rating_min=1",
    ],
)
def test_listing_cost_does_not_grow_with_its_length(client, twenty_reviews, url):
    joiner = "&" if "?" in url else "?"
    count_queries(client, f"{url}{joiner}limit=20")  # renditions get made once

    five, response_5 = count_queries(client, f"{url}{joiner}limit=5")
    twenty, response_20 = count_queries(client, f"{url}{joiner}limit=20")

    assert len(response_5.json()["items"]) == 5
    assert len(response_20.json()["items"]) == 20
    assert five == twenty
    assert twenty <= MAX_QUERIES


def test_token_member_listing_cost_does_not_grow(twenty_reviews):
    member = token_client(UserFactory())
    count_queries(member, f"{V3}?limit=20")
    five, _ = count_queries(member, f"{V3}?limit=5")
    twenty, _ = count_queries(member, f"{V3}?limit=20")
    assert five == twenty


def test_v2_serves_compact_json(client, twenty_reviews):
    """Pretty-printed JSON goes through Python's slow encoder; clients get
    the same data without the indentation."""
    response = client.get(f"{V2}&limit=20")
    assert response.status_code == 200
    assert b"\n" not in response.content
    assert b'": ' not in response.content
    assert len(response.json()["items"]) == 20


def test_anonymous_v2_listing_skips_wagtails_per_request_lookups(
    client, twenty_reviews
):
    """The view restrictions and the request's site are read once per
    content version, and the review type is filtered directly, not through
    the ids of every public page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(f"{V2}&limit=20")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{V2}&limit=20")
    assert response.status_code == 200
    assert len(response.json()["items"]) == 20
    sql = [query["sql"].lower() for query in queries.captured_queries]
    assert not [q for q in sql if "wagtailcore_site" in q]
    assert not [q for q in sql if "wagtailcore_pageviewrestriction" in q]
    assert not [q for q in sql if "in (select" in q]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v3/reviews/",
        "/api/v3/reviews/{review}/",
        "/api/v3/series/",
        "/api/v3/discussions/",
        "/api/v3/books/?series={series}",
    ],
)
def test_v3_reads_view_restrictions_once_per_content_version(
    client, twenty_reviews, path
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_discussion, make_series

    review = twenty_reviews[0]
    series = make_series("Saga", [(review.book, 1)])
    make_discussion(book=review.book, title="Meeting")
    url = path.format(review=review.pk, series=series.pk)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    sql = [query["sql"].lower() for query in queries.captured_queries]
    assert not [q for q in sql if "wagtailcore_pageviewrestriction" in q]


@pytest.mark.parametrize(
    "fields",
    [
        "",
        "&fields=title",
        "&fields=_,book",
        "&fields=_,reviewer,tags",
        "&fields=_,spoils",
        "&fields=-body",
        "&fields=*",
    ],
)
def test_v2_loads_only_what_the_fields_show(client, twenty_reviews, fields):
    """Each field shape costs the same for 5 reviews as for 20, and a listing
    that shows no book, tag or body does not load them."""
    url = f"/api/v2/pages/?type=reviews.ReviewPage{fields}"
    count_queries(client, f"{url}&limit=20")
    five, _ = count_queries(client, f"{url}&limit=5")
    twenty, response = count_queries(client, f"{url}&limit=20")
    assert response.status_code == 200
    assert five == twenty

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(f"{url}&limit=20")
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    if fields in ("", "&fields=title"):
        assert "taggit_tag" not in sql
        assert "reviews_book" not in sql
        assert "auth_user" not in sql


def test_a_v2_review_detail_comes_with_its_book_reviewer_and_tags(client):
    """Wagtail loads a detail's specific page by itself and then each relation
    its fields show one query at a time; a review detail loads them as a
    listing does, with the review."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    review = full_review(99, reviewer=UserFactory(first_name="Vera"))
    url = f"/api/v2/pages/{review.pk}/"
    client.get(url)  # renditions get made once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    shown = response.json()
    assert shown["book"]["title"] == "Listed book 99"
    assert shown["reviewer"]["display_name"].startswith("Vera")
    assert set(shown["tags"]) == {"war", "tag99"}
    sql = [query["sql"] for query in queries.captured_queries]
    assert not [q for q in sql if '"reviews_book"."id" = ' in q]
    assert not [q for q in sql if 'FROM "auth_user"' in q]
    assert not [q for q in sql if 'FROM "reviews_memberprofile"' in q]


def _review_without_images(n: int) -> ReviewPage:
    """A review with a spoiler, tags and a reviewer, and no image, whose
    renditions the first request would make."""
    page = make_review(
        book=BookFactory(title=f"Book {n}"),
        body=[paragraph("Open text."), spoiler(None, None, "The end", "Hidden.")],
        reviewer=UserFactory(),
    )
    page.tags.add("war", f"tag{n}")
    page.save_revision().publish()
    return page


def _detail_queries(client, path: str):
    """The SQL of a review's detail asked for after another's: the detail
    of a review nobody asked for before, in a process that has served
    others."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first, second = _review_without_images(1), _review_without_images(2)
    client.get(path.format(id=first.pk))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path.format(id=second.pk))
    assert response.status_code == 200
    return response.json(), [query["sql"] for query in queries.captured_queries]


def test_a_v2_review_detail_reads_its_parent_once_per_content_version(client):
    """Wagtail's ``meta.parent`` reads the parent page and then whether it is
    public, two queries for every detail. Every review under one index has
    the same parent, read once per content version, and whether an anonymous
    reader may see it follows from the view restrictions read once too."""
    shown, sql = _detail_queries(client, "/api/v2/pages/{id}/")
    parent = shown["meta"]["parent"]
    assert parent["title"] == "Reviews"
    assert parent["meta"]["type"] == "reviews.ReviewIndexPage"
    assert not [q for q in sql if '"wagtailcore_page"."path" = ' in q]
    assert not [q for q in sql if 'SELECT 1 AS "a"' in q]


def test_a_v2_review_detail_loads_the_page_and_the_review_at_once(client):
    """Wagtail finds the page first and loads its specific row after it; a
    review comes in the same query as its page, with its book, cover and
    reviewer."""
    shown, sql = _detail_queries(client, "/api/v2/pages/{id}/")
    assert shown["book"]["title"] == "Book 2"
    assert shown["reviewer"]["display_name"]
    assert set(shown["tags"]) == {"war", "tag2"}
    pages = [q for q in sql if 'FROM "wagtailcore_page"' in q]
    assert len(pages) == 1
    assert '"reviews_reviewpage"."body"' in pages[0]
    assert len(sql) == 4


def test_a_v3_review_detail_loads_the_review_in_one_unordered_query(client):
    """The review with its book, cover and reviewer, in one query; an id
    names one review, so nothing is sorted."""
    shown, sql = _detail_queries(client, "/api/v3/reviews/{id}/")
    assert shown["book"]["title"] == "Book 2"
    assert set(shown["tags"]) == {"war", "tag2"}
    reviews = [q for q in sql if 'FROM "reviews_reviewpage"' in q]
    assert len(reviews) == 1
    assert '"reviews_book"."title"' in reviews[0]
    assert "ORDER BY" not in reviews[0]
    assert len(sql) == 4


@pytest.mark.parametrize("path", ["/api/v2/pages/{id}/", "/api/v3/reviews/{id}/"])
def test_a_detail_built_without_the_servers_copy_reads_its_tags_once(client, path):
    """With the server's API copies off, a detail still reads the versions of
    its tags once, before its content, as a build of a kept copy does: its
    kept body and its labels read them no more."""
    shown, sql = _detail_queries(client, path)
    assert set(shown["tags"]) == {"war", "tag2"}
    assert len([q for q in sql if reads_tag_versions(q)]) == 1


@pytest.fixture(scope="module")
def linked_pages(django_db_setup, django_db_blocker) -> Iterator[list[ReviewPage]]:
    with built_once(django_db_blocker):
        book = BookFactory(title="Linked", chapter_count=3)
        yield [make_review(book=book, slug=f"linked-{n}") for n in range(12)]


def _linking(targets: list[ReviewPage], slug: str, repeats: int = 1) -> ReviewPage:
    links = " ".join(
        f'<a linktype="page" id="{target.pk}">to {target.slug}</a>'
        for target in targets * repeats
    )
    return make_review(
        book=targets[0].book, slug=slug, body=[paragraph(f"<p>{links}</p>")]
    )


def _cold_queries(client, url: str) -> tuple[int, object]:
    """What building the answer costs: nothing kept from before."""
    from django.core.cache import cache

    from reviews.derived import forget_in_process
    from reviews.response_cache import forget_local

    cache.clear()
    forget_local()
    forget_in_process()
    return count_queries(client, url)


@pytest.mark.parametrize("rich_text_format", ["markdown", "db_markdown", "html"])
@pytest.mark.parametrize("url", ["/api/v3/pages/{pk}/", "/api/v2/pages/{pk}/"])
def test_page_links_cost_the_same_however_many(
    client, linked_pages, url, rich_text_format
):
    """Wagtail's Markdown conversion looked each linked page up on its own,
    four queries a link: a review of 20,000 links took every reader of
    its Markdown a minute, past the server's timeout. They are looked up
    together, as the HTML formats' are."""
    few = _linking(linked_pages[:2], "links-few")
    many = _linking(linked_pages, "links-many", repeats=3)
    query = f"?rich_text_format={rich_text_format}"
    counted = {}
    for page in (few, many):
        counted[page.slug], response = _cold_queries(
            client, url.format(pk=page.pk) + query
        )
        assert f"to {linked_pages[1].slug}" in response.content.decode()
    assert counted["links-many"] == counted["links-few"]
