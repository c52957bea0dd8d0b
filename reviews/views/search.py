"""The site search: titles and spoiler-free summaries of published reviews.

The search index holds only what is safe to show (a spoiler contributes its
label and the spoiled book's title, see ``SpoilerBlock.get_searchable_content``),
and results show the summary, never body text.
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ..cards import prepare_review_cards
from ..members import shown_member
from ..models.reviews import listed_reviews

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search reviews"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


def search_terms(query: str) -> str:
    """The words to search for: the SQLite full-text backend passes double
    quotes and control characters through to FTS5, which rejects them."""
    cleaned = "".join(
        " " if char == '"' or not char.isprintable() else char for char in query
    )
    return " ".join(cleaned.split())


def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    terms = search_terms(query)
    results = None
    if terms:
        matches = (
            shown_member(listed_reviews(), "reviewer")
            .select_related("book", "book__cover")
            .search(terms)
        )
        results = Paginator(matches, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        results.object_list = list(results.object_list)
        prepare_review_cards(results.object_list)
    return render(
        request,
        "reviews/search.html",
        {"form": form, "query": query, "results": results},
    )
