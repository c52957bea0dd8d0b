"""API v2: the club's review filters and its authentication."""

from __future__ import annotations

import base64

import pytest

from tests.api.helpers import SECRET, restrict
from tests.factories import (
    BookFactory,
    ReadingProgressFactory,
    UserFactory,
    make_review,
    make_series,
    spoiler,
    token_client,
)

pytestmark = pytest.mark.django_db

REVIEWS = "/api/v2/pages/?type=reviews.ReviewPage"


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(item["title"] for item in response.json()["items"])


def test_review_filters_on_v2(client):
    siege, betrayal, other = BookFactory(), BookFactory(), BookFactory()
    series = make_series("Leningrad", [(siege, 1), (betrayal, 2)])
    ann = UserFactory()
    make_review(title="One", book=siege, rating=2, reviewer=ann)
    tagged = make_review(title="Two", book=betrayal, rating=4.5)
    tagged.tags.add("classic")
    tagged.save_revision().publish()
    make_review(title="Three", book=other, rating=5)

    assert _titles(client.get(f"{REVIEWS}&series={series.pk}")) == ["One", "Two"]
    assert _titles(client.get(f"{REVIEWS}&tag=classic")) == ["Two"]
    ann_id = ann.member_profile.public_id
    assert _titles(client.get(f"{REVIEWS}&reviewer={ann_id}")) == ["One"]
    assert _titles(client.get(f"{REVIEWS}&rating_min=4&rating_max=4.5")) == ["Two"]
    assert _titles(client.get(f"{REVIEWS}&published_after=2000-01-01")) == [
        "One",
        "Three",
        "Two",
    ]
    assert _titles(client.get(f"{REVIEWS}&book={siege.pk}")) == ["One"]
    assert client.get(f"{REVIEWS}&order=-popularity").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "&rating_min=x",
        "&rating_min=4&rating_max=1",
        "&series=999999",
        "&published_after=soon",
        "&bogus=1",
        "&spoilers=maybe",
    ],
)
def test_bad_v2_filter_values_are_400(client, query):
    response = client.get(REVIEWS + query)
    assert response.status_code == 400
    assert response.json()["detail"]


def test_review_filters_need_the_review_type(client):
    response = client.get("/api/v2/pages/?rating_min=3")
    assert response.status_code == 400


def test_token_reads_public_pages_and_own_progress_on_v2(client):
    book = BookFactory(chapter_count=10)
    page = make_review(book=book, body=[spoiler(book, 3, "Three", SECRET)])
    private = make_review(book=book)
    restrict(private, to_group=True)
    reader = UserFactory()
    ReadingProgressFactory(member=reader, book=book, chapter=3)
    api = token_client(reader)

    assert SECRET in api.get(f"/api/v2/pages/{page.pk}/").content.decode()
    listed = api.get(REVIEWS).json()["items"]
    assert [item["id"] for item in listed] == [page.pk]
    assert api.get(f"/api/v2/pages/{private.pk}/").status_code == 404


def test_http_basic_is_off_on_v2(client, member):
    member.set_password("secret-pass")
    member.save()
    book = BookFactory()
    page = make_review(book=book, body=[spoiler(book, None, "End", SECRET)])
    ReadingProgressFactory(member=member, book=book, finished=True)
    credentials = base64.b64encode(b"alice:secret-pass").decode()

    response = client.get(
        f"/api/v2/pages/{page.pk}/", HTTP_AUTHORIZATION=f"Basic {credentials}"
    )

    assert SECRET not in response.content.decode()


def test_a_bad_bearer_token_is_401_on_v2(client):
    response = client.get(REVIEWS, HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401
