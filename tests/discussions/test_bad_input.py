"""Ids too large for the database, and bodies that are not JSON objects: a
404 or a 400, never a server error."""

import pytest
from django.test import Client

from tests.factories import (
    DiscussionCommentFactory,
    NominationRoundFactory,
    bearer,
)

pytestmark = pytest.mark.django_db

#: Past a 64-bit integer: SQLite cannot even bind it as a parameter.
HUGE = "99999999999999999999"
#: Past a 32-bit id column (PostgreSQL's serial).
PAST_INT32 = "2147483648"


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


SITE_URLS = [
    ("get", "/club/discussions/{}/meeting.ics"),
    ("post", "/club/discussions/{}/comments/"),
    ("post", "/club/discussions/{}/rsvp/"),
    ("get", "/club/comments/{}/edit/"),
    ("post", "/club/comments/{}/edit/"),
    ("get", "/club/comments/{}/delete/"),
    ("post", "/club/comments/{}/delete/"),
    ("get", "/club/comments/{}/report/"),
    ("post", "/club/comments/{}/report/"),
    ("get", "/club/next-book/{}/"),
    ("post", "/club/next-book/{}/nominate/"),
    ("post", "/club/next-book/{}/vote/"),
    ("post", "/reading/{}/"),
    ("post", "/reading/{}/remove/"),
]


@pytest.mark.parametrize("value", [HUGE, PAST_INT32])
@pytest.mark.parametrize(("method", "url"), SITE_URLS)
def test_site_urls_answer_404_for_an_id_out_of_range(
    client, member, method, url, value
):
    client.force_login(member)
    data = {"body": "Hello", "answer": "going", "nomination": "1", "chapter": "3"}
    kwargs = {"data": data} if method == "post" else {}
    response = getattr(client, method)(url.format(value), **kwargs)
    assert response.status_code == 404


def test_site_urls_still_work_with_a_real_id(client, discussion, member):
    client.force_login(member)
    assert client.get(f"/club/discussions/{discussion.pk}/meeting.ics").status_code
    response = client.post(
        f"/club/discussions/{discussion.pk}/comments/", {"body": "Hello"}
    )
    assert response.status_code == 302
    nomination_round = NominationRoundFactory()
    assert client.get(f"/club/next-book/{nomination_round.pk}/").status_code == 200


@pytest.mark.parametrize("value", [HUGE, PAST_INT32, "0"])
def test_comment_api_paths_reject_an_id_out_of_range(client, discussion, member, value):
    comment = DiscussionCommentFactory(page=discussion, author=member)
    headers = bearer(member)
    lists = [f"/api/v3/discussions/{value}/comments/"]
    items = [
        f"/api/v3/discussions/{value}/comments/{comment.pk}/",
        f"/api/v3/discussions/{discussion.pk}/comments/{value}/",
    ]
    calls = [("get", url) for url in lists + items]
    calls += [("post", url) for url in lists]
    calls += [("patch", url) for url in items] + [("delete", url) for url in items]
    calls += [("post", f"{url}report/") for url in items]
    calls += [("get", f"/api/v3/rounds/{value}/")]
    for method, url in calls:
        response = getattr(client, method)(
            url, {"body": "Hi"}, content_type="application/json", **headers
        )
        assert response.status_code in (400, 404), (method, url)
        assert response["Content-Type"].startswith("application/"), (method, url)
    comment.refresh_from_db()
    assert comment.is_published


def test_a_reply_to_an_id_out_of_range_is_a_400(client, discussion, member):
    response = client.post(
        f"/api/v3/discussions/{discussion.pk}/comments/",
        {"body": "Hi", "parent": int(HUGE)},
        content_type="application/json",
        **bearer(member),
    )
    assert response.status_code == 400


@pytest.mark.parametrize("body", ["[]", "1", "null", '"text"', "true", '[{"a": 1}]'])
def test_comment_api_writes_want_a_json_object(
    client, discussion, member, other_member, body
):
    mine = DiscussionCommentFactory(page=discussion, author=member, body="MINE")
    theirs = DiscussionCommentFactory(page=discussion, author=other_member)
    base = f"/api/v3/discussions/{discussion.pk}/comments/"
    headers = bearer(member)
    for method, url in (
        ("post", base),
        ("patch", f"{base}{mine.pk}/"),
        ("post", f"{base}{theirs.pk}/report/"),
    ):
        response = getattr(client, method)(
            url, body, content_type="application/json", **headers
        )
        assert response.status_code == 400, (method, url, response.content)
    assert not theirs.reports.exists()
    mine.refresh_from_db()
    assert (mine.body, mine.edited_at) == ("MINE", None)


@pytest.mark.parametrize("path", ["/api/v3/rounds/", "/api/v3/rounds/{}/"])
@pytest.mark.parametrize("query", [{"limit": "1"}, {"statuss": "open"}])
def test_round_reads_refuse_a_parameter_they_do_not_take(client, path, query):
    """As every club endpoint does: ``?limit=1`` on the rounds, which are not
    paginated, answered every round as if it were understood."""
    nomination_round = NominationRoundFactory()
    response = client.get(path.format(nomination_round.pk), query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert next(iter(query)) in response.json()["detail"]
