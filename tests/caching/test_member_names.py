"""A member's name shows beside their reviews and comments, in pages and API
responses that every cache keeps: renaming them is a change like any other."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import update_last_login

from tests.cache_queries import served_from_cache
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
    client.get(review.url)
    update_last_login(None, review.reviewer)
    assert served_from_cache(client, monkeypatch, review.url)


def test_a_save_that_changes_nothing_shown_leaves_the_cached_pages_alone(
    client, review, monkeypatch
):
    """Django's password reset form saves the whole member."""
    client.get(review.url)
    reviewer = review.reviewer
    reviewer.set_password("a new passphrase 42")
    reviewer.email = "tatiana@example.org"
    reviewer.save()
    assert served_from_cache(client, monkeypatch, review.url)


def test_a_rename_leaves_what_does_not_show_the_member_cached(
    client, review, monkeypatch
):
    other = make_review(
        reviewer=UserFactory(first_name="Boris"), title="Thaw", book=review.book
    )
    client.get(other.url)
    client.get(f"/api/v3/reviews/{other.pk}/")
    reviewer = review.reviewer
    reviewer.first_name = "Tanya"
    reviewer.save()
    assert served_from_cache(client, monkeypatch, other.url)
    assert served_from_cache(client, monkeypatch, f"/api/v3/reviews/{other.pk}/")
    assert b"Tanya Orlova" in client.get(review.url).content


def test_a_deleted_reviewer_is_gone_at_once(client, review):
    for path in paths(review):
        client.get(path)
        assert b"Orlova" in client.get(path).content, path
    review.reviewer.delete()
    for path in paths(review):
        assert b"Orlova" not in client.get(path).content, path
