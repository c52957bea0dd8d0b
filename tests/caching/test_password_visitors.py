"""A visitor who has passed a page password is answered privately.

Wagtail lets a visitor who typed a page's password read it, in HTML and in
both APIs, for the rest of their session. The HTML page was private, but the
APIs labelled the restricted page's detail ``public, max-age=60`` with its
surrogate keys: only ``Vary: Cookie`` kept a shared cache from handing it to
the next reader. An API answer to a request that carries a session is now
private, whatever the session holds.
"""

from __future__ import annotations

import pytest
from django.test import Client
from wagtail.models import PageViewRestriction

from tests.factories import make_review

pytestmark = pytest.mark.django_db

SECRET = "Behind the password"


@pytest.fixture
def locked_review():
    review = make_review(title="Locked", slug="locked", summary=SECRET)
    PageViewRestriction.objects.create(
        page=review, restriction_type="password", password="sesame"
    )
    return review


def _unlocked(review) -> Client:
    """A visitor who typed the password in the page's form."""
    client = Client()
    form = client.get(review.url)
    assert form.status_code == 200 and SECRET not in form.content.decode()
    restriction = PageViewRestriction.objects.get(page=review)
    response = client.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{review.pk}/",
        {"password": "sesame", "return_url": review.url},
    )
    assert response.status_code == 302
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/api/v2/pages/{pk}/",
        "/api/v3/pages/{pk}/",
        "/api/v2/pages/?type=reviews.ReviewPage&fields=summary",
    ],
)
def test_the_api_answers_a_visitor_with_the_password_privately(locked_review, url):
    client = _unlocked(locked_review)
    response = client.get(url.format(pk=locked_review.pk))

    assert response.status_code == 200
    assert SECRET in response.content.decode(), "the password let her in"
    assert "public" not in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "Surrogate-Key" not in response


def test_a_visitor_without_the_password_is_still_answered_publicly(locked_review):
    """The control: without a session the detail is missing and the
    listing public, as before."""
    client = Client()
    assert client.get(f"/api/v2/pages/{locked_review.pk}/").status_code == 404
    listing = client.get("/api/v2/pages/?type=reviews.ReviewPage&fields=summary")
    assert SECRET not in listing.content.decode()
    assert "public" in listing["Cache-Control"]
