"""A review's body is bounded in elements, in the admin and through the API.

Reading a rich text in Markdown (``rich_text_format=markdown`` or
``db_markdown``, both APIs) takes time growing with the square of one
text's list items and marks: 8,000 list items in one paragraph took 4 s a
request, and a member could store far more. A text of
at most ``MAX_TEXT_ELEMENTS`` and a body of at most ``MAX_BODY_ELEMENTS``
keep every reading of a review short, far above what any review holds.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.text import slugify
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from reviews.blocks import MAX_BODY_ELEMENTS, MAX_TEXT_ELEMENTS
from reviews.models import ReviewPage
from tests.factories import BookFactory, token_client

pytestmark = pytest.mark.django_db


#: Texts at the limit of one, one more than a body holds.
OVER_THE_BODY = MAX_BODY_ELEMENTS // MAX_TEXT_ELEMENTS + 1


def _list_of(count: int) -> str:
    """A paragraph of ``count`` elements: a list and its items."""
    return "<ul>" + "".join(f"<li>item {i}</li>" for i in range(count - 1)) + "</ul>"


def _admin_form(book, title: str, texts: list[str]) -> dict:
    return nested_form_data(
        {
            "title": title,
            "slug": slugify(title),
            "book": book.pk,
            "summary": "Short and sweet.",
            "body": streamfield([("paragraph", rich_text(text)) for text in texts]),
            "tags": "",
        }
    )


def _api_review(book, texts: list[str]) -> dict:
    return {
        "title": "Long list",
        "book": book.pk,
        "rating": 4,
        "summary": "A list.",
        "body": [{"type": "paragraph", "value": text} for text in texts],
    }


def _admin_add(client, alice, pages, texts: list[str], title: str):
    client.force_login(alice)
    url = reverse(
        "wagtailadmin_pages:add", args=("reviews", "reviewpage", pages.index.pk)
    )
    return client.post(url, _admin_form(BookFactory(), title, texts))


def test_the_admin_takes_a_text_at_the_limit(client, alice, pages):
    response = _admin_add(client, alice, pages, [_list_of(MAX_TEXT_ELEMENTS)], "At")
    assert response.status_code == 302
    assert ReviewPage.objects.filter(slug="at").exists()


def test_the_admin_says_a_text_is_too_long_and_keeps_the_form(client, alice, pages):
    texts = ["<p>Kept words.</p>", _list_of(MAX_TEXT_ELEMENTS + 1)]
    response = _admin_add(client, alice, pages, texts, "Over")

    assert response.status_code == 200
    assert not ReviewPage.objects.filter(slug="over").exists()
    assert f"at most {MAX_TEXT_ELEMENTS:,}".encode() in response.content
    # What the member wrote is still in the form to shorten.
    assert b"Kept words." in response.content


def test_the_admin_says_a_body_is_too_long(client, alice, pages):
    texts = [_list_of(MAX_TEXT_ELEMENTS)] * OVER_THE_BODY
    response = _admin_add(client, alice, pages, texts, "All")

    assert response.status_code == 200
    assert not ReviewPage.objects.filter(slug="all").exists()
    assert f"at most {MAX_BODY_ELEMENTS:,}".encode() in response.content


@pytest.mark.parametrize(
    ("texts", "limit", "loc"),
    [
        (
            ["<p>Fine.</p>", _list_of(MAX_TEXT_ELEMENTS + 1)],
            MAX_TEXT_ELEMENTS,
            ["body", "body", 1, "value"],
        ),
        (
            [_list_of(MAX_TEXT_ELEMENTS)] * OVER_THE_BODY,
            MAX_BODY_ELEMENTS,
            ["body", "body"],
        ),
    ],
)
def test_the_api_refuses_a_body_past_the_limits(alice, pages, texts, limit, loc):
    """One error, at the block it is about, its message as written."""
    api = token_client(alice)
    book = BookFactory()
    response = api.post(
        "/api/v3/reviews/", _api_review(book, texts), content_type="application/json"
    )

    assert response.status_code == 400, response.content
    (error,) = response.json()["errors"]
    assert error["loc"] == loc
    assert error["msg"].startswith(f"A {'text' if loc[2:] else 'review'} may hold")
    assert f"at most {limit:,}" in error["msg"]
    assert not ReviewPage.objects.filter(book=book).exists()


def test_the_api_takes_a_body_at_the_limits(alice, pages):
    api = token_client(alice)
    texts = [_list_of(MAX_TEXT_ELEMENTS)] * (MAX_BODY_ELEMENTS // MAX_TEXT_ELEMENTS)
    texts[-1] = _list_of(MAX_TEXT_ELEMENTS - len(texts))
    response = api.post(
        "/api/v3/reviews/",
        _api_review(BookFactory(), texts),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content[:500]


def test_a_spoilers_text_counts_toward_the_body(alice, pages):
    """Spoiler content is rich text of the body like any paragraph."""
    api = token_client(alice)
    book = BookFactory(chapter_count=10)
    spoiler = {
        "type": "spoiler",
        "value": {
            "spoils": book.pk,
            "chapter": 3,
            "label": "Long",
            "content": [
                {"type": "paragraph", "value": _list_of(MAX_TEXT_ELEMENTS + 1)}
            ],
        },
    }
    data = _api_review(book, ["<p>Open.</p>"])
    data["body"].append(spoiler)
    response = api.post("/api/v3/reviews/", data, content_type="application/json")

    assert response.status_code == 400, response.content[:500]
    (error,) = response.json()["errors"]
    assert error["loc"] == ["body", "body", 1, "value", "content", 0, "value"]
    assert f"at most {MAX_TEXT_ELEMENTS:,}" in error["msg"]
