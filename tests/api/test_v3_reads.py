"""The club's v3 read endpoints: fields, filters, ordering, what is hidden."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from reviews import visibility
from reviews.api import compiled, querysets, v2
from reviews.models import ReviewDailyViews
from tests.api.helpers import SECRET, club_indexes, restrict
from tests.factories import (
    BookFactory,
    ReadingProgressFactory,
    UserFactory,
    make_discussion,
    make_image,
    make_review,
    make_series,
    paragraph,
    review_index,
    spoiler,
    token_client,
)
from tests.fixtures.database import built_once

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("indexes")]


@pytest.fixture(scope="module")
def indexes(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The published indexes every test's pages go under, built once for the
    module. The reviews, series and discussions a test lists are its own."""
    with built_once(django_db_blocker):
        club_indexes()
        yield


@pytest.fixture
def siege():
    return BookFactory(title="The Siege", author="Helen Dunmore", chapter_count=30)


@pytest.fixture
def betrayal():
    return BookFactory(title="The Betrayal", author="Helen Dunmore", chapter_count=40)


@pytest.fixture
def series(siege, betrayal):
    return make_series("Leningrad", [(betrayal, 2), (siege, 1)])


def test_review_item_carries_every_contract_field(client, siege, betrayal, series):
    reviewer = UserFactory(first_name="Ann", last_name="Lee", email="ann@x.org")
    betrayal.cover = make_image("Betrayal cover")
    betrayal.save()
    page = make_review(
        book=betrayal,
        rating=4.5,
        reviewer=reviewer,
        owner=reviewer,
        body=[paragraph("Open."), spoiler(siege, None, "The ending", SECRET)],
    )
    page.tags.add("war")
    page.save_revision().publish()

    response = client.get(f"/api/v3/reviews/{page.pk}/")

    assert response.status_code == 200
    item = response.json()
    assert item["book"]["id"] == betrayal.pk
    assert item["book"]["series"] == [
        {"id": series.pk, "title": "Leningrad", "position": 2}
    ]
    assert set(item["book"]["cover"]) == {"id", "title", "alt", "thumbnail", "large"}
    assert item["book"]["cover"]["thumbnail"]["width"] == 160
    assert item["rating"] == 4.5
    assert item["tags"] == ["war"]
    assert item["reviewer"] == {
        "id": reviewer.member_profile.public_id,
        "display_name": "Ann Lee",
    }
    assert item["spoils"] == [{"id": siege.pk, "title": "The Siege", "chapter": None}]
    assert item["published"]
    assert item["meta"]["status"] == "live"
    spoiler_value = item["body"][1]["value"]
    assert spoiler_value["hidden"] is True and spoiler_value["content"] is None
    assert SECRET not in response.content.decode()
    assert "ann@x.org" not in response.content.decode()
    assert reviewer.username not in response.content.decode()


def test_spoiler_parameters_reveal_in_the_listing(client, siege):
    make_review(book=siege, body=[spoiler(siege, 5, "Chapter five", SECRET)])
    assert SECRET not in client.get("/api/v3/reviews/").content.decode()
    assert SECRET in client.get("/api/v3/reviews/?spoilers=show").content.decode()
    assert SECRET in client.get(f"/api/v3/reviews/?read={siege.pk}:5").content.decode()
    assert (
        SECRET not in client.get(f"/api/v3/reviews/?read={siege.pk}:4").content.decode()
    )


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


def test_review_filters(client, siege, betrayal, series):
    other_series_book = BookFactory()
    ann = UserFactory()
    old = make_review(title="Old", book=siege, rating=2, reviewer=ann)
    old.first_published_at = timezone.now() - timedelta(days=400)
    old.save()
    make_review(title="Sequel", book=betrayal, rating=5)
    tagged = make_review(title="Elsewhere", book=other_series_book, rating=3.5)
    tagged.tags.add("classic")
    tagged.save_revision().publish()

    get = client.get
    assert _titles(get("/api/v3/reviews/", {"book": siege.pk})) == ["Old"]
    assert sorted(_titles(get("/api/v3/reviews/", {"series": series.pk}))) == [
        "Old",
        "Sequel",
    ]
    assert _titles(get("/api/v3/reviews/", {"tag": "classic"})) == ["Elsewhere"]
    assert _titles(
        get("/api/v3/reviews/", {"reviewer": ann.member_profile.public_id})
    ) == ["Old"]
    assert _titles(get("/api/v3/reviews/", {"rating_min": 3.5, "rating_max": 4.5})) == [
        "Elsewhere"
    ]
    after = (timezone.now() - timedelta(days=30)).date().isoformat()
    assert sorted(_titles(get("/api/v3/reviews/", {"published_after": after}))) == [
        "Elsewhere",
        "Sequel",
    ]
    assert _titles(get("/api/v3/reviews/", {"ordering": "-rating"})) == [
        "Sequel",
        "Elsewhere",
        "Old",
    ]
    assert _titles(get("/api/v3/reviews/", {"ordering": "published"}))[0] == "Old"
    assert _titles(get("/api/v3/reviews/", {"search": "Sequel"})) == ["Sequel"]


