"""Bad input answers a 400 or a field error, never a 500."""

from collections.abc import Iterator

import pytest
from wagtail.models import APIToken

from reviews.models import Book
from tests.factories import BookFactory, make_discussion, make_review, review_index
from tests.fixtures.database import built_once

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker) -> Iterator[int]:
    """A published review and a discussion of The Siege (its id), built once
    for the module: the pages the filters run over. What a test writes rolls
    back after it."""
    with built_once(django_db_blocker):
        book = BookFactory(title="The Siege", chapter_count=30)
        make_review(book=book)
        make_discussion(book=book)
        yield book.pk


@pytest.fixture
def book(built: int) -> Book:
    return Book.objects.get(pk=built)


@pytest.mark.parametrize("param", ["book", "series"])
@pytest.mark.parametrize("value", [HUGE, "-1", "abc", "0"])
def test_review_index_filters_show_a_field_error(client, book, param, value):
    response = client.get(review_index().url, {param: value})
    assert response.status_code == 200
    assert param in response.context["filters"].errors


@pytest.mark.parametrize(
    "query",
    [
        f"type=reviews.ReviewPage&book={HUGE}",
        "type=reviews.ReviewPage&book=abc",
        "type=reviews.ReviewPage&rating=abc",
        f"type=reviews.ReviewPage&reviewer={HUGE}",
        "type=reviews.DiscussionPage&starts_at=abc",
        "type=reviews.ReviewPage&published_after=0001-01-01T00:00:00%2B14:00",
    ],
)
def test_v2_field_filters_answer_400(client, book, query):
    response = client.get(f"/api/v2/pages/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00%2B14:00", "9999-12-31T23:59:59-14:00"]
)
def test_v3_published_after_at_the_calendars_edge_is_a_400(client, value):
    response = client.get(f"/api/v3/reviews/?published_after={value}")
    assert response.status_code == 400


@pytest.mark.parametrize("body", ["[1]", "1", '"x"', "null"])
def test_v3_write_bodies_must_be_json_objects(client, book, member, body):
    from reviews.models import ReadingProgress
    from tests.factories import ReadingProgressFactory

    ReadingProgressFactory(member=member, book=book, chapter=4, finished=True)
    own = make_review(book=book, owner=member, title="Mine")
    _, token = APIToken.create_token(user=member, name="app")
    headers = {"Authorization": f"Bearer {token}"}
    for method, url in [
        ("put", f"/api/v3/progress/{book.pk}/"),
        ("patch", f"/api/v3/reviews/{own.pk}/"),
        ("post", "/api/v3/reviews/"),
    ]:
        response = getattr(client, method)(
            url, body, content_type="application/json", headers=headers
        )
        assert response.status_code == 400, (method, url, response.content)
    progress = ReadingProgress.objects.get(member=member, book=book)
    assert progress.finished and progress.chapter == 4, "nothing was reset"
    assert own.get_latest_revision().content["title"] == "Mine"
