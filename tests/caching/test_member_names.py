"""A member's name shows beside their reviews and comments, in pages and API
responses that every cache keeps: renaming them is a change like any other."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import update_last_login

from tests.factories import UserFactory, make_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def review():
    reviewer = UserFactory(first_name="Tatiana", last_name="Orlova")
    return make_review(reviewer=reviewer, owner=reviewer, title="Frozen Neva")


def paths(review) -> list[str]:
    return [review.url, f"/api/v3/reviews/{review.pk}/", "/api/v3/reviews/"]


def test_a_renamed_reviewer_is_shown_by_the_new_name_at_once(client, review):
    for path in paths(review):
        client.get(path)
        assert b"Orlova" in client.get(path).content, path
    reviewer = review.reviewer
    reviewer.last_name = "Initials-Only"
    reviewer.save()
    for path in paths(review):
        body = client.get(path).content
        assert b"Orlova" not in body, path
        assert b"Initials-Only" in body, path


def test_signing_in_leaves_the_cached_pages_alone(client, review, monkeypatch):
    from reviews import response_cache

    client.get(review.url)
    update_last_login(None, review.reviewer)
    found = []
    lookup = response_cache.lookup
    monkeypatch.setattr(
        response_cache, "lookup", lambda key: found.append(lookup(key)) or found[-1]
    )
    client.get(review.url)
    assert len(found) == 1 and found[0] is not None