def test_ordering_by_popularity(client, siege):
    quiet = make_review(title="Quiet", book=siege)
    loud = make_review(title="Loud", book=siege)
    today = timezone.localdate()
    ReviewDailyViews.objects.create(page=loud, day=today, views=50)
    ReviewDailyViews.objects.create(page=quiet, day=today, views=3)
    ReviewDailyViews.objects.create(
        page=quiet, day=today - timedelta(days=90), views=999
    )

    response = client.get("/api/v3/reviews/", {"ordering": "-popularity"})

    assert _titles(response) == ["Loud", "Quiet"]
    assert [item["popularity"] for item in response.json()["items"]] == [50, 3]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"bogus": "1"}, 400),
        ({"ratng_min": "4"}, 400),
        ({"rating_min": "x"}, 400),
        ({"rating_min": "0"}, 400),
        ({"rating_max": "9"}, 400),
        ({"rating_min": "4", "rating_max": "2"}, 400),
        ({"book": "abc"}, 400),
        ({"book": "999999"}, 400),
        ({"series": "-1"}, 400),
        ({"series": "999999"}, 400),
        ({"reviewer": "alice"}, 400),
        ({"reviewer": "me"}, 401),
        ({"published_after": "yesterday"}, 400),
        ({"ordering": "title"}, 400),
        ({"search": ""}, 400),
        ({"tag": "x" * 101}, 400),
        ({"mine": "true"}, 401),
        ({"limit": "0"}, 400),
        ({"limit": "1000"}, 400),
        ({"offset": "-1"}, 400),
        ({"spoilers": "maybe"}, 400),
        ({"read": "1:x"}, 400),
    ],
)
def test_bad_review_parameters_are_json_errors(client, params, status):
    response = client.get("/api/v3/reviews/", params)
    assert response.status_code == status
    assert response.json()


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v3/books/", {"series": "x"}),
        ("/api/v3/books/", {"series": "999999"}),
        ("/api/v3/books/", {"author": ""}),
        ("/api/v3/books/", {"title": "x"}),
        ("/api/v3/series/", {"order": "title"}),
        ("/api/v3/series/", {"rich_text_format": "pdf"}),
        ("/api/v3/discussions/", {"when": "soon"}),
        ("/api/v3/discussions/", {"book": "0"}),
        ("/api/v3/discussions/", {"upcoming": "1"}),
    ],
)
def test_bad_parameters_elsewhere(client, url, params):
    response = client.get(url, params)
    assert response.status_code == 400
    assert response.json()["status"] == response.status_code


def test_drafts_and_private_pages_never_listed(client, siege):
    author = UserFactory()
    make_review(title="Public", book=siege)
    make_review(title="Draft", book=siege, live=False, owner=author, reviewer=author)
    private = make_review(title="Private", book=siege)
    restrict(private)
    member = token_client(UserFactory())

    for api in (client, member):
        assert _titles(api.get("/api/v3/reviews/")) == ["Public"]
        assert api.get(f"/api/v3/reviews/{private.pk}/").status_code == 404
    books = client.get("/api/v3/books/").json()["items"]
    assert books[0]["review_count"] == 1


@pytest.mark.parametrize("detail", ["/api/v3/reviews/{}/", "/api/v2/pages/{}/"])
def test_a_review_read_by_id_follows_restrictions_and_unpublishing_made_after(
    client, siege, detail
):
    """The SQL that loads a review by id (v3, and a v2 page detail) is
    compiled once and kept: a view restriction added or lifted, or an
    unpublish, after reviews were read applies to the next read, whichever
    review it names."""
    index = review_index()
    first = make_review(title="First", book=siege)
    second = make_review(title="Second", book=siege)
    third = make_review(title="Third", book=siege)
    for page in (first, second):
        assert client.get(detail.format(page.pk)).status_code == 200

    restrict(second)
    assert client.get(detail.format(second.pk)).status_code == 404
    answer = client.get(detail.format(third.pk))
    assert answer.status_code == 200
    assert answer.json()["title"] == "Third"

    second.get_view_restrictions().delete()
    assert client.get(detail.format(second.pk)).json()["title"] == "Second"

    restrict(index)
    for page in (first, second, third):
        assert client.get(detail.format(page.pk)).status_code == 404
    index.get_view_restrictions().delete()

    first.unpublish()
    assert client.get(detail.format(first.pk)).status_code == 404
    assert client.get(detail.format(third.pk)).json()["title"] == "Third"


