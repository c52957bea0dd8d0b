"""The books: their list, ``/books/``, and a book's own page, ``/books/<slug>/``."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from ..api.querysets import books_with_stats
from ..book_pages import book_page
from ..charts import column_chart
from ..members import member_id
from ..models import Book
from ..spoilers import reader_of

#: Books on one page of the list.
BOOKS_PER_PAGE = 24
#: The list's cover renditions (its template's ``srcset_image``), fetched
#: for the whole page at once.
LIST_COVER_RENDITIONS = ("fill-64x96", "fill-128x192")


def book_index(request: HttpRequest) -> HttpResponse:
    """Every book, by title, with the number and average rating of the
    reviews a listing may name (as the book's page and the API count them)."""
    listed = books_with_stats(cover_specs=LIST_COVER_RENDITIONS).order_by("title", "pk")
    books = Paginator(listed, BOOKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "reviews/book_index.html", {"books": books})


def book_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The book, its place in its series, its ratings, its reviews (by their
    summaries) and discussions, and the reader's progress in it."""
    book = get_object_or_404(Book.objects.select_related("cover"), slug=slug)
    page = book_page(book, reader_of(request), member_id(request))
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
