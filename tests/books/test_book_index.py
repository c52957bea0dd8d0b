"""``/books/``: every book the club reads, with what its public reviews say.

There was no list of books: ``/books/`` was a 404 (in debug, Django's page
of every URL pattern), and a book was reached only through a review or a
series. The list counts and averages the reviews a listing may name, as
the book's own page and the API's book list do, so a draft, a restricted
review or one below an unpublished section counts for nothing.
"""

from __future__ import annotations

import re

import pytest
from wagtail.models import PageViewRestriction

from tests.factories import BookFactory, make_review

pytestmark = pytest.mark.django_db

URL = "/books/"


def test_the_list_names_every_book_with_its_public_reviews(client):
    siege = BookFactory(title="The Siege", author="Helen Dunmore")
    BookFactory(title="Middlemarch", author="George Eliot")
    make_review(book=siege, rating=4)
    make_review(book=siege, rating=5)
    make_review(book=siege, rating=1, live=False)
    hidden = make_review(book=siege, rating=1)
    PageViewRestriction.objects.create(
        page=hidden, restriction_type=PageViewRestriction.LOGIN
    )

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Middlemarch") < html.index("The Siege")
    assert f'href="{siege.get_absolute_url()}"' in html
    siege_item = html[html.index("The Siege") :].split("</li>", 1)[0]
    assert "2 reviews" in siege_item
    assert "4.5" in siege_item
    assert "No reviews yet" in html[html.index("Middlemarch") :].split("</li>", 1)[0]


def test_the_list_comes_in_pages(client):
    for n in range(30):
        BookFactory(title=f"Book {n:02d}")
    first = client.get(URL).content.decode()
    second = client.get(URL, {"page": "2"}).content.decode()
    assert "Book 00" in first and "Book 29" not in first
    assert "Book 29" in second and "Book 00" not in second
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert client.get(URL, {"page": "x"}).status_code == 200
    assert client.get(URL, {"page": "999"}).status_code == 200


def test_every_page_links_to_the_list(client):
    html = client.get(URL).content.decode()
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S)
    assert nav is not None and f'href="{URL}"' in nav.group(1)


def test_an_empty_club_says_so(client):
    assert "No books yet" in client.get(URL).content.decode()


def _queries_for_the_list(client, covers: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_cover

    for n in range(covers):
        book = BookFactory(title=f"Covered {n:02d}", cover=make_cover(f"Cover {n}"))
        make_review(book=book, rating=4)
    client.get(URL)  # the renditions are made once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_more_books(client):
    few = _queries_for_the_list(client, 2)
    many = _queries_for_the_list(client, 10)
    assert many == few, f"{few} queries for 2 covered books, {many} for 12"
