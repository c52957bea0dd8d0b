"""No side channel: the APIs never filter or order on a column that holds
content a reader may not see (a StreamField, rich text, any long text).

Sorting by ``body`` ranks reviews by the text of their hidden spoilers, and
``body=…`` answers yes or no to a guess at it; both are a 400 problem, in
API v2 and v3 alike, Wagtail's own pages endpoints included.
"""

from collections.abc import Iterator

import pytest

from tests.factories import make_discussion, make_series
from tests.fixtures.database import built_once

from .conftest import BuiltReview, shared_review
from .helpers import ENDING_MARKER, LATER_MARKER, MARKER

pytestmark = pytest.mark.django_db

# Every test here reads the review: built once for the module.
siege, betrayal, review = shared_review()

REVIEWS = {"type": "reviews.ReviewPage"}
DISCUSSIONS = {"type": "reviews.DiscussionPage"}
SERIES = {"type": "reviews.SeriesPage"}

CONTENT_QUERIES = [
    pytest.param(REVIEWS | {"order": "body"}, "body", id="order=body"),
    pytest.param(REVIEWS | {"order": "-body"}, "body", id="order=-body"),
    pytest.param(REVIEWS | {"order": "title,body"}, "body", id="order=title,body"),
    pytest.param(REVIEWS | {"body": "[]"}, "body", id="body="),
    pytest.param(REVIEWS | {"body": MARKER}, "body", id="body=guess"),
    pytest.param(DISCUSSIONS | {"order": "questions"}, "questions", id="questions"),
    pytest.param(DISCUSSIONS | {"questions": "[]"}, "questions", id="questions="),
    pytest.param(DISCUSSIONS | {"order": "intro"}, "intro", id="order=intro"),
    pytest.param(DISCUSSIONS | {"intro": "x"}, "intro", id="intro="),
    pytest.param(SERIES | {"order": "-description"}, "description", id="desc"),
    pytest.param(SERIES | {"description": "x"}, "description", id="description="),
]


@pytest.fixture(scope="module")
def built_content(django_db_blocker, built_review: BuiltReview) -> Iterator[None]:
    """A discussion and a series of The Siege beside the review, built once
    for the module: the tests only read them."""
    with built_once(django_db_blocker):
        make_discussion(book=built_review.siege)
        make_series("Leningrad again", [(built_review.siege, 1)])
        yield


@pytest.fixture
def content(built_content, review):
    return review


def _assert_problem(response, field: str) -> None:
    assert response.status_code == 400, response.content[:500]
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 400
    assert problem["title"] == "Bad Request"
    assert field in problem["detail"]
    for marker in (MARKER, LATER_MARKER, ENDING_MARKER):
        assert marker.encode() not in response.content


@pytest.mark.parametrize("version", ["v2", "v3"])
@pytest.mark.parametrize(("params", "field"), CONTENT_QUERIES)
def test_filter_or_order_on_a_content_column_is_a_400_problem(
    client, content, version, params, field
):
    response = client.get(f"/api/{version}/pages/", params)
    _assert_problem(response, field)


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_the_rule_holds_for_a_member_with_a_token(
    client, content, reader_at_chapter_5, version
):
    from .helpers import bearer

    response = client.get(
        f"/api/{version}/pages/",
        REVIEWS | {"order": "body"},
        headers=bearer(reader_at_chapter_5),
    )
    _assert_problem(response, "body")


def test_v3_repeated_order_parameters_are_checked_too(client, content):
    response = client.get("/api/v3/pages/", REVIEWS | {"order": ["title", "-body"]})
    _assert_problem(response, "body")


@pytest.mark.parametrize("version", ["v2", "v3"])
@pytest.mark.parametrize(
    "params",
    [
        REVIEWS | {"order": "title"},
        REVIEWS | {"order": "-rating"},
        REVIEWS | {"summary": "Quieter than the first book, and more frightening."},
        REVIEWS | {"title": "After the siege"},
        SERIES | {"author": "x"},
    ],
    ids=["order=title", "order=-rating", "summary=", "title=", "author="],
)
def test_plain_columns_still_filter_and_order(client, content, version, params):
    response = client.get(f"/api/{version}/pages/", params)
    assert response.status_code == 200, response.content[:500]


def test_v2_search_finds_open_text_but_never_spoiler_text(client, content):
    found = client.get("/api/v2/pages/", {"search": "Marmalade"}).json()
    assert found["meta"]["total_count"] == 1
    for marker in (MARKER, LATER_MARKER, ENDING_MARKER):
        response = client.get("/api/v2/pages/", {"search": marker})
        assert response.json()["meta"]["total_count"] == 0, marker


def test_v3_search_never_matches_spoiler_text(client, content):
    for marker in (MARKER, LATER_MARKER, ENDING_MARKER):
        response = client.get("/api/v3/pages/", {"search": marker})
        assert response.status_code == 200
        assert response.json()["count"] == 0, marker


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_search_never_matches_drafts_unpublished_or_restricted_pages(
    client, content, betrayal, version
):
    from wagtail.models import PageViewRestriction

    from tests.factories import make_review, paragraph

    make_review(book=betrayal, body=[paragraph("Draftonlyword")], live=False)
    gone = make_review(book=betrayal, body=[paragraph("Goneonlyword")])
    gone.unpublish()
    private = make_review(book=betrayal, body=[paragraph("Privateonlyword")])
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    for word in ("Draftonlyword", "Goneonlyword", "Privateonlyword"):
        response = client.get(f"/api/{version}/pages/", {"search": word})
        assert response.status_code == 200
        body = response.json()
        count = body["meta"]["total_count"] if version == "v2" else body["count"]
        assert count == 0, word
