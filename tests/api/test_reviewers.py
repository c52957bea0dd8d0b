"""A reviewer is shown by a public id and display name (never a login or an
email), and the ``reviewer`` filter of both API versions takes that id, or
``me`` for the client's own member."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    DiscussionCommentFactory,
    NominationFactory,
    NominationRoundFactory,
    UserFactory,
    make_discussion,
    make_review,
    token_client,
)

pytestmark = pytest.mark.django_db

V2_REVIEWS = "/api/v2/pages/?type=reviews.ReviewPage&fields=reviewer"


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(item["title"] for item in response.json()["items"])


@pytest.fixture
def ann():
    return UserFactory(
        username="ann-login", first_name="Ann", last_name="Lee", email="ann@x.org"
    )


def test_the_id_a_review_shows_filters_that_reviewer_in_both_apis(client, ann):
    make_review(title="Ann's", reviewer=ann, owner=ann)
    make_review(title="Someone else's", reviewer=UserFactory())

    v3 = client.get("/api/v3/reviews/").json()["items"]
    shown = next(item["reviewer"] for item in v3 if item["title"] == "Ann's")
    v2 = client.get(V2_REVIEWS).json()["items"]
    assert next(i["reviewer"] for i in v2 if i["title"] == "Ann's") == shown
    assert shown["display_name"] == "Ann Lee"

    by_id = client.get("/api/v3/reviews/", {"reviewer": shown["id"]})
    assert _titles(by_id) == ["Ann's"]
    assert _titles(client.get(f"{V2_REVIEWS}&reviewer={shown['id']}")) == ["Ann's"]
    for response in (by_id, client.get(V2_REVIEWS)):
        assert "ann-login" not in response.content.decode()
        assert "ann@x.org" not in response.content.decode()


def test_reviewer_me_on_v2_with_a_token(client, ann):
    make_review(title="Ann's", reviewer=ann, owner=ann)
    make_review(title="Someone else's", reviewer=UserFactory())

    api = token_client(ann)
    assert _titles(api.get(f"{V2_REVIEWS}&reviewer=me")) == ["Ann's"]
    assert _titles(token_client(UserFactory()).get(f"{V2_REVIEWS}&reviewer=me")) == []
    anonymous = client.get(f"{V2_REVIEWS}&reviewer=me")
    assert anonymous.status_code in (400, 401)


def test_the_public_id_is_not_the_users_key_and_cannot_be_counted(client, ann):
    bob = UserFactory(username="bob-login")
    make_review(title="Ann's", reviewer=ann, owner=ann)
    make_review(title="Bob's", reviewer=bob, owner=bob)
    shown = {
        item["title"]: item["reviewer"]["id"]
        for item in client.get("/api/v3/reviews/").json()["items"]
    }
    assert set(shown.values()).isdisjoint({ann.pk, bob.pk, str(ann.pk), str(bob.pk)})
    assert all(isinstance(value, str) and len(value) >= 12 for value in shown.values())
    assert shown["Ann's"] != shown["Bob's"]
    # The same member keeps the same id, whichever API and request shows it.
    anns = shown["Ann's"]
    again = client.get(f"{V2_REVIEWS}&reviewer={anns}").json()["items"]
    assert [item["reviewer"]["id"] for item in again] == [anns]


@pytest.mark.parametrize("api", ["/api/v3/reviews/", V2_REVIEWS])
def test_a_user_key_is_no_longer_a_reviewer_id(client, ann, api):
    make_review(title="Ann's", reviewer=ann, owner=ann)
    separator = "&" if "?" in api else "?"
    response = client.get(f"{api}{separator}reviewer={ann.pk}")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert "Ann's" not in response.content.decode()


def test_a_user_made_without_signals_still_gets_one_id(client):
    from django.contrib.auth import get_user_model

    from reviews.models import MemberProfile

    get_user_model().objects.bulk_create(
        [get_user_model()(username="quiet", first_name="Quinn")]
    )
    quiet = get_user_model().objects.get(username="quiet")
    assert not MemberProfile.objects.filter(user=quiet).exists()
    make_review(title="Quinn's", reviewer=quiet, owner=quiet)
    first = client.get("/api/v3/reviews/").json()["items"][0]["reviewer"]["id"]
    second = client.get(V2_REVIEWS).json()["items"][0]["reviewer"]["id"]
    assert first == second == MemberProfile.objects.get(user=quiet).public_id


def _member_read_without_password_or_email(
    queries: CaptureQueriesContext, url: str, joined_to: str = ""
) -> None:
    """The statements that read members (those that also name ``joined_to``)
    read some, and never their password hash or email."""
    loaded = [
        query["sql"]
        for query in queries
        if '"auth_user"' in query["sql"] and joined_to in query["sql"]
    ]
    assert loaded, url  # the member is shown, so their row is read
    for sql in loaded:
        assert '"auth_user"."password"' not in sql, (url, sql)
        assert '"auth_user"."email"' not in sql, (url, sql)


def _shown_without_password_or_email(
    client, url: str, shown: bytes, joined_to: str = ""
) -> None:
    """``url`` shows ``shown`` (what the member wrote, or their name)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    assert shown in response.content, url
    _member_read_without_password_or_email(queries, url, joined_to)


def test_no_output_loads_a_reviewers_password_or_email(client, ann):
    """What a reviewer is shown by is their name: every output that shows
    reviews loads their row without the password hash or the email, so
    neither can reach a representation, a template or a cached value."""
    review = make_review(title="Ann's", reviewer=ann, owner=ann)
    urls = [
        f"/api/v2/pages/{review.pk}/",
        f"/api/v3/reviews/{review.pk}/",
        "/api/v2/pages/?type=reviews.ReviewPage&fields=*",
        "/api/v3/reviews/",
        review.url,
        "/",
        "/reviews/",
        f"/books/{review.book.slug}/",
        "/feeds/reviews/",
        "/search/?q=Ann",
    ]
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        _member_read_without_password_or_email(queries, url)


def test_no_output_loads_a_commenters_password_or_email(client, ann):
    """The same for the members shown by their comments and their answers
    to the meeting."""
    discussion = make_discussion()
    DiscussionCommentFactory(page=discussion, author=ann, chapter=2, body="Loved it.")
    opened = "?reveal_comments=1-5"  # about chapter 2: opened on purpose
    urls = [
        discussion.url + opened,
        f"/api/v3/discussions/{discussion.pk}/comments/{opened}",
    ]
    for url in urls:
        _shown_without_password_or_email(client, url, b"Loved it.")


def test_no_output_loads_a_nominators_password_or_email(client, ann, club_member):
    """The same for the members shown by the books they nominated, which
    members see on the round's page and in the API."""
    nomination_round = NominationRoundFactory(title="Autumn")
    NominationFactory(round=nomination_round, nominated_by=ann, pitch="Read it.")
    client.force_login(club_member)
    urls = [
        f"/club/next-book/{nomination_round.pk}/",
        "/api/v3/rounds/",
        f"/api/v3/rounds/{nomination_round.pk}/",
    ]
    for url in urls:
        # The reader's own row is the session's; the nominators' come with
        # the nominations.
        _shown_without_password_or_email(client, url, b"Ann", '"reviews_nomination"')
