"""A member's review is always their own: the admin form and the API never
let them name another member as its reviewer; editors choose among the
members who may write reviews."""

import pytest
from django.urls import reverse
from django.utils.text import slugify
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from reviews.models import ReviewPage
from tests.factories import BookFactory, make_review, token_client

pytestmark = pytest.mark.django_db


def _review_form(book, title: str, **extra) -> dict:
    return nested_form_data(
        {
            "title": title,
            "slug": slugify(title),
            "book": book.pk,
            "summary": "Short and sweet.",
            "body": streamfield([("paragraph", rich_text("<p>Loved it.</p>"))]),
            "tags": "",
            **extra,
        }
    )


def test_member_add_form_offers_no_reviewer(client, alice, bruno, pages):
    client.force_login(alice)
    url = reverse(
        "wagtailadmin_pages:add", args=("reviews", "reviewpage", pages.index.pk)
    )
    body = client.get(url).content
    assert b'name="reviewer"' not in body
    assert b"bruno" not in body


def test_member_cannot_attribute_a_new_review_to_another(client, alice, bruno, pages):
    client.force_login(alice)
    url = reverse(
        "wagtailadmin_pages:add", args=("reviews", "reviewpage", pages.index.pk)
    )
    data = _review_form(BookFactory(), "Forged review", reviewer=bruno.pk)
    assert client.post(url, data).status_code == 302
    page = ReviewPage.objects.get(slug="forged-review")
    assert page.reviewer == alice
    assert page.get_latest_revision_as_object().reviewer == alice


def test_member_edit_keeps_themselves_as_reviewer(client, alice, bruno, pages):
    review = make_review(owner=alice, reviewer=bruno, live=False, title="Mine")
    client.force_login(alice)
    url = reverse("wagtailadmin_pages:edit", args=(review.pk,))
    assert b'name="reviewer"' not in client.get(url).content
    data = _review_form(review.book, "Mine", reviewer=bruno.pk)
    assert client.post(url, data).status_code == 302
    review.refresh_from_db()
    assert review.get_latest_revision_as_object().reviewer == alice


def test_attributed_review_is_not_in_the_other_members_export(
    client, alice, bruno, pages
):
    client.force_login(alice)
    url = reverse(
        "wagtailadmin_pages:add", args=("reviews", "reviewpage", pages.index.pk)
    )
    book = BookFactory(title="A book Bruno never read")
    data = _review_form(book, "Planted review", reviewer=bruno.pk)
    assert client.post(url, data).status_code == 302
    client.force_login(bruno)
    export = client.get(reverse("reviews:reading_export_csv")).content
    assert book.title.encode() not in export


def test_editor_chooses_among_members(client, editor, alice, bruno, pages):
    outsider = type(alice).objects.create_user("outsider", password="x")  # noqa: S106
    review = make_review(owner=alice, live=False, title="Alice's review")
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:edit", args=(review.pk,))
    body = client.get(url).content
    assert b'name="reviewer"' in body
    assert f'<option value="{bruno.pk}"'.encode() in body
    assert f'<option value="{outsider.pk}"'.encode() not in body
    data = _review_form(review.book, "Alice's review", reviewer=bruno.pk)
    assert client.post(url, data).status_code == 302
    review.refresh_from_db()
    assert review.get_latest_revision_as_object().reviewer == bruno
    data = _review_form(review.book, "Alice's review", reviewer=outsider.pk)
    response = client.post(url, data)
    assert response.status_code == 200, "a non-member is a field error"
    review.refresh_from_db()
    assert review.get_latest_revision_as_object().reviewer == bruno


def test_api_create_names_its_member_the_reviewer(alice, bruno, pages):
    """The club's endpoint takes no ``reviewer``: naming one is a 400 naming
    the field (it was dropped without a word), and the member's own review
    is theirs."""
    api = token_client(alice)
    review = {
        "title": "Via the API",
        "book": BookFactory().pk,
        "summary": "Short.",
        "body": [{"type": "paragraph", "value": "<p>Fine.</p>"}],
    }
    refused = api.post(
        "/api/v3/reviews/",
        {**review, "reviewer": bruno.pk},
        content_type="application/json",
    )
    assert refused.status_code == 400, refused.content
    assert refused.json()["errors"][0]["loc"][-1] == "reviewer"
    assert not ReviewPage.objects.filter(title="Via the API").exists()

    response = api.post("/api/v3/reviews/", review, content_type="application/json")
    assert response.status_code == 201, response.content
    assert ReviewPage.objects.get(pk=response.json()["id"]).reviewer == alice


def test_api_patch_makes_the_member_the_reviewer(alice, bruno, pages):
    review = make_review(owner=alice, reviewer=bruno, live=False, title="Mine")
    api = token_client(alice)
    refused = api.patch(
        f"/api/v3/reviews/{review.pk}/",
        {"summary": "Changed.", "reviewer": bruno.pk},
        content_type="application/json",
    )
    assert refused.status_code == 400, refused.content
    response = api.patch(
        f"/api/v3/reviews/{review.pk}/",
        {"summary": "Changed."},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert b"Bruno" not in response.content
    review.refresh_from_db()
    assert review.get_latest_revision_as_object().reviewer == alice
