"""Members who post too fast are told to wait, never shown an error page."""

import time
from types import SimpleNamespace

import pytest

from reviews import ratelimit
from reviews.models import DiscussionComment
from tests.discussions.conftest import shared_discussion
from tests.factories import bearer

pytestmark = pytest.mark.django_db

book, discussion = shared_discussion()


@pytest.fixture(autouse=True)
def two_a_minute(settings):
    settings.BOOKCLUB_COMMENT_RATES = [(2, 60)]


@pytest.fixture(autouse=True)
def one_window(monkeypatch):
    """The windows are aligned to the clock, so a test's posts that
    straddled the end of a minute fell in two windows, and the third post
    was let through. The limiter's clock is held one second into the
    current hour, so that every post a test makes falls in the same minute."""
    now = time.time()
    held = now - now % 3600 + 1
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: held))


def test_api_answers_429_with_retry_after(client, discussion, member, other_member):
    url = f"/api/v3/discussions/{discussion.pk}/comments/"
    headers = bearer(member)
    for n in range(2):
        response = client.post(url, {"body": f"#{n}"}, "application/json", **headers)
        assert response.status_code == 201
    response = client.post(url, {"body": "#3"}, "application/json", **headers)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert 1 <= int(response["Retry-After"]) <= 61
    assert "try again in" in response.json()["detail"]
    assert DiscussionComment.objects.count() == 2
    other = client.post(
        url, {"body": "mine"}, "application/json", **bearer(other_member)
    )
    assert other.status_code == 201, "the limit is per member"


def test_the_page_shows_a_form_message_and_keeps_the_text(client, discussion, member):
    client.force_login(member)
    url = f"/club/discussions/{discussion.pk}/comments/"
    for n in range(2):
        assert client.post(url, {"body": f"#{n}"}).status_code == 302
    response = client.post(url, {"body": "THIRD-THOUGHT", "chapter": "4"})
    html = response.content.decode()
    assert response.status_code == 429
    assert "You are posting faster than the club allows" in html
    assert "THIRD-THOUGHT" in html, "nothing the member typed is lost"
    assert '<form method="post"' in html and "Traceback" not in html
    assert DiscussionComment.objects.count() == 2


def test_invalid_posts_do_not_count(client, discussion, member):
    client.force_login(member)
    url = f"/club/discussions/{discussion.pk}/comments/"
    for _ in range(3):
        client.post(url, {"body": "", "chapter": "2"})
    assert client.post(url, {"body": "Finally"}).status_code == 302
