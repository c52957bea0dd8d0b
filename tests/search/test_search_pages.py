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
