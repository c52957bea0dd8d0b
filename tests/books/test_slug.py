"""Every book has a unique slug, the address of its page."""

import importlib

import pytest
from django.apps import apps as global_apps

from reviews.models import Book
from tests.factories import BookFactory

pytestmark = pytest.mark.django_db


def test_a_new_book_gets_a_slug_from_its_title():
    book = BookFactory(title="The Siege")
    assert book.slug == "the-siege"


def test_books_with_the_same_title_get_different_slugs():
    first = BookFactory(title="Persuasion", author="Jane Austen")
    second = BookFactory(title="Persuasion", author="Someone Else")
    third = BookFactory(title="Persuasion!", author="A Third")
    assert first.slug == "persuasion"
    assert second.slug == "persuasion-2"
    assert third.slug == "persuasion-3"


def test_a_title_with_no_latin_letters_still_gets_a_slug():
    book = BookFactory(title="Блокада")
    assert book.slug
    assert book.slug.isascii()


def test_renaming_a_book_keeps_its_address():
    book = BookFactory(title="The Siege")
    book.title = "The Siege (new edition)"
    book.save()
    book.refresh_from_db()
    assert book.slug == "the-siege"


def test_an_editor_may_choose_the_slug():
    book = BookFactory(title="North and South", slug="north-and-south-gaskell")
    assert book.slug == "north-and-south-gaskell"


def test_the_migration_backfills_books_saved_without_a_slug():
    """Rows written before slugs existed (or in bulk) get one each, unique,
    from the title."""
    backfill = importlib.import_module("reviews.migrations.0009_book_slug")
    BookFactory(title="Middlemarch", author="George Eliot")
    Book.objects.bulk_create([Book(title="Middlemarch", author="Another Eliot")])
    assert Book.objects.filter(slug="").count() == 1
    backfill.fill_slugs(global_apps, None)
    assert sorted(Book.objects.values_list("slug", flat=True)) == [
        "middlemarch",
        "middlemarch-2",
    ]


def test_a_slug_taken_between_its_choice_and_the_insert_is_chosen_again(monkeypatch):
    """Two editors (or an import and an editor) adding a book with one title
    at once: each read the slugs in use, then both inserted "persuasion",
    and the second save was a 500 on PostgreSQL. Here the other insert
    lands right after the slug is chosen, as it did then."""
    from reviews.models import books

    chosen = books.unique_book_slug

    def chosen_then_taken(manager, title, pk=None):
        slug = chosen(manager, title, pk)
        if not Book.objects.filter(title="Persuasion (the other one)").exists():
            Book.objects.bulk_create(
                [Book(title="Persuasion (the other one)", author="X", slug=slug)]
            )
        return slug

    monkeypatch.setattr(books, "unique_book_slug", chosen_then_taken)
    book = Book(title="Persuasion", author="Jane Austen")
    book.save()

    assert book.slug == "persuasion-2"
    assert Book.objects.get(title="Persuasion (the other one)").slug == "persuasion"


def test_a_taken_isbn_is_still_refused_not_retried():
    from django.db import IntegrityError

    BookFactory(title="First", isbn13="9780141439518")
    with pytest.raises(IntegrityError):
        Book(title="Second", author="Y", isbn13="9780141439518").save()
    assert not Book.objects.filter(title="Second").exists()
