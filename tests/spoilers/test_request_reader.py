"""``request.reader``: set once per request, like ``request.user``.

The fixtures (tests/spoilers/conftest.py) give a review of The Betrayal with
spoilers up to chapter 5 (``MARKER``) and 20, and of The Siege's ending.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory

from reviews.models import ReadingProgress
from reviews.spoilers import (
    FINISHED,
    RequestReader,
    attach_reader,
    can_see,
    reader_used,
    refresh_reader,
)
from tests.factories import (
    DiscussionCommentFactory,
    ReadingProgressFactory,
    UserFactory,
    make_discussion,
    token_client,
)

from .conftest import shared_review
from .helpers import ENDING_MARKER, MARKER, bearer

pytestmark = pytest.mark.django_db

# Every test here reads the review: built once for the module.
siege, betrayal, review = shared_review()


@pytest.fixture
def builds(monkeypatch) -> list[int]:
    """Counts the readers built, whichever request builds them."""
    built: list[int] = []
    original = RequestReader._build

    def counting(self):
        built.append(1)
        return original(self)

    monkeypatch.setattr(RequestReader, "_build", counting)
    return built


def _urls(review) -> dict[str, str]:
    return {
        "html": review.url,
        "v2": f"/api/v2/pages/{review.pk}/",
        "v3 club": f"/api/v3/reviews/{review.pk}/",
        "v3 wagtail": f"/api/v3/pages/{review.pk}/",
    }


@pytest.mark.parametrize("where", ["html", "v2", "v3 club", "v3 wagtail"])
def test_a_member_reader_is_built_once_per_request(
    where, review, reader_at_chapter_5, builds
):
    client = Client()
    client.force_login(reader_at_chapter_5)
    response = client.get(_urls(review)[where])
    assert response.status_code == 200, response.content
    assert MARKER in response.content.decode()
    assert len(builds) == 1
    assert isinstance(response.wsgi_request.reader, RequestReader)


@pytest.mark.parametrize("where", ["v2", "v3 club", "v3 wagtail"])
def test_a_token_reader_is_built_once_and_is_the_tokens_member(
    where, review, reader_at_chapter_5, builds
):
    # Signed in as someone who has read nothing; the token is a member who
    # read to chapter 5: the token says who is asking.
    client = Client(**_django_headers(bearer(reader_at_chapter_5)))
    client.force_login(UserFactory())
    response = client.get(_urls(review)[where])
    assert response.status_code == 200, response.content
    assert MARKER in response.content.decode()
    assert len(builds) == 1
    assert response.wsgi_request.reader.reach(review.book_id) == 5


@pytest.mark.parametrize("where", ["v2", "v3 club", "v3 wagtail"])
def test_a_token_of_a_member_who_read_nothing_wins_over_the_session(
    where, review, reader_at_chapter_5
):
    client = token_client(UserFactory())
    client.force_login(reader_at_chapter_5)
    response = client.get(_urls(review)[where])
    assert response.status_code == 200, response.content
    assert MARKER not in response.content.decode()


def test_a_comment_listing_builds_its_reader_once(
    betrayal, reader_at_chapter_5, builds
):
    discussion = make_discussion(book=betrayal, title="The Betrayal")
    DiscussionCommentFactory(page=discussion, chapter=4, body="Up to four.")
    DiscussionCommentFactory(page=discussion, chapter=9, body="Nine already.")
    response = token_client(reader_at_chapter_5).get(
        f"/api/v3/discussions/{discussion.pk}/comments/"
    )
    assert response.status_code == 200, response.content
    body = response.content.decode()
    assert "Up to four." in body and "Nine already." not in body
    assert len(builds) == 1


def test_progress_recorded_in_the_request_is_the_readers_from_then_on(betrayal):
    member = UserFactory()
    response = token_client(member).put(
        f"/api/v3/progress/{betrayal.pk}/",
        {"chapter": 7},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    reader = response.wsgi_request.reader
    assert reader.reach(betrayal.pk) == 7
    assert can_see(reader, betrayal.pk, 7)


def test_refresh_reads_new_progress_and_keeps_the_response_personal(betrayal):
    member = UserFactory()
    request = RequestFactory().get("/")
    request.user = member
    attach_reader(request)
    assert not can_see(request.reader, betrayal.pk, 5)
    ReadingProgress.objects.create(member=member, book=betrayal, finished=True)

    refresh_reader(request)

    assert request.reader.reach(betrayal.pk) == FINISHED
    # What was built before the refresh still made the response personal.
    refresh_reader(request)
    used = reader_used(request)
    assert used is not None and used.personal


def test_an_unread_reader_leaves_the_response_shared():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    attach_reader(request)
    refresh_reader(request)
    assert reader_used(request) is None


def test_a_members_page_is_private_and_never_shared(
    client, review, reader_at_chapter_5
):
    member = Client()
    member.force_login(reader_at_chapter_5)
    response = member.get(review.url)
    assert MARKER in response.content.decode()
    assert "private" in response["Cache-Control"]

    anonymous = client.get(review.url)
    assert MARKER not in anonymous.content.decode()
    assert "public" in anonymous["Cache-Control"]


# API v3 answers an empty ``read=`` with a 400 of its own.
@pytest.mark.parametrize("where", ["html", "v2"])
def test_a_repeated_read_with_an_empty_last_value_is_never_shared(
    client, review, betrayal, where
):
    """``read=5&read=`` declares a chapter even though ``GET.get`` sees ''."""
    url = f"{_urls(review)[where]}?read={betrayal.pk}:5&read="
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert MARKER in response.content.decode()
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    again = client.get(_urls(review)[where])
    assert MARKER not in again.content.decode()


@pytest.mark.parametrize("where", ["v2", "v3 club", "v3 wagtail"])
def test_a_token_response_is_private_and_not_served_to_anyone_else(
    client, review, siege, where
):
    finished = UserFactory()
    ReadingProgressFactory(member=finished, book=siege, finished=True)
    response = token_client(finished).get(_urls(review)[where])
    assert ENDING_MARKER in response.content.decode()
    assert "private" in response["Cache-Control"]

    anonymous = client.get(_urls(review)[where])
    assert anonymous.status_code == 200
    assert ENDING_MARKER not in anonymous.content.decode()


def _django_headers(headers: dict[str, str]) -> dict[str, str]:
    return {f"HTTP_{name.upper()}": value for name, value in headers.items()}
