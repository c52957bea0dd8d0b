"""Rich text that is not the editor's contentstate, posted by hand to the
admin or sent to an API, is a field error or a 400, never a 500; what was
saved stays as it was."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from reviews.models import DiscussionPage, ReviewPage, SeriesIndexPage
from tests.factories import (
    make_discussion,
    make_review,
    paragraph,
    review_index,
    series_index,
    token_client,
)

pytestmark = pytest.mark.django_db

#: Not contentstate: not JSON, JSON of another shape, or a contentstate whose
#: parts are of the wrong types.
NOT_CONTENTSTATE = [
    "not json",
    "1",
    "[]",
    '"text"',
    '{"blocks": 5}',
    '{"blocks": [5]}',
    '{"blocks": [{"text": 5, "type": "unstyled"}]}',
    json.dumps(
        {
            "blocks": [
                {
                    "key": "a",
                    "text": "hi",
                    "type": "unstyled",
                    "depth": 0,
                    "inlineStyleRanges": [],
                    "entityRanges": [{"offset": 0, "length": 2, "key": 7}],
                }
            ],
            "entityMap": {},
        }
    ),
    "[" * 100_000,
]
SAVED = "Saved words that must survive"


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("root", password="x")  # noqa: S106


def _edit(client, user: User, page, data: dict):
    client.force_login(user)
    return client.post(reverse("wagtailadmin_pages:edit", args=(page.pk,)), data)


def _assert_field_error(response, field: str) -> None:
    assert response.status_code == 200, response.status_code
    assert field in response.context["form"].errors, response.context["form"].errors
    assert b"This rich text could not be read" in response.content


@pytest.mark.parametrize("value", NOT_CONTENTSTATE)
def test_a_rich_text_field_that_is_not_contentstate_is_a_field_error(
    client, superuser, value
):
    index = series_index()
    index.intro = f"<p>{SAVED}</p>"
    index.save_revision().publish()
    response = _edit(
        client,
        superuser,
        index,
        {"title": index.title, "slug": index.slug, "intro": value},
    )
    _assert_field_error(response, "intro")
    index = SeriesIndexPage.objects.get(pk=index.pk)
    assert SAVED in index.intro
    assert SAVED in index.get_latest_revision_as_object().intro


def test_a_discussion_intro_that_is_not_contentstate_is_a_field_error(
    client, superuser
):
    discussion = make_discussion(intro=f"<p>{SAVED}</p>")
    data = {
        "title": discussion.title,
        "slug": discussion.slug,
        "book": discussion.book_id,
        "starts_at": timezone.localtime(discussion.starts_at).strftime(
            "%Y-%m-%d %H:%M"
        ),
        "duration_minutes": 120,
        "location": discussion.location,
        "online_url": "",
        "host": "",
        "intro": '{"blocks": 5}',
        "questions-count": 0,
    }
    response = _edit(client, superuser, discussion, data)
    _assert_field_error(response, "intro")
    assert SAVED in DiscussionPage.objects.get(pk=discussion.pk).intro


def _review_form(review: ReviewPage, text_value: str) -> dict:
    return nested_form_data(
        {
            "title": review.title,
            "slug": review.slug,
            "book": review.book_id,
            "summary": review.summary,
            "body": streamfield(
                [
                    ("paragraph", rich_text("<p>Kept paragraph.</p>")),
                    ("paragraph", text_value),
                ]
            ),
            "tags": "",
        }
    )


@pytest.mark.parametrize("value", NOT_CONTENTSTATE)
def test_a_paragraph_block_that_is_not_contentstate_is_an_error(
    client, superuser, value
):
    review = make_review(body=[paragraph(SAVED)])
    response = _edit(client, superuser, review, _review_form(review, value))
    _assert_field_error(response, "body")
    review = ReviewPage.objects.get(pk=review.pk)
    assert SAVED in str(review.body.raw_data)
    assert SAVED in str(review.get_latest_revision_as_object().body.raw_data)


def test_a_new_review_with_a_bad_paragraph_is_not_created(client, superuser):
    client.force_login(superuser)
    review = make_review(body=[paragraph(SAVED)])
    data = _review_form(review, "[]")
    data.update(title="A new one", slug="a-new-one")
    url = reverse(
        "wagtailadmin_pages:add", args=("reviews", "reviewpage", review_index().pk)
    )
    response = client.post(url, data)
    _assert_field_error(response, "body")
    assert not ReviewPage.objects.filter(slug="a-new-one").exists()


def test_good_contentstate_still_saves(client, superuser):
    index = series_index()
    response = _edit(
        client,
        superuser,
        index,
        {"title": index.title, "slug": index.slug, "intro": rich_text("<p>Fresh</p>")},
    )
    assert response.status_code == 302
    index = SeriesIndexPage.objects.get(pk=index.pk)
    assert "Fresh" in index.get_latest_revision_as_object().intro


@pytest.mark.parametrize(
    "value",
    [
        5,
        [],
        {"blocks": 5},
        {"format": "contentstate", "content": '{"blocks": 5}'},
        {"format": "db_markdown", "content": 5},
        {"format": "db_html", "content": ["<p>x</p>"]},
        {"format": "db_html"},
    ],
)
def test_a_bad_rich_text_value_in_a_review_write_is_a_400(superuser, value):
    api = token_client(superuser)
    book = make_review().book
    response = api.post(
        "/api/v3/reviews/",
        {
            "title": "Bad text",
            "book": book.pk,
            "summary": "s",
            "body": [{"type": "paragraph", "value": value}],
        },
        content_type="application/json",
    )
    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert not ReviewPage.objects.filter(title="Bad text").exists()


@pytest.mark.parametrize(
    "value",
    [
        5,
        [],
        {"blocks": 5},
        {"format": "contentstate", "content": '{"blocks": 5}'},
        {"format": "db_markdown", "content": 5},
        {"content": ["<p>x</p>"]},
    ],
)
def test_a_bad_rich_text_value_in_a_generic_page_write_is_a_400(superuser, value):
    index = series_index()
    index.intro = f"<p>{SAVED}</p>"
    index.save_revision().publish()
    api = token_client(superuser)
    response = api.patch(
        f"/api/v3/pages/{index.pk}/",
        {"meta": {"type": "reviews.SeriesIndexPage"}, "intro": value},
        content_type="application/json",
    )
    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert SAVED in SeriesIndexPage.objects.get(pk=index.pk).intro
