"""Reading stats pages: a member's year in books, and the club's numbers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ..charts import bar_chart, column_chart
from ..members import MemberRequest
from ..stats import club_numbers, year_in_books, years_with_reading

EARLIEST_YEAR = 1900


def _stars(rating: float) -> str:
    return f"{rating:g} ★"


def _year(request: HttpRequest) -> int:
    """``?year=``, else this year; anything unusable is this year too."""
    this_year = timezone.localdate().year
    value = request.GET.get("year", "")
    if value.isascii() and value.isdigit() and len(value) == 4:
        year = int(value)
        if EARLIEST_YEAR <= year <= this_year + 1:
            return year
    return this_year


@require_safe
@login_required
def my_stats(request: MemberRequest) -> HttpResponse:
    year = _year(request)
    stats = year_in_books(request.user, year)
    charts = [
        column_chart(
            _("Books finished each month of %(year)s") % {"year": year},
            [(month, count) for month, count in stats.finished_per_month],
            label_heading=_("Month"),
            value_label=_("Books finished"),
            slug="finished",
        ),
        column_chart(
            _("Ratings you gave in %(year)s") % {"year": year},
            [(_stars(rating), count) for rating, count in stats.ratings],
            label_heading=_("Rating"),
            value_label=_("Reviews"),
            slug="my-ratings",
        ),
    ]
    years = sorted(set(years_with_reading(request.user)) | {year}, reverse=True)
    response = render(
        request,
        "reviews/my_stats.html",
        {"stats": stats, "charts": charts, "years": years},
    )
    response["Cache-Control"] = "private, no-cache"
    return response


@require_safe
def club_stats(request: HttpRequest) -> HttpResponse:
    numbers = club_numbers()
    charts = [
        bar_chart(
            _("Most-read books: members who published a review"),
            [(title, count) for title, count in numbers.most_read],
            label_heading=_("Book"),
            value_label=_("Members"),
            slug="most-read",
        ),
        column_chart(
            _("Ratings in the club's reviews"),
            [(_stars(rating), count) for rating, count in numbers.ratings],
            label_heading=_("Rating"),
            value_label=_("Reviews"),
            slug="club-ratings",
        ),
    ]
    book_charts = [
        column_chart(
            _("Ratings of %(title)s") % {"title": title},
            [(_stars(rating), count) for rating, count in ratings],
            label_heading=_("Rating"),
            value_label=_("Reviews"),
            slug=f"book-{index}",
            height=160,
        )
        for index, (title, ratings) in enumerate(numbers.book_ratings, start=1)
    ]
    return render(
        request,
        "reviews/club_stats.html",
        {"numbers": numbers, "charts": charts, "book_charts": book_charts},
    )