@pytest.mark.parametrize("detail", ["/api/v3/reviews/{}/", "/api/v2/pages/{}/"])
def test_sql_kept_for_a_set_of_restrictions_is_built_from_that_set(
    client, siege, detail, monkeypatch
):
    """The SQL that loads a review by id is kept under the view restrictions
    read for the request. A restriction lifted elsewhere between that read
    and the one the query is built from (the paths kept in the process
    expired in between) must not leave SQL that lets the review through kept
    under the set that names it: restricted again, it is 404 at once."""
    review = make_review(title="Lifted Then Restricted", book=siege)
    restrict(review)
    monkeypatch.setattr(compiled, "_kept", {})
    read_first = [review.path]
    calls = {"n": 0}

    def restricted_as_read_first() -> list[str]:
        calls["n"] += 1
        return read_first if calls["n"] == 1 else visibility.restricted_paths()

    review.get_view_restrictions().delete()
    with monkeypatch.context() as patch:
        patch.setattr(querysets, "restricted_paths", restricted_as_read_first)
        patch.setattr(v2, "restricted_paths", restricted_as_read_first)
        assert client.get(detail.format(review.pk)).status_code == 200

    restrict(review)
    answer = client.get(detail.format(review.pk))
    assert answer.status_code == 404
    assert b"Lifted Then Restricted" not in answer.content


def test_a_review_by_id_is_a_live_public_one_or_the_readers_own(client, siege):
    """By id: an alias of a published review is a published review; a copy
    not yet published and another member's draft are 404 to everyone but
    their owner, with nothing of them in the answer."""
    author = UserFactory()
    original = make_review(title="Original", book=siege)
    alias = original.create_alias(update_slug="original-alias")
    copy = original.copy(
        update_attrs={"slug": "unpublished-copy", "title": "Unpublished copy"},
        keep_live=False,
    )
    draft = make_review(
        title="Secret draft", book=siege, live=False, owner=author, reviewer=author
    )
    for api in (client, token_client(UserFactory())):
        assert api.get(f"/api/v3/reviews/{alias.pk}/").json()["title"] == "Original"
        for hidden in (copy, draft):
            response = api.get(f"/api/v3/reviews/{hidden.pk}/")
            assert response.status_code == 404
            assert hidden.title.encode() not in response.content
            assert hidden.slug.encode() not in response.content
    shown = token_client(author).get(f"/api/v3/reviews/{draft.pk}/")
    assert shown.json()["title"] == "Secret draft"


def test_books_with_ratings_and_filters(client, siege, betrayal, series):
    make_review(book=siege, rating=4)
    make_review(book=siege, rating=3)
    make_review(book=siege, rating=1, live=False)
    BookFactory(title="Wolf Hall", author="Hilary Mantel")

    siege_item = client.get(f"/api/v3/books/{siege.pk}/").json()
    assert siege_item["average_rating"] == 3.5
    assert siege_item["review_count"] == 2
    assert siege_item["series"] == [
        {"id": series.pk, "title": "Leningrad", "position": 1}
    ]
    assert _titles(client.get("/api/v3/books/", {"series": series.pk})) == [
        "The Betrayal",
        "The Siege",
    ]
    assert _titles(client.get("/api/v3/books/", {"author": "mantel"})) == ["Wolf Hall"]
    assert _titles(client.get("/api/v3/books/", {"search": "betray"})) == [
        "The Betrayal"
    ]
    assert client.get("/api/v3/books/999999/").status_code == 404


def test_series_in_reading_order(client, series, siege, betrayal):
    item = client.get(f"/api/v3/series/{series.pk}/").json()
    assert item["author"] == "Helen Dunmore"
    assert [(b["title"], b["position"]) for b in item["books"]] == [
        ("The Siege", 1),
        ("The Betrayal", 2),
    ]
    assert _titles(client.get("/api/v3/series/")) == ["Leningrad"]


def test_discussions_upcoming_and_past(client, siege):
    now = timezone.now()
    make_discussion(title="Next", book=siege, starts_at=now + timedelta(days=3))
    make_discussion(title="Later", book=siege, starts_at=now + timedelta(days=30))
    make_discussion(title="Last month", book=siege, starts_at=now - timedelta(days=30))

    assert _titles(client.get("/api/v3/discussions/", {"when": "upcoming"})) == [
        "Next",
        "Later",
    ]
    past = client.get("/api/v3/discussions/", {"when": "past"})
    assert _titles(past) == ["Last month"]
    item = past.json()["items"][0]
    assert item["is_upcoming"] is False
    assert item["comment_count"] == 0
    assert item["book"]["title"] == "The Siege"


def test_member_progress_reveals_only_to_that_member(client, siege):
    page = make_review(book=siege, body=[spoiler(siege, 5, "Five", SECRET)])
    reader = UserFactory()
    ReadingProgressFactory(member=reader, book=siege, chapter=7)
    url = f"/api/v3/reviews/{page.pk}/"

    assert SECRET in token_client(reader).get(url).content.decode()
    assert SECRET not in token_client(UserFactory()).get(url).content.decode()
    assert SECRET not in client.get(url).content.decode()
