"""A member's session reveals what they have read in API v3 too (contract:
"bearer token, or session"), without granting anything else."""

import pytest

from tests.factories import ReadingProgressFactory, make_review, spoiler

pytestmark = pytest.mark.django_db

MARKER = "SESSIONMARKER"


@pytest.fixture
def review(book):
    return make_review(book=book, body=[spoiler(book, 3, "Chapter three", MARKER)])


@pytest.mark.parametrize("path", ["/api/v3/pages/{pk}/", "/api/v3/reviews/{pk}/"])
def test_session_member_progress_reveals_in_v3(client, member, review, book, path):
    url = path.format(pk=review.pk)
    assert MARKER not in client.get(url).content.decode()
    ReadingProgressFactory(member=member, book=book, chapter=3)
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 200
    assert MARKER in response.content.decode()
    assert "private" in response["Cache-Control"]


def test_session_member_below_the_chapter_still_sees_it_hidden(
    client, member, review, book
):
    ReadingProgressFactory(member=member, book=book, chapter=2)
    client.force_login(member)
    assert MARKER not in client.get(f"/api/v3/pages/{review.pk}/").content.decode()


def test_a_session_does_not_authenticate_v3_writes(client, member, review):
    client.force_login(member)
    response = client.post(
        "/api/v3/reviews/", {"title": "x"}, content_type="application/json"
    )
    assert response.status_code == 401
