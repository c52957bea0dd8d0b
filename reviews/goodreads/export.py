"""A member's reading history, exported as a Goodreads library export (CSV)
and as JSON.

One entry per book the member has reviewed, recorded progress for, or
imported. For each, the club's own data wins and the import record fills in
what the club has no field for:

* the shelf comes from progress (finished: ``read``, started: ``currently-reading``,
  on the list: ``to-read``), else from the imported row, else ``read`` for a
  book the member reviewed;
* the rating and review come from the member's latest review of the book (its
  latest revision, draft or published), else the imported rating;
* spoiler blocks are written back as ``<spoiler>…</spoiler>``, with the
  spoiled book, chapter and label as attributes of the tag (Goodreads ignores
  them; the club's importer restores the block from them).

Each review row names the review it holds (its page's translation key and
the revision exported) in the Private Notes column, and the JSON does the
same, so that the member importing their own export changes nothing.
Importing the CSV for another member gives back the same books, ratings,
shelves and review bodies, spoiler scopes included.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

from django.utils import timezone

from ..members import display_name
from ..models import Book, GoodreadsImport, ReadingProgress, ReviewPage, SeriesEntry
from ..rich_text import visible_stream_data
from ..visibility import can_view_page
from .body import SpoiledBook, stream_to_review_html
from .club_json import FORMAT_NAME
from .importer import FINISHED_SHELF, LISTED_SHELF, STARTED_SHELF
from .rows import GoodreadsRow
from .write import write_export

__all__ = [
    "CSV_FILENAME",
    "JSON_FILENAME",
    "LibraryEntry",
    "ReviewExport",
    "export_csv",
    "export_json",
    "member_library",
]

CSV_FILENAME = "goodreads_library_export.csv"
JSON_FILENAME = "reading_export.json"
FORMAT_VERSION = 1


@dataclass
class ReviewExport:
    """One review as its author last saved it (draft or published)."""

    id: int
    title: str
    summary: str
    rating: float | None
    live: bool
    book_id: int
    body: list[dict[str, Any]]
    saved_at: Any
    key: str = ""  # the page's translation key: which review this is
    revision: int | None = None  # the revision exported
    spoiled_books: dict[int, SpoiledBook] = field(default_factory=dict)

    @property
    def goodreads_html(self) -> str:
        # A spoiler of the reviewed book names none: that is what a blank means.
        books = {k: v for k, v in self.spoiled_books.items() if k != self.book_id}
        return stream_to_review_html(self.body, books)

    def spoiled_book_ids(self) -> set[int]:
        return {
            block["value"]["spoils"]
            for block in self.body
            if block.get("type") == "spoiler"
            and isinstance(block.get("value"), dict)
            and isinstance(block["value"].get("spoils"), int)
        }


@dataclass
class LibraryEntry:
    book: Book
    series: SeriesEntry | None = None
    progress: ReadingProgress | None = None
    record: GoodreadsImport | None = None
    reviews: list[ReviewExport] = field(default_factory=list)

    @property
    def latest_review(self) -> ReviewExport | None:
        return self.reviews[-1] if self.reviews else None

    @property
    def shelf(self) -> str:
        progress = self.progress
        if progress is not None:
            if progress.finished:
                return FINISHED_SHELF
            if progress.chapter or progress.started_at:
                return STARTED_SHELF
            return LISTED_SHELF
        if self.record is not None and self.record.shelf:
            return self.record.shelf
        return FINISHED_SHELF if self.reviews else LISTED_SHELF

    @property
    def date_read(self) -> date | None:
        """When progress says the book is finished, its date; without progress,
        the imported one (Goodreads keeps it for any shelf)."""
        if self.progress is not None:
            return self.progress.finished_at if self.progress.finished else None
        return self.record.date_read if self.record is not None else None

    @property
    def date_added(self) -> date | None:
        if self.record is not None and self.record.date_added:
            return self.record.date_added
        if self.progress is not None:
            return self.progress.started_at
        return None

    @property
    def rating(self) -> float | None:
        review = self.latest_review
        if review is not None:
            return review.rating
        return self.record.rating if self.record is not None else None

    @property
    def read_count(self) -> int:
        if self.record is not None:
            return self.record.read_count
        return 1 if self.shelf == FINISHED_SHELF else 0

    def to_row(self, line: int) -> GoodreadsRow:
        review = self.latest_review
        rating = self.rating
        stars = (
            int(Decimal(str(rating)).quantize(Decimal(1), ROUND_HALF_UP))
            if rating
            else None
        )
        return GoodreadsRow(
            line=line,
            goodreads_id=self.record.goodreads_id if self.record else None,
            title=self.book.title,
            author=self.book.author,
            isbn13=self.book.isbn13 or None,
            rating=stars,
            year_published=self.book.published_year,
            date_read=self.date_read,
            date_added=self.date_added,
            shelf=self.shelf,
            review_html=review.goodreads_html if review else "",
            review_is_spoiler=False,
            series_name=self.series.series.title if self.series else None,
            series_position=(self.series.position.normalize() if self.series else None),
            read_count=self.read_count,
            club_review=review.key or None if review else None,
            club_revision=review.revision if review else None,
        )

    def to_json(self) -> dict[str, Any]:
        book = self.book
        progress = self.progress
        return {
            "book": {
                "id": book.pk,
                "title": book.title,
                "author": book.author,
                "isbn13": book.isbn13 or None,
                "published_year": book.published_year,
                "series": (
                    {
                        "id": self.series.series_id,
                        "title": self.series.series.title,
                        "position": self.series.position_number,
                    }
                    if self.series
                    else None
                ),
            },
            "goodreads_id": self.record.goodreads_id if self.record else None,
            "shelf": self.shelf,
            "rating": self.rating,
            "date_added": _iso(self.date_added),
            "date_read": _iso(self.date_read),
            "read_count": self.read_count,
            "progress": (
                {
                    "chapter": progress.chapter,
                    "finished": progress.finished,
                    "started_at": _iso(progress.started_at),
                    "finished_at": _iso(progress.finished_at),
                }
                if progress
                else None
            ),
            "reviews": [
                {
                    "id": review.id,
                    "key": review.key,
                    "revision": review.revision,
                    "title": review.title,
                    "summary": review.summary,
                    "rating": review.rating,
                    "published": review.live,
                    "saved_at": _iso(review.saved_at),
                    "goodreads_html": review.goodreads_html,
                    "body": review.body,
                }
                for review in self.reviews
            ],
        }


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _review_export(page: ReviewPage) -> ReviewExport:
    """The review as last saved, from its latest revision when it has one."""
    revision = page.latest_revision
    content = revision.content if revision is not None else None
    if content:
        body = content.get("body") or "[]"
        stream = json.loads(body) if isinstance(body, str) else body
        book_id = content.get("book") or page.book_id
        return ReviewExport(
            id=page.pk,
            title=content.get("title") or page.title,
            summary=content.get("summary") or "",
            rating=content.get("rating"),
            live=page.live,
            book_id=book_id,
            body=stream,
            saved_at=revision.created_at,
            key=str(page.translation_key),
            revision=revision.pk,
        )
    return ReviewExport(
        id=page.pk,
        title=page.title,
        summary=page.summary,
        rating=page.rating,
        live=page.live,
        book_id=page.book_id,
        body=list(page.body.raw_data),
        saved_at=page.last_published_at or page.first_published_at,
        key=str(page.translation_key),
    )


def member_library(member) -> list[LibraryEntry]:
    """Everything the member has read, reviewed or imported, one entry per book."""
    reviews = [
        _review_export(page)
        for page in ReviewPage.objects.filter(reviewer=member)
        .select_related("latest_revision")
        .order_by("latest_revision_created_at", "pk")
    ]
    spoiled = {
        pk: SpoiledBook(title, author, isbn13 or None)
        for pk, title, author, isbn13 in Book.objects.filter(
            pk__in={pk for review in reviews for pk in review.spoiled_book_ids()}
        ).values_list("pk", "title", "author", "isbn13")
    }
    body_block = ReviewPage._meta.get_field("body").stream_block
    for review in reviews:
        review.spoiled_books = spoiled
        # As stored, the body names every page it links to: an editor may
        # have linked the member's review to pages she may not be told of.
        review.body = visible_stream_data(body_block, review.body, member)
    progress = {p.book_id: p for p in ReadingProgress.objects.filter(member=member)}
    records: dict[int, GoodreadsImport] = {}
    order: dict[int, int] = {}
    for record in GoodreadsImport.objects.filter(member=member).order_by("pk"):
        records.setdefault(record.book_id, record)
        order.setdefault(record.book_id, record.pk)

    book_ids = set(progress) | set(records) | {review.book_id for review in reviews}
    books = Book.objects.in_bulk(book_ids)
    series: dict[int, SeriesEntry] = {}
    for entry in (
        SeriesEntry.objects.filter(book__in=book_ids, series__live=True)
        .select_related("series")
        .order_by("series__title", "pk")
    ):
        # A restricted series is its owner's and its editors' alone.
        if entry.book_id not in series and can_view_page(entry.series, member):
            series[entry.book_id] = entry

    entries: dict[int, LibraryEntry] = {
        pk: LibraryEntry(
            book=book,
            series=series.get(pk),
            progress=progress.get(pk),
            record=records.get(pk),
        )
        for pk, book in books.items()
    }
    for review in reviews:
        if review.book_id in entries:
            entries[review.book_id].reviews.append(review)
    # Imported books first, in the order of the import; then by title.
    last = max(order.values(), default=0) + 1
    return sorted(
        entries.values(),
        key=lambda e: (order.get(e.book.pk, last), e.book.title.casefold(), e.book.pk),
    )


def export_csv(member, fileobj: IO[str] | IO[bytes]) -> None:
    """Write the member's library as a Goodreads library export."""
    rows = [entry.to_row(line) for line, entry in enumerate(member_library(member), 2)]
    write_export(rows, fileobj)


def export_json(member) -> dict[str, Any]:
    """The member's library with every review (its Goodreads HTML and its
    StreamField data), progress and imported Goodreads details."""
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "member": {"display_name": display_name(member)},
        "exported_at": timezone.now().isoformat(),
        "books": [entry.to_json() for entry in member_library(member)],
    }
