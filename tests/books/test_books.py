import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reviews.models import Book
from tests.factories import BookFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_isbn10_is_stored_as_isbn13():
    book = Book(title="Middlemarch", author="George Eliot", isbn13="0-14-143954-8")
    book.full_clean()
    assert book.isbn13 == "9780141439549"


def test_isbn_with_a_wrong_check_digit_is_a_field_error():
    book = Book(title="Middlemarch", author="George Eliot", isbn13="9780141439548")
    with pytest.raises(ValidationError) as error:
        book.full_clean()
    assert "isbn13" in error.value.message_dict


def test_isbn_is_unique_when_set_but_many_books_may_have_none():
    BookFactory(isbn13="9780141439549")
    duplicate = Book(title="Other", author="Someone", isbn13="978-0-14-143954-9")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "isbn13" in error.value.message_dict
    first = BookFactory(isbn13="")
    second = BookFactory(isbn13="")
    assert first.isbn13 is None and second.isbn13 is None


def test_chapter_past_the_last_one_is_refused(book):
    book.check_chapter(30)
    with pytest.raises(ValidationError):
        book.check_chapter(31)


def test_editor_sees_a_field_error_for_a_bad_isbn_in_the_admin(client):
    admin = UserFactory(username="boss", is_superuser=True, is_staff=True)
    client.force_login(admin)
    url = reverse("wagtailsnippets_reviews_book:add")
    response = client.post(
        url, {"title": "The Siege", "author": "Helen Dunmore", "isbn13": "12345"}
    )
    assert response.status_code == 200
    assert "isbn13" in response.context["form"].errors
    assert not Book.objects.exists()

    response = client.post(
        url,
        {"title": "The Siege", "author": "Helen Dunmore", "isbn13": "0141439548"},
    )
    assert response.status_code == 302
    assert Book.objects.get().isbn13 == "9780141439549"


def test_book_chooser_finds_books_by_title(client):
    admin = UserFactory(username="boss", is_superuser=True, is_staff=True)
    client.force_login(admin)
    BookFactory(title="The Betrayal")
    BookFactory(title="Middlemarch", author="George Eliot")
    response = client.get(
        reverse("wagtailsnippetchoosers_reviews_book:choose_results"),
        {"q": "Betrayal"},
    )
    assert response.status_code == 200
    assert b"The Betrayal" in response.content
    assert b"Middlemarch" not in response.content
