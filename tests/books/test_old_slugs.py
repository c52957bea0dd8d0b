"""A book's slug may change; links to its old address keep working.

The old address answers a permanent redirect to the new one. It is one of
Wagtail's redirects, answered by the middleware (reviews/redirects.py) that
keeps a redirect to a hidden page a 404 (tests/spoilers/test_redirects.py); a
book itself is never hidden.
"""

import pytest
from wagtail.contrib.redirects.models import Redirect

from reviews.models import Book
from tests.factories import BookFactory

pytestmark = pytest.mark.django_db


def _rename(book: Book, slug: str) -> None:
    book.slug = slug
    book.save()


def test_the_old_address_is_a_permanent_redirect_to_the_new_one(client):
    book = BookFactory(title="The Siege")
    assert client.get("/books/the-siege/").status_code == 200
    _rename(book, "the-siege-dunmore")
    response = client.get("/books/the-siege/")
    assert response.status_code == 301
    assert response.headers["Location"] == "/books/the-siege-dunmore/"
    assert client.get(response.headers["Location"]).status_code == 200


def test_every_earlier_address_leads_straight_to_the_current_one(client):
    book = BookFactory(title="The Siege")
    _rename(book, "siege-2001")
    _rename(book, "siege-dunmore")
    for old in ("the-siege", "siege-2001"):
        response = client.get(f"/books/{old}/")
        assert (response.status_code, response.headers["Location"]) == (
            301,
            "/books/siege-dunmore/",
        )


def test_taking_an_old_slug_back_leaves_no_loop(client):
    book = BookFactory(title="The Siege")
    _rename(book, "siege-dunmore")
    _rename(book, "the-siege")
    assert client.get("/books/the-siege/").status_code == 200
    response = client.get("/books/siege-dunmore/")
    assert (response.status_code, response.headers["Location"]) == (
        301,
        "/books/the-siege/",
    )


def test_a_book_given_a_former_slug_answers_at_it_itself(client):
    first = BookFactory(title="Persuasion", author="Jane Austen")
    _rename(first, "persuasion-austen")
    second = BookFactory(title="Persuasion", author="Someone Else")
    assert second.slug == "persuasion"
    response = client.get("/books/persuasion/")
    assert response.status_code == 200
    assert "Someone Else" in response.content.decode()


def test_a_deleted_book_leaves_no_redirect(client):
    book = BookFactory(title="The Siege")
    _rename(book, "siege-dunmore")
    book.delete()
    assert not Redirect.objects.exists()
    assert client.get("/books/the-siege/").status_code == 404


def test_saving_without_a_slug_change_adds_no_redirect():
    book = BookFactory(title="The Siege")
    book.title = "The Siege (new edition)"
    book.save()
    assert not Redirect.objects.exists()
