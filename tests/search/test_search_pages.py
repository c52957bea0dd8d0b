"""The search page comes in pages of results, each linking to the next
with the query kept."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from reviews.views.search import RESULTS_PER_PAGE
from tests.factories import BookFactory, make_review

pytestmark = pytest.mark.django_db


def test_the_results_link_from_page_to_page_keeping_the_query(client):
    book = BookFactory()
    for n in range(RESULTS_PER_PAGE + 2):
        make_review(book=book, title=f"Winter bread {n}")
    call_command("update_index", verbosity=0)

    first = client.get("/search/", {"q": "winter bread"}).content.decode()
    assert 'rel="next" href="?q=winter%20bread&amp;page=2"' in first
    second = client.get("/search/", {"q": "winter bread", "page": "2"})
    html = second.content.decode()
    assert 'rel="prev" href="?q=winter%20bread&amp;page=1"' in html
    assert "Page 2 of 2" in html


@pytest.mark.parametrize(
    "query", ["winter & bread", "winter - bread", "winter bread !"]
)
def test_a_word_of_punctuation_alone_does_not_empty_the_results(client, query):
    """``winter & bread`` found nothing on SQLite, where ``winter bread``
    found every review: the full-text query took ``&`` as a word no review
    holds. A word of punctuation alone is left out, in every search."""
    book = BookFactory()
    make_review(book=book, title="Winter & bread")
    call_command("update_index", verbosity=0)

    html = client.get("/search/", {"q": query}).content.decode()
    assert "1 review for" in html, query
    listed = client.get("/api/v3/reviews/", {"search": query}).json()
    assert listed["count"] == 1, query
