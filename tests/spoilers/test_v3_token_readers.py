"""API v3 reads with a bearer token: the reader is the token's member, on the
club's routers and on Wagtail's own, even when something asked for the
reader before the token was authenticated (the token is only read inside
the view, long after ``ReaderMiddleware`` set ``request.reader``).

The fixtures (tests/spoilers/conftest.py) give a review of The Betrayal with
a spoiler up to chapter 5 (``MARKER``) and later ones, and a member who has
read it up to chapter 5.
"""

from collections.abc import Callable

import pytest
from django.conf import LazySettings
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.utils import timezone
from wagtail.models import APIToken

from reviews.preview import create_preview_token
from reviews.spoilers import reader_of
from tests.factories import (
    NominationFactory,
    ReadingProgressFactory,
    UserFactory,
    token_client,
)
from tests.factories.tokens import bearer

from .conftest import shared_review
from .helpers import LATER_MARKER, MARKER

pytestmark = pytest.mark.django_db

# Every test here reads the review or its books: built once for the module.
siege, betrayal, review = shared_review()


class AskForReaderFirst:
    """Builds the reader before the view runs, as any output rendered early
    (an error page, a redirect check) would."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reader_of(request)
        return self.get_response(request)


@pytest.fixture(params=["lazy", "asked first"])
def asked(request, settings: LazySettings) -> str:
    if request.param == "asked first":
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.AskForReaderFirst"]
    return request.param


def _rounds_urls(book) -> list[str]:
    nomination = NominationFactory(book=book)
    return ["/api/v3/rounds/", f"/api/v3/rounds/{nomination.round_id}/"]


def test_the_reader_of_a_token_on_the_rounds_endpoints_is_the_tokens_member(
    asked, betrayal, reader_at_chapter_5
):
    for url in _rounds_urls(betrayal):
        response = token_client(reader_at_chapter_5).get(url)
        assert response.status_code == 200, response.content
        reader = response.wsgi_request.reader
        assert reader.reach(betrayal.pk) == 5, url
        assert "private" in response["Cache-Control"]


def test_an_anonymous_reader_on_the_rounds_endpoints_has_read_nothing(
    asked, client, betrayal, reader_at_chapter_5
):
    for url in _rounds_urls(betrayal):
        response = client.get(url)
        assert response.status_code == 200, response.content
        assert response.wsgi_request.reader.reach(betrayal.pk) == 0, url


def test_a_session_never_counts_beside_a_token_on_the_rounds_endpoints(
    asked, betrayal, reader_at_chapter_5
):
    # Signed in as the member at chapter 5, asking with a token of a member
    # who has read nothing: the token says who is asking.
    client = Client(**bearer(UserFactory()))
    client.force_login(reader_at_chapter_5)
    for url in _rounds_urls(betrayal):
        response = client.get(url)
        assert response.status_code == 200, response.content
        assert response.wsgi_request.reader.reach(betrayal.pk) == 0, url


def test_a_token_member_reads_a_wagtail_v3_page_as_far_as_they_have_read(
    asked, client, review, reader_at_chapter_5
):
    url = f"/api/v3/pages/{review.pk}/"
    # An anonymous read first: whatever it leaves in the caches is its own.
    anonymous = client.get(url)
    assert anonymous.status_code == 200, anonymous.content
    assert MARKER not in anonymous.content.decode()

    member = token_client(reader_at_chapter_5).get(url)
    assert member.status_code == 200, member.content
    body = member.content.decode()
    assert MARKER in body
    assert LATER_MARKER not in body
    assert "private" in member["Cache-Control"]
    assert member.wsgi_request.reader.reach(review.book_id) == 5

    again = client.get(url)
    assert MARKER not in again.content.decode()


def test_a_token_never_gets_another_readers_wagtail_v3_page(
    asked, client, review, reader_at_chapter_5
):
    url = f"/api/v3/pages/{review.pk}/"
    reached = token_client(reader_at_chapter_5)
    unread = token_client(UserFactory())
    for _ in range(2):
        assert MARKER in reached.get(url).content.decode()
        assert MARKER not in unread.get(url).content.decode()
        assert MARKER not in client.get(url).content.decode()


def _revoked(user) -> str:
    token, plaintext = APIToken.create_token(user=user, name="tests")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return f"Bearer {plaintext}"


def _inactive_members(betrayal) -> str:
    member = UserFactory(is_active=False)
    ReadingProgressFactory(member=member, book=betrayal, finished=True)
    return bearer(member)["HTTP_AUTHORIZATION"]


UNRESOLVED_TOKENS = {
    "revoked": lambda betrayal: _revoked(UserFactory()),
    "an inactive member's": _inactive_members,
    "unknown": lambda betrayal: "Bearer not-a-token",
    "empty": lambda betrayal: "Bearer",
}


@pytest.mark.parametrize("kind", sorted(UNRESOLVED_TOKENS))
def test_a_token_that_names_no_member_is_a_401_on_every_v3_read(
    kind, review, betrayal, reader_at_chapter_5
):
    # Signed in as the member at chapter 5: a bad token must not fall back to
    # the session's reader (nor to an anonymous one) as if none were sent.
    client = Client(HTTP_AUTHORIZATION=UNRESOLVED_TOKENS[kind](betrayal))
    client.force_login(reader_at_chapter_5)
    for url in [
        f"/api/v3/reviews/{review.pk}/",
        "/api/v3/reviews/",
        f"/api/v3/pages/{review.pk}/",
        "/api/v3/pages/?type=reviews.ReviewPage&fields=body",
        f"/api/v3/books/{betrayal.pk}/",
        *_rounds_urls(betrayal),
    ]:
        response = client.get(url)
        assert response.status_code == 401, (url, response.content[:200])
        assert response["Content-Type"] == "application/problem+json", url
        assert MARKER not in response.content.decode(), url


def test_the_preview_endpoint_reads_for_the_tokens_member(review, reader_at_chapter_5):
    url = f"/api/v3/preview/?token={create_preview_token(review)}"
    member = token_client(reader_at_chapter_5).get(url)
    assert member.status_code == 200, member.content
    assert MARKER in member.content.decode()
    assert LATER_MARKER not in member.content.decode()

    # The token says who is asking, beside the session of a member who has
    # read further; a token that names no one is refused.
    unread = Client(**bearer(UserFactory()))
    unread.force_login(reader_at_chapter_5)
    assert MARKER not in unread.get(url).content.decode()
    refused = Client(HTTP_AUTHORIZATION="Bearer not-a-token")
    refused.force_login(reader_at_chapter_5)
    response = refused.get(url)
    assert response.status_code == 401
    assert MARKER not in response.content.decode()

    # Without a token the session's member reads, as on every v3 read.
    session = Client()
    session.force_login(reader_at_chapter_5)
    assert MARKER in session.get(url).content.decode()
