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


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": "The Siege", "author": ""}, "author", "This field is required."),
        (
            {"title": "x" * 300, "author": "Helen Dunmore"},
            "title",
            "Ensure this value has at most 255 characters (it has 300).",
        ),
        ({"title": "The Siege", "author": "   "}, "author", "This field is required."),
    ],
)
def test_the_admin_gives_one_message_for_a_bad_title_or_author(
    client, data, field, message
):
    """A required field left empty said "This field is required. A book
    needs a author.", and a title too long got "A book needs a title." after
    its length: the model's check of blank names ran on what the form had
    already refused."""
    admin = UserFactory(username="boss", is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.post(reverse("wagtailsnippets_reviews_book:add"), data)

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not Book.objects.exists()


def test_a_blank_title_is_refused_outside_the_admin_too():
    with pytest.raises(ValidationError) as error:
        Book(title=" ", author="  ").full_clean()
    assert error.value.message_dict["title"] == ["A book needs a title."]
    assert error.value.message_dict["author"] == ["A book needs an author."]
