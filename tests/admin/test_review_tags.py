"""A review's tags in the admin: at most as long as the tag table holds.

django-taggit keeps a tag's name in 100 characters. Wagtail's tag field
says so beside the field; API v3's review writes took a longer one (stored
whole on SQLite, refused on PostgreSQL as a number out of range:
tests/api/test_v3_write_input.py).
This holds the admin to the same limit, which both now share."""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, streamfield

from reviews.models import ReviewPage
from tests.factories import BookFactory

pytestmark = pytest.mark.django_db


def _add(client, alice, pages, tags: str):
    client.force_login(alice)
    url = reverse(
        "wagtailadmin_pages:add", args=("reviews", "reviewpage", pages.index.pk)
    )
    form = nested_form_data(
        {
            "title": "Tagged",
            "slug": "tagged",
            "book": BookFactory().pk,
            "summary": "Short and sweet.",
            "body": streamfield([]),
            "tags": tags,
        }
    )
    return client.post(url, form)


def test_a_tag_too_long_is_a_field_error_and_the_form_is_kept(client, alice, pages):
    response = _add(client, alice, pages, f"war, {'x' * 101}")

    assert response.status_code == 200
    assert "tags" in response.context["form"].errors
    assert "100 characters" in str(response.context["form"].errors["tags"])
    assert not ReviewPage.objects.filter(slug="tagged").exists()
    assert b"Short and sweet." in response.content


def test_a_tag_of_the_longest_length_is_kept(client, alice, pages):
    response = _add(client, alice, pages, "y" * 100)
    assert response.status_code == 302
    page = ReviewPage.objects.get(slug="tagged")
    assert [tag.name for tag in page.tags.all()] == ["y" * 100]
