"""Reading stats: a member's year in books, and the club's numbers.

A member's year is theirs alone (their progress and their ratings). The
club's numbers come from public data only — live reviews no view
restriction covers — never from members' private progress: "most read"
counts the members who published a review of a book.
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractMonth

from .models import ReadingProgress, ReviewPage
from .models.reviews import listed_reviews

#: Ratings are 1 to 5 in half stars.
RATING_STEPS = [n / 2 for n in range(2, 11)]
MOST_READ_COUNT = 10
#: How many of the most-read books get a rating chart of their own.
BOOK_CHARTS = 5


@dataclass(frozen=True)
class YearInBooks:
    year: int
    #: (month name, books finished), January first.
    finished_per_month: list[tuple[str, int]]
    finished: list[ReadingProgress]
    #: (rating, how many reviews gave it).
    ratings: list[tuple[float, int]]

    @property
    def finished_count(self) -> int:
        return sum(count for _month, count in self.finished_per_month)

    @property
    def ratings_count(self) -> int:
        return sum(count for _rating, count in self.ratings)


def _distribution(ratings: QuerySet) -> list[tuple[float, int]]:
    counts = Counter(ratings.exclude(rating=None).values_list("rating", flat=True))
    return [(step, counts.get(step, 0)) for step in RATING_STEPS]


def year_in_books(member, year: int) -> YearInBooks:
    """Books ``member`` finished in ``year`` (by the date they gave), and
    the ratings in the reviews they published that year."""
    finished = ReadingProgress.objects.filter(
        member=member, finished=True, finished_at__year=year
    ).select_related("book")
    per_month = dict(
        finished.annotate(month=ExtractMonth("finished_at"))
        .values("month")
        .annotate(count=Count("pk"))
        .values_list("month", "count")
    )
    reviews = ReviewPage.objects.live().filter(
        reviewer=member, first_published_at__year=year
    )
    return YearInBooks(
        year=year,
        finished_per_month=[
            (calendar.month_abbr[month], per_month.get(month, 0))
            for month in range(1, 13)
        ],
        finished=list(finished.order_by("finished_at", "book__title")),
        ratings=_distribution(reviews),
    )


def years_with_reading(member) -> list[int]:
    """The years a member finished a book in, newest first."""
    dates = ReadingProgress.objects.filter(
        member=member, finished=True, finished_at__isnull=False
    ).dates("finished_at", "year", order="DESC")
    return [date.year for date in dates]


@dataclass(frozen=True)
class ClubNumbers:
    #: (book title, members who published a review of it), most first.
    most_read: list[tuple[str, int]]
    ratings: list[tuple[float, int]]
    review_count: int
    #: (book title, its ratings) for the first few most-read books.
    book_ratings: list[tuple[str, list[tuple[float, int]]]]


def club_numbers() -> ClubNumbers:
    reviews = listed_reviews()
    most_read = (
        reviews.values("book__title", "book_id")
        .annotate(readers=Count("reviewer", distinct=True))
        .filter(readers__gt=0)
        .order_by("-readers", "book__title")[:MOST_READ_COUNT]
    )
    rows = list(most_read)
    return ClubNumbers(
        most_read=[(row["book__title"], row["readers"]) for row in rows],
        ratings=_distribution(reviews),
        review_count=reviews.count(),
        book_ratings=[
            (row["book__title"], _distribution(reviews.filter(book_id=row["book_id"])))
            for row in rows[:BOOK_CHARTS]
        ],
    )
