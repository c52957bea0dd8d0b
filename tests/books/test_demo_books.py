"""The demo's books carry real ISBN-13s and, where known, chapter counts, so
progress past the last chapter is refused."""

import os

import pytest
from django.core.management import call_command
from django.urls import reverse

from reviews.isbn import is_valid_isbn13
from reviews.models import Book, ReadingProgress

pytestmark = pytest.mark.django_db


def test_every_demo_book_has_a_valid_distinct_isbn13_and_a_page(demo, client):
    books = list(Book.objects.all())
    isbns = [book.isbn13 for book in books]
    assert all(isbn and is_valid_isbn13(isbn) for isbn in isbns), isbns
    assert len(set(isbns)) == len(isbns)
    for book in books:
        assert client.get(book.get_absolute_url()).status_code == 200


def test_demo_books_count_their_chapters(demo):
    counts = dict(Book.objects.values_list("title", "chapter_count"))
    assert counts["The Siege"] == 30
    assert counts["Middlemarch"] == 86
    assert counts["Persuasion"] == 24
    assert counts["North and South"] == 52
    assert counts["The Moonstone"] == 56
    # No source gives these, so the demo claims no count for them.
    assert counts["The Betrayal"] is None
    assert counts["Life and Fate"] is None


def test_chapter_999_is_a_field_error(demo, client):
    from django.contrib.auth import get_user_model

    alice = get_user_model().objects.get(username="alice")
    siege = Book.objects.get(title="The Siege")
    client.force_login(alice)
    response = client.post(
        reverse("reviews:update_progress", args=[siege.pk]), {"chapter": "999"}
    )
    assert response.status_code == 200
    assert "chapter" in response.context["form"].errors
    assert "only 30 chapters" in response.content.decode()
    assert ReadingProgress.objects.get(member=alice, book=siege).finished


def test_an_older_demo_database_gets_the_missing_counts_and_isbns(demo):
    Book.objects.filter(title="The Siege").update(chapter_count=None, isbn13=None)
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", stdout=devnull)
    siege = Book.objects.get(title="The Siege")
    assert (siege.chapter_count, siege.isbn13) == (30, "9780802139580")
