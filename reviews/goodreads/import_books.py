"""Import stage: the row's book, matched or created, and its place in a series."""

from __future__ import annotations

from decimal import Decimal

from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Page

from ..models import (
    Book,
    SeriesEntry,
    SeriesPage,
)
from .import_state import BookRef, ImportState
from .keys import book_match_key
from .rows import GoodreadsRow

_SLUG_LENGTH = 200
_MAX_POSITION = Decimal("999.99")  # SeriesEntry.position: 5 digits, 2 decimals


class BookStage(ImportState):
    def _book_for(self, row: GoodreadsRow) -> BookRef:
        return self._find_or_create_book(
            row.line, row.title, row.author, row.isbn13, row.year_published
        )

    def _find_or_create_book(
        self,
        line: int,
        title: str,
        author: str,
        isbn13: str | None,
        year: int | None = None,
        *,
        counted: bool = True,
    ) -> BookRef:
        """The book by ISBN-13, else by title and author, else a new one.
        ``counted`` is False for a book a spoiler names, which is no row's book."""
        if isbn13 and isbn13 in self.books_by_isbn:
            self.report.books_matched += counted
            return self.books_by_isbn[isbn13]
        key = book_match_key(title, author)
        if key in self.books_by_key:
            self.report.books_matched += counted
            return self.books_by_key[key]
        if year is not None and not 1 <= year <= 2100:
            self.note(
                line,
                _("Year %(year)d is not stored: books take years 1 to 2100.")
                % {"year": year},
            )
            year = None
        book = Book(
            title=title,
            author=author,
            isbn13=isbn13,
            published_year=year,
        )
        book.full_clean(validate_unique=False, validate_constraints=False)
        book.save()
        self.changed[Book].add(book.pk)
        ref = BookRef(book.pk, book.title, book.author, None, book.isbn13 or None)
        self.undo.set(self.books_by_id, ref.id, ref)
        if book.isbn13:
            self.undo.set(self.books_by_isbn, book.isbn13, ref)
        self.undo.set(self.books_by_key, key, ref)
        self.report.books_created += 1
        return ref

    def _place_in_series(self, row: GoodreadsRow, book: BookRef) -> None:
        name = row.series_name
        if not name or row.series_position is None:
            return
        index = self.series_index
        if index is None:
            self.series_skipped += 1
            return
        position = row.series_position
        if position > _MAX_POSITION:
            self.note(
                row.line,
                _("Not placed in %(series)s: position #%(n)s is too large.")
                % {"series": name, "n": position},
            )
            return
        key = book_match_key(name, row.author)
        series_id = self.series.get(key)
        if series_id is None:
            page = self._create_series(index, name, row.author, book, position)
            self.changed[SeriesPage].add(page.pk)
            self.undo.set(self.series, key, page.pk)
            self.undo.add(self.series_entries, (page.pk, book.id))
            self.report.series_created += 1
            self.report.series_placed += 1
            return
        if (series_id, book.id) in self.series_entries:
            return
        SeriesEntry.objects.create(
            series_id=series_id, book_id=book.id, position=position
        )
        self.changed[SeriesPage].add(series_id)
        self.undo.add(self.series_entries, (series_id, book.id))
        self.report.series_placed += 1

    def _create_series(
        self, index: Page, name: str, author: str, book: BookRef, position: Decimal
    ) -> SeriesPage:
        """A new series page, published at once: it is catalogue, like a new
        book, and whoever may import may add books. Published the usual way,
        so that ``page_published`` listeners (API caches, webhooks) hear of it.
        """
        page = SeriesPage(
            title=name[:255],
            slug=self._unique_slug(name, self.series_slugs),
            author=author,
            entries=[SeriesEntry(book_id=book.id, position=position)],
            live=False,
        )
        index.add_child(instance=page)
        # Publishing validates the whole page; the revision need not first.
        revision = page.save_revision(clean=False)
        revision.publish(user=self.acting_user, skip_permission_checks=True)
        return page

    def _unique_slug(self, text: str, taken: set[str]) -> str:
        base = slugify(text, allow_unicode=True)[:_SLUG_LENGTH].strip("-") or "review"
        slug, n = base, 2
        while slug in taken:
            slug = f"{base}-{n}"
            n += 1
        self.undo.add(taken, slug)
        return slug
