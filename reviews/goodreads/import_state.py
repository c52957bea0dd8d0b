"""What a Goodreads import works with: the club's books, series, reviews and
progress loaded once, and undo steps for a row that rolls back.

The import's stages (``import_books``, ``import_progress``, ``import_reviews``)
each add their methods to :class:`ImportState`; ``importer`` runs them per row.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, MutableSet
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from ..members import display_name
from ..models import (
    Book,
    GoodreadsImport,
    ReadingProgress,
    ReviewIndexPage,
    ReviewPage,
    SeriesEntry,
    SeriesIndexPage,
    SeriesPage,
)
from .keys import book_match_key
from .report import ImportReport, RowNote


class ImportAborted(Exception):
    """The whole import cannot run (no review index, not a Goodreads export)."""


def first_live(model: type[Page]) -> Page | None:
    """The first live page of ``model``, preferring the default site's tree."""
    pages = model.objects.live().order_by("path")
    site = Site.objects.filter(is_default_site=True).select_related("root_page")
    root = site.first().root_page if site.exists() else None
    if root is not None:
        in_site = pages.descendant_of(root, inclusive=True).first()
        if in_site is not None:
            return in_site
    return pages.first()


def site_review_index() -> ReviewIndexPage | None:
    """Where imported reviews go: the site's first live review index."""
    return first_live(ReviewIndexPage)


@dataclass
class BookRef:
    id: int
    title: str
    author: str
    chapter_count: int | None
    isbn13: str | None = None

    def instance(self) -> Book:
        """A Book standing in for the saved one: what a review's validation
        reads of its book, without fetching it again."""
        return Book(
            pk=self.id,
            title=self.title,
            author=self.author,
            chapter_count=self.chapter_count,
        )


class Undo:
    """Undo steps for the importer's in-memory indexes, so a row whose
    savepoint rolls back leaves no trace in them either."""

    def __init__(self) -> None:
        self._steps: list[Callable[[], None]] = []

    def set(self, mapping: MutableMapping[Any, Any], key: Any, value: Any) -> None:
        missing = object()
        old = mapping.get(key, missing)
        mapping[key] = value
        if old is missing:
            self._steps.append(lambda: mapping.pop(key, None))
        else:
            self._steps.append(lambda: mapping.__setitem__(key, old))

    def add(self, values: MutableSet[Any], value: Any) -> None:
        if value not in values:
            values.add(value)
            self._steps.append(lambda: values.discard(value))

    def rollback(self) -> None:
        for step in reversed(self._steps):
            step()
        self._steps = []

    def commit(self) -> None:
        self._steps = []


class ImportState:
    """The member, the report, and the club's data the rows may match."""

    def __init__(
        self,
        member,
        report: ImportReport,
        *,
        publish: bool,
        acting_user,
    ) -> None:
        self.member = member
        self.report = report
        self.publish = publish
        self.acting_user = acting_user
        self.undo = Undo()
        self.member_name = display_name(member)
        review_index = site_review_index()
        if review_index is None:
            raise ImportAborted(
                _("the site has no live review index page to put reviews under.")
            )
        self.review_index: ReviewIndexPage = review_index
        self.series_index = first_live(SeriesIndexPage)
        self.series_skipped = 0
        # What the indexes must learn about once the rows are in; a row that
        # rolls back leaves ids of rows that no longer exist, which is harmless.
        self.changed: dict[type[Model], set[int]] = {
            Book: set(),
            ReviewPage: set(),
            SeriesPage: set(),
        }

    def note(self, line: int, text: str) -> None:
        """Tell the member something about one row of the export."""
        self.report.notes.append(RowNote(line, text))

    # -- loading what exists ---------------------------------------------------

    def load(self) -> None:
        """Everything the rows may match, in a handful of queries."""
        self.books_by_isbn: dict[str, BookRef] = {}
        self.books_by_key: dict[tuple[str, str], BookRef] = {}
        self.books_by_id: dict[int, BookRef] = {}
        for pk, title, author, isbn13, chapters in Book.objects.order_by(
            "pk"
        ).values_list("pk", "title", "author", "isbn13", "chapter_count"):
            ref = BookRef(pk, title, author, chapters, isbn13 or None)
            self.books_by_id[pk] = ref
            if isbn13:
                self.books_by_isbn[isbn13] = ref
            self.books_by_key.setdefault(book_match_key(title, author), ref)

        self.records: dict[str, GoodreadsImport] = {
            record.source_key: record
            for record in GoodreadsImport.objects.filter(member=self.member)
        }
        review_ids = [r.review_id for r in self.records.values() if r.review_id]
        self.reviews: dict[int, tuple[int | None, bool]] = {
            pk: (latest, live)
            for pk, latest, live in ReviewPage.objects.filter(
                pk__in=review_ids
            ).values_list("pk", "latest_revision_id", "live")
        }
        # The member's own reviews by translation key, as the club's export
        # names them, and by book, so that a row never duplicates one.
        self.own_reviews: dict[str, int] = {}
        self.own_books: dict[int, int] = {}
        for pk, key, book_id in (
            ReviewPage.objects.filter(reviewer=self.member)
            .order_by("pk")
            .values_list("pk", "translation_key", "book_id")
        ):
            self.own_reviews[str(key)] = pk
            self.own_books.setdefault(book_id, pk)
        self.progress: dict[int, ReadingProgress] = {
            progress.book_id: progress
            for progress in ReadingProgress.objects.filter(member=self.member)
        }
        self.review_slugs: set[str] = set(
            self.review_index.get_children().values_list("slug", flat=True)
        )
        self.series: dict[tuple[str, str], int] = {}
        self.series_slugs: set[str] = set()
        self.series_entries: set[tuple[int, int]] = set()
        if self.series_index is not None:
            for pk, title, author, slug in (
                SeriesPage.objects.child_of(self.series_index)
                .order_by("path")
                .values_list("pk", "title", "author", "slug")
            ):
                self.series.setdefault(book_match_key(title, author), pk)
                self.series_slugs.add(slug)
            self.series_entries = set(
                SeriesEntry.objects.filter(
                    series__in=set(self.series.values())
                ).values_list("series_id", "book_id")
            )
