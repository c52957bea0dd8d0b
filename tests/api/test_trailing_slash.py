"""A write to an API address without its trailing slash.

Django's ``APPEND_SLASH`` redirects such a request with a 301, which a
client follows as a ``GET``: a review posted to ``/api/v3/reviews`` came
back as the review list, a 200, and was never saved (with ``DEBUG`` on,
Django raises instead: a 500). Under the API a write is redirected with a
308, which keeps the method and the body.
"""

from __future__ import annotations

import pytest
from django.test import override_settings

from reviews.models import ReadingProgress, ReviewPage
from tests.factories import BookFactory, review_index

from .test_v3_writes import new_review

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [False, True])
def test_a_review_posted_without_the_slash_is_saved(member_api, debug):
    review_index()
    book = BookFactory(chapter_count=30)
    with override_settings(DEBUG=debug):
        response = member_api.post(
            "/api/v3/reviews", new_review(book), content_type="application/json"
        )
        assert response.status_code == 308, response.content
        assert response["Location"] == "/api/v3/reviews/"

        followed = member_api.post(
            "/api/v3/reviews",
            new_review(book),
            content_type="application/json",
            follow=True,
        )
    assert followed.status_code == 201, followed.content
    assert ReviewPage.objects.filter(title="Cold and hunger").count() == 1


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_every_write_keeps_its_method(member_api, club_member, method):
    book = BookFactory(chapter_count=30)
    ReadingProgress.objects.create(member=club_member, book=book, chapter=2)
    send = getattr(member_api, method)
    with override_settings(DEBUG=True):
        response = send(
            f"/api/v3/progress/{book.pk}?keep=1",
            {"chapter": 5},
            content_type="application/json",
        )
    assert response.status_code == 308, response.content
    assert response["Location"] == f"/api/v3/progress/{book.pk}/?keep=1"


def test_a_write_to_no_address_is_a_problem_not_a_500(client):
    with override_settings(DEBUG=True):
        response = client.post("/api/v3/nothing", follow=True)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_read_without_the_slash_is_still_redirected(client):
    response = client.get("/api/v3/books")
    assert response.status_code == 301
    assert response["Location"] == "/api/v3/books/"
