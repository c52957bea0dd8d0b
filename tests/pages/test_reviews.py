"""Reviews: writing them in the admin, and what readers get on the page."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from reviews.models import ReviewPage
from tests.factories import (
    BookFactory,
    UserFactory,
    make_review,
    make_series,
    paragraph,
    review_index,
    spoiler,
)

pytestmark = pytest.mark.django_db


def test_admin_creates_a_review_with_a_spoiler_of_an_earlier_book(client):
    editor = UserFactory(username="boss", is_superuser=True, is_staff=True)
    client.force_login(editor)
    siege = BookFactory(title="The Siege", chapter_count=30)
    betrayal = BookFactory(title="The Betrayal")
    index = review_index()
    url = reverse("wagtailadmin_pages:add", args=("reviews", "reviewpage", index.pk))
    data = nested_form_data(
        {
            "title": "After the siege",
            "slug": "after-the-siege",
            "book": betrayal.pk,
            "rating": "4.5",
            "summary": "Quieter, and more frightening.",
            "body": streamfield(
                [
                    ("paragraph", rich_text("<p>An opinion.</p>")),
                    (
                        "spoiler",
                        {
                            "spoils": siege.pk,
                            "chapter": "",
                            "label": "How the first book ends",
                            "content": streamfield(
                                [("paragraph", rich_text("<p>They live.</p>"))]
                            ),
                        },
                    ),
                ]
            ),
            "tags": "dunmore, leningrad",
            "reviewer": "",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    page = ReviewPage.objects.get(slug="after-the-siege")
    assert page.reviewer == editor, "the reviewer defaults to the page owner"
    assert page.rating == 4.5
    [spoiler_block] = page.spoiler_blocks()
    assert spoiler_block.value["spoils"] == siege
    assert page.spoils == [{"id": siege.pk, "title": "The Siege", "chapter": None}]
    assert not page.live, "saving is a draft; publishing is a separate action"


def test_admin_refuses_a_spoiler_chapter_past_the_end_of_the_book(client):
    editor = UserFactory(username="boss", is_superuser=True, is_staff=True)
    client.force_login(editor)
    siege = BookFactory(title="The Siege", chapter_count=30)
    index = review_index()
    url = reverse("wagtailadmin_pages:add", args=("reviews", "reviewpage", index.pk))
    data = nested_form_data(
        {
            "title": "Too far",
            "slug": "too-far",
            "book": siege.pk,
            "summary": "Summary.",
            "body": streamfield(
                [
                    (
                        "spoiler",
                        {
                            "spoils": "",
                            "chapter": "31",
                            "label": "Chapter 31",
                            "content": streamfield(
                                [("paragraph", rich_text("<p>x</p>"))]
                            ),
                        },
                    )
                ]
            ),
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert not ReviewPage.objects.filter(slug="too-far").exists()
    assert b"only 30 chapters" in response.content
    # Beside the spoiler's chapter, not above the whole body.
    (error,) = response.context["form"].errors["body"].as_data()
    assert error.as_json_data() == {
        "blockErrors": {
            0: {
                "blockErrors": {
                    "chapter": {"messages": ["The Siege has only 30 chapters."]}
                }
            }
        }
    }


def test_a_blank_spoiled_book_means_the_reviewed_book(book):
    page = make_review(book=book, body=[spoiler(None, 3, "Early twist", "Twist.")])
    assert page.spoiler_blocks()[0].value["spoils"] == book


def test_rating_must_be_in_half_stars(book):
    from django.core.exceptions import ValidationError

    page = ReviewPage(title="x", slug="x", book=book, summary="s", rating=4.3)
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "rating" in error.value.message_dict


def test_review_page_sends_a_spoiler_as_its_label_and_book_only(client, book):
    sequel = BookFactory(title="The Betrayal")
    page = make_review(
        book=sequel,
        body=[
            paragraph("Opening opinion."),
            spoiler(book, None, "How the first book ends", "SECRETENDING"),
        ],
    )
    response = client.get(page.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "SECRETENDING" not in html
    assert '<div class="spoiler spoiler--hidden"' in html
    assert "<details" not in html
    assert "How the first book ends" in html
    assert "<cite>The Siege</cite>" in html
    assert "Spoiler alert" in html


def test_review_page_shows_book_series_and_reviewer_display_name(client, book):
    member = UserFactory(username="secretlogin", first_name="Alice", last_name="Marsh")
    make_series("Leningrad", [(book, 1)])
    page = make_review(book=book, owner=member, rating=4.5)
    html = client.get(page.url).content.decode()
    assert "Alice Marsh" in html
    assert "secretlogin" not in html
    assert "Book 1 of" in html and "Leningrad" in html
    assert "★★★★½" in html


def test_review_index_lists_published_reviews_with_pagination(client, book):
    for n in range(14):
        make_review(book=book, title=f"Review number {n}")
    make_review(book=book, title="Unpublished draft", live=False)
    response = client.get(review_index().url)
    assert response.status_code == 200
    assert len(response.context["reviews"]) == 12
    assert "Unpublished draft" not in response.content.decode()
    second = client.get(review_index().url + "?page=2")
    assert len(second.context["reviews"]) == 2


def test_review_index_filters_by_tag(client, book):
    tagged = make_review(book=book, title="Tagged review")
    tagged.tags.add("russia")
    tagged.save_revision().publish()
    make_review(book=book, title="Other review")
    html = client.get(review_index().url + "?tag=russia").content.decode()
    assert "Tagged review" in html
    assert "Other review" not in html


def test_review_index_filters_by_book_series_and_rating(client, book):
    from tests.factories import BookFactory, make_series

    other = BookFactory(title="Other book")
    make_series("Leningrad", [(book, 1)])
    make_review(book=book, title="Siege high", rating=5)
    make_review(book=book, title="Siege low", rating=2)
    make_review(book=other, title="Other high", rating=4.5)
    url = review_index().url

    def titles(params):
        response = client.get(url, params)
        assert response.status_code == 200
        return {r.title for r in response.context["reviews"]}

    assert titles({"book": book.pk}) == {"Siege high", "Siege low"}
    series = book.series_entries.get().series
    assert titles({"series": series.pk}) == {"Siege high", "Siege low"}
    assert titles({"rating": "4"}) == {"Siege high", "Other high"}
    assert titles({"book": book.pk, "rating": "4"}) == {"Siege high"}


def test_review_index_shows_a_field_error_for_a_bad_filter(client, book):
    make_review(book=book, title="Still listed")
    response = client.get(review_index().url, {"book": "not-a-number", "rating": "9"})
    assert response.status_code == 200
    assert response.context["filters"].errors.keys() == {"book", "rating"}
    assert "Still listed" in response.content.decode()


def test_pagination_keeps_the_filters(client, book):
    for n in range(13):
        make_review(book=book, title=f"R{n}", rating=5)
    html = client.get(review_index().url, {"rating": "5"}).content.decode()
    assert "?rating=5&amp;page=2" in html


def test_spoiler_banner_names_each_unread_book_and_its_place_in_the_series(
    client, book
):
    sequel = BookFactory(title="The Betrayal")
    make_series("Leningrad", [(book, 1), (sequel, 2)])
    page = make_review(
        book=sequel,
        body=[
            spoiler(book, None, "The first book's ending", "x"),
            spoiler(sequel, 4, "An early turn", "y"),
        ],
    )
    html = client.get(page.url).content.decode()
    banner = html.split('class="spoiler-alert"')[1].split("</aside>")[0]
    assert "<cite>The Siege</cite> (book 1 of Leningrad), the ending included" in banner
    assert "<cite>The Betrayal</cite> (book 2 of Leningrad) up to chapter 4" in banner
