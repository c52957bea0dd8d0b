"""A book's own page: ``/books/<slug>/``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from ..book_pages import book_page
from ..charts import column_chart
from ..models import Book
from ..spoilers import reader_of


def book_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The book, its place in its series, its ratings, its reviews (by their
    summaries) and discussions, and the reader's progress in it."""
    book = get_object_or_404(Book.objects.select_related("cover"), slug=slug)
    page = book_page(book, reader_of(request))
    chart = None
    if page.ratings.count:
        chart = column_chart(
            _("Ratings of %(book)s") % {"book": book.title},
            [
                (_("%(n)s ★") % {"n": stars}, count)
                for stars, count in page.ratings.rows
            ],
            label_heading=_("Stars"),
            value_label=_("Reviews"),
            slug=f"ratings-{book.pk}",
            height=180,
        )
    return render(
        request,
        "reviews/book_page.html",
        {"book": book, "book_page": page, "ratings_chart": chart},
    )
