"""The books API links every book to its page on the site."""

import pytest

from tests.factories import BookFactory, make_review

pytestmark = pytest.mark.django_db


def test_v3_books_link_to_their_pages(client):
    BookFactory(title="The Siege")
    items = client.get("/api/v3/books/").json()["items"]
    assert items[0]["html_url"] == "http://localhost/books/the-siege/"
    detail = client.get(f"/api/v3/books/{items[0]['id']}/").json()
    assert detail["html_url"] == "http://localhost/books/the-siege/"


def test_a_reviews_book_links_to_its_page_in_v2_and_v3(client):
    review = make_review(book=BookFactory(title="The Betrayal"))
    v3 = client.get(f"/api/v3/reviews/{review.pk}/").json()
    assert v3["book"]["html_url"] == "http://localhost/books/the-betrayal/"
    v2 = client.get(f"/api/v2/pages/{review.pk}/").json()
    assert v2["book"]["html_url"] == "http://localhost/books/the-betrayal/"


def test_the_link_does_not_follow_the_host_header(client):
    BookFactory(title="The Siege")
    items = client.get("/api/v3/books/", HTTP_HOST="127.0.0.1:9999").json()["items"]
    assert items[0]["html_url"] == "http://localhost/books/the-siege/"
