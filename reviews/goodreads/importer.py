"""Import a member's Goodreads library export into the club.

:func:`import_export` is what ``manage.py import_goodreads`` and the admin's
import view both call. Per row of the export:

* the book is matched by ISBN-13, then by title and author compared without
  case, accents, spaces or punctuation, and created when neither matches;
* a series in the title (``Title (Series, #2)``) places the book in that series,
  created under the site's series index when it does not exist yet;
* the ``read`` shelf is finished progress (with the date read),
  ``currently-reading`` started progress and ``to-read`` a book on the list;
  progress the member already has is never lowered;
* a review becomes a draft :class:`~reviews.models.ReviewPage` (published with
  ``publish=True``) whose body keeps every spoiler in a spoiler block, with the
  book, chapter and label its ``<spoiler>`` tag names;
* a row of the member's own export names its review (Private Notes): that
  review is found again, left alone when the row says what it says, and given
  a new draft revision when the review was edited on Goodreads only;
* an import never publishes a review that already exists: a draft in the club
  stays a draft, and only an editor publishes it;
* a :class:`~reviews.models.GoodreadsImport` records what was imported, so a
  second run of the same file creates nothing and a review the member has edited
  since is never overwritten.

Each row runs in its own savepoint: a row that fails is reported with its line
number and the other rows still import.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from html import unescape
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Page, Revision, Site

from ..indexing import indexing_deferred, update_indexes
from ..isbn import normalise_isbn
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
from .body import SpoiledBook, review_to_stream, stream_to_review_html
from .club_json import looks_like_json, parse_club_json
from .keys import book_match_key, digest, row_digest, source_key
from .parse import GoodreadsRow, RowError, parse_export, read_text
from .report import ImportReport, RowNote

__all__ = [
    "ImportAborted",
    "ImportReport",
    "RowNote",
    "import_export",
    "review_summary",
    "site_review_index",
]

logger = logging.getLogger(__name__)

#: Shelves that say how far the member got; any other shelf only records the book.
FINISHED_SHELF = "read"
STARTED_SHELF = "currently-reading"
LISTED_SHELF = "to-read"

_SPACES = re.compile(r"\s+")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_SLUG_LENGTH = 200
_MAX_POSITION = Decimal("999.99")  # SeriesEntry.position: 5 digits, 2 decimals
# Revision content that a member changes when they edit a review.
_REVIEW_FIELDS = ("title", "slug", "summary", "rating", "body", "book", "tagged_items")


_INDEXED = (Book, ReviewPage, SeriesPage)
# Fields of a new review page that the importer set to rows it knows exist, or
# that treebeard and Wagtail just generated: checking them is a query each.
_KNOWN_GOOD_FIELDS = (
    "book",
    "owner",
    "reviewer",
    "locale",
    "content_type",
    "latest_revision",
    "live_revision",
    "locked_by",
    "alias_of",
    "path",
    "translation_key",
)


class ImportAborted(Exception):
    """The whole import cannot run (no review index, not a Goodreads export)."""


def _plain_text(paragraph_html: str) -> str:
    return _SPACES.sub(" ", unescape(strip_tags(_BR.sub(" ", paragraph_html)))).strip()


def _truncate_words(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def review_summary(
    stream: Iterable[dict[str, Any]], rating: int | None, book_title: str
) -> str:
    """A spoiler-free summary: the first paragraph outside any spoiler,
    shortened on a word boundary, else a neutral line about the review.

    Only top-level ``paragraph`` blocks are read; the content of a spoiler
    block never is.
    """
    limit = ReviewPage._meta.get_field("summary").max_length
    for block in stream:
        if block.get("type") == "paragraph":
            text = _plain_text(block.get("value") or "")
            if text:
                return _truncate_words(text, limit)
    if rating:
        neutral = _("A %(stars)d-star review of %(title)s; all of it is a spoiler.")
        text = neutral % {"stars": rating, "title": book_title}
    else:
        text = _("A review of %(title)s; all of it is a spoiler.") % {
            "title": book_title
        }
    return _truncate_words(text, limit)


def _revision_digest(revision: Revision | None) -> str:
    if revision is None:
        return ""
    content = revision.content or {}
    return digest({name: content.get(name) for name in _REVIEW_FIELDS})


def _comparable(raw: list[dict[str, Any]], book_id: int) -> list[dict[str, Any]]:
    """Body data without block ids, a blank spoiled book read as the reviewed
    one: two bodies that compare equal show the same review."""
    out = []
    for block in raw:
        value = block.get("value")
        if block.get("type") == "spoiler" and isinstance(value, dict):
            value = {
                **value,
                "spoils": value.get("spoils") or book_id,
                "content": _comparable(value.get("content") or [], book_id),
            }
        out.append({"type": block.get("type"), "value": value})
    return out


def _stars(rating: float | None) -> int | None:
    """A club rating in Goodreads' whole stars, as the export writes it."""
    if not rating:
        return None
    return int(Decimal(str(rating)).quantize(Decimal(1), ROUND_HALF_UP))


def _midday(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def _first_live(model: type[Page]) -> Page | None:
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
    return _first_live(ReviewIndexPage)


@dataclass
class _BookRef:
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


class _Undo:
    """Undo steps for the importer's in-memory indexes, so a row whose
    savepoint rolls back leaves no trace in them either."""

    def __init__(self) -> None:
        self._steps: list[Callable[[], None]] = []

    def set(self, mapping: dict, key: Any, value: Any) -> None:
        missing = object()
        old = mapping.get(key, missing)
        mapping[key] = value
        if old is missing:
            self._steps.append(lambda: mapping.pop(key, None))
        else:
            self._steps.append(lambda: mapping.__setitem__(key, old))

    def add(self, values: set, value: Any) -> None:
        if value not in values:
            values.add(value)
            self._steps.append(lambda: values.discard(value))

    def rollback(self) -> None:
        for step in reversed(self._steps):
            step()
        self._steps = []

    def commit(self) -> None:
        self._steps = []


class _Importer:
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
        self.undo = _Undo()
        self.member_name = display_name(member)
        self.review_index = site_review_index()
        if self.review_index is None:
            raise ImportAborted(
                _("the site has no live review index page to put reviews under.")
            )
        self.series_index = _first_live(SeriesIndexPage)
        self.series_skipped = 0
        # What the indexes must learn about once the rows are in; a row that
        # rolls back leaves ids of rows that no longer exist, which is harmless.
        self.changed: dict[type, set[int]] = {
            Book: set(),
            ReviewPage: set(),
            SeriesPage: set(),
        }

    # -- loading what exists ---------------------------------------------------

    def load(self) -> None:
        """Everything the rows may match, in a handful of queries."""
        self.books_by_isbn: dict[str, _BookRef] = {}
        self.books_by_key: dict[tuple[str, str], _BookRef] = {}
        self.books_by_id: dict[int, _BookRef] = {}
        for pk, title, author, isbn13, chapters in Book.objects.order_by(
            "pk"
        ).values_list("pk", "title", "author", "isbn13", "chapter_count"):
            ref = _BookRef(pk, title, author, chapters, isbn13 or None)
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

    # -- one row ---------------------------------------------------------------

    def import_row(self, row: GoodreadsRow) -> None:
        self.report.notes.extend(RowNote(row.line, text) for text in row.warnings)
        if row.goodreads_id is not None and row.goodreads_id <= 0:
            raise ValidationError(
                {
                    "Book Id": _("%(id)d is not a Goodreads book id.")
                    % {"id": row.goodreads_id}
                }
            )
        key = source_key(row)
        fingerprint = row_digest(row)
        record = self.records.get(key)
        if record is not None and record.row_digest == fingerprint:
            self._unchanged(row, record)
            return
        # Changed on a copy, so that the cached one stays right on a rollback.
        record = copy.copy(record) if record is not None else None

        if record is not None and record.book_id in self.books_by_id:
            book = self.books_by_id[record.book_id]
        else:
            book = self._book_for(row)
        self._place_in_series(row, book)
        self._record_progress(row, book)
        if record is None:
            record = GoodreadsImport(member=self.member, source_key=key)
        record.book_id = book.id
        record.goodreads_id = row.goodreads_id
        record.shelf = row.shelf[:100]
        record.rating = row.rating
        record.date_added = row.date_added
        record.date_read = row.date_read
        record.read_count = row.read_count
        record.row_digest = fingerprint
        self._review(row, book, record)
        record.save()
        self.undo.set(self.records, key, record)

    def _unchanged(self, row: GoodreadsRow, record: GoodreadsImport) -> None:
        self.report.rows_unchanged += 1
        if record.review_id is None or record.review_id not in self.reviews:
            return
        latest_id, _live = self.reviews[record.review_id]
        if not self._unedited(record, latest_id):
            self._kept(row, record)

    def _unedited(
        self, record: GoodreadsImport, latest_revision_id: int | None
    ) -> bool:
        if latest_revision_id == record.review_revision_id:
            return True
        latest = Revision.objects.filter(pk=latest_revision_id).first()
        return _revision_digest(latest) == record.review_digest

    def _kept(self, row: GoodreadsRow, record: GoodreadsImport) -> None:
        self.report.reviews_kept += 1
        self.report.notes.append(
            RowNote(
                row.line,
                _(
                    "Your review of %(title)s was edited after it was imported; "
                    "it is left as it is."
                )
                % {"title": row.title},
            )
        )

    # -- books and series --------------------------------------------------------

    def _book_for(self, row: GoodreadsRow) -> _BookRef:
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
    ) -> _BookRef:
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
            self.report.notes.append(
                RowNote(
                    line,
                    _("Year %(year)d is not stored: books take years 1 to 2100.")
                    % {"year": year},
                )
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
        ref = _BookRef(book.pk, book.title, book.author, None, book.isbn13 or None)
        self.undo.set(self.books_by_id, ref.id, ref)
        if book.isbn13:
            self.undo.set(self.books_by_isbn, book.isbn13, ref)
        self.undo.set(self.books_by_key, key, ref)
        self.report.books_created += 1
        return ref

    def _stream(self, row: GoodreadsRow, book: _BookRef) -> list[dict[str, Any]]:
        """The row's review as a body, each spoiler's book found (or added to
        the catalogue) from what its ``<spoiler>`` tag says.

        A chapter past the spoiled book's last one (the book has fewer chapters
        in this club) becomes no chapter, the ending included: the spoiler
        stays as hidden as it can be, and the review is not lost to it.
        """
        stream = self._spoiler_stream(row)
        for block in stream:
            value = block["value"]
            if block["type"] != "spoiler" or not value["chapter"]:
                continue
            spoiled = self.books_by_id.get(value["spoils"] or book.id)
            count = spoiled.chapter_count if spoiled is not None else None
            if count and value["chapter"] > count:
                self.report.notes.append(
                    RowNote(
                        row.line,
                        _(
                            "A spoiler of %(title)s up to chapter %(chapter)d now "
                            "hides the whole book: it has %(count)d chapters here."
                        )
                        % {
                            "title": spoiled.title,
                            "chapter": value["chapter"],
                            "count": count,
                        },
                    )
                )
                value["chapter"] = None
        return stream

    def _spoiler_stream(self, row: GoodreadsRow) -> list[dict[str, Any]]:

        def spoiled_book(book: SpoiledBook) -> int:
            try:
                isbn13 = normalise_isbn(book.isbn13)
            except ValueError:
                isbn13 = None  # the title and author still find the book
            title = book.title[: Book._meta.get_field("title").max_length]
            author = book.author or row.author
            return self._find_or_create_book(
                row.line, title, author, isbn13, counted=False
            ).id

        return review_to_stream(
            row.review_html, row.review_is_spoiler, spoiled_book=spoiled_book
        )

    def _place_in_series(self, row: GoodreadsRow, book: _BookRef) -> None:
        if not row.series_name or row.series_position is None:
            return
        if self.series_index is None:
            self.series_skipped += 1
            return
        position = row.series_position
        if position > _MAX_POSITION:
            self.report.notes.append(
                RowNote(
                    row.line,
                    _("Not placed in %(series)s: position #%(n)s is too large.")
                    % {"series": row.series_name, "n": position},
                )
            )
            return
        key = book_match_key(row.series_name, row.author)
        series_id = self.series.get(key)
        if series_id is None:
            page = self._create_series(row, book, position)
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
        self, row: GoodreadsRow, book: _BookRef, position: Decimal
    ) -> SeriesPage:
        """A new series page, published at once: it is catalogue, like a new
        book, and whoever may import may add books. Published the usual way,
        so that ``page_published`` listeners (API caches, webhooks) hear of it.
        """
        page = SeriesPage(
            title=row.series_name[:255],
            slug=self._unique_slug(row.series_name, self.series_slugs),
            author=row.author,
            entries=[SeriesEntry(book_id=book.id, position=position)],
            live=False,
        )
        self.series_index.add_child(instance=page)
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

    # -- progress ----------------------------------------------------------------

    @staticmethod
    def _rank(progress: ReadingProgress | None) -> int:
        if progress is None:
            return 0
        if progress.finished:
            return 3
        return 2 if progress.chapter or progress.started_at else 1

    def _record_progress(self, row: GoodreadsRow, book: _BookRef) -> None:
        target = {LISTED_SHELF: 1, STARTED_SHELF: 2, FINISHED_SHELF: 3}.get(row.shelf)
        if target is None:
            return
        existing = self.progress.get(book.id)
        if existing is None and row.club_review in self.own_reviews:
            # The club's export shelves a reviewed book as read when no
            # progress says otherwise; reading that back would open every
            # spoiler of the book to the member without their saying so.
            return
        if self._rank(existing) >= target:
            return  # never lower what the member has recorded
        # A copy, so that the cached one stays right if this row rolls back.
        progress = (
            copy.copy(existing)
            if existing is not None
            else ReadingProgress(member=self.member, book_id=book.id)
        )
        if target == 3:
            progress.finished = True
            progress.finished_at = row.date_read
            if book.chapter_count:
                progress.chapter = book.chapter_count
        elif target == 2:
            progress.started_at = row.date_added or timezone.localdate()
        progress.save()
        self.undo.set(self.progress, book.id, progress)
        self.report.progress_saved += 1

    # -- reviews -----------------------------------------------------------------

    def _review(
        self, row: GoodreadsRow, book: _BookRef, record: GoodreadsImport
    ) -> None:
        source = digest([row.review_html, row.review_is_spoiler, row.rating, book.id])
        own = self.own_reviews.get(row.club_review or "")
        if own is not None:
            self._own_review(own, row, book, record)
            record.review_source_digest = source
            return
        if record.review_id and record.review_id in self.reviews:
            latest_id, _live = self.reviews[record.review_id]
            if not self._unedited(record, latest_id):
                self._kept(row, record)
                return
            stream = self._stream(row, book)
            page = ReviewPage.objects.get(pk=record.review_id)
            if stream and source != record.review_source_digest:
                self._update_review(page, row, book, stream, record)
            # A review deleted on Goodreads since is kept in the club.
            record.review_source_digest = source
            return
        if record.had_review:
            self.report.notes.append(
                RowNote(
                    row.line,
                    _(
                        "Your review of %(title)s was deleted after it was "
                        "imported; it is not imported again."
                    )
                    % {"title": row.title},
                )
            )
            return
        stream = self._stream(row, book)
        if stream and book.id in self.own_books:
            # Written in the club (or imported from another file): never a
            # second review of the same book by the same member.
            self.report.reviews_kept += 1
            self.report.notes.append(
                RowNote(
                    row.line,
                    _(
                        "You already have a review of %(title)s in the club; "
                        "it is left as it is."
                    )
                    % {"title": row.title},
                )
            )
            return
        if stream:
            self._create_review(row, book, stream, record)
        record.review_source_digest = source if stream else ""

    def _own_review(
        self, pk: int, row: GoodreadsRow, book: _BookRef, record: GoodreadsImport
    ) -> None:
        """A row of the member's own export, naming one of their reviews.

        The review is compared as Goodreads holds it: when the row says what
        the review says now, nothing changes. When only the Goodreads copy
        changed (the review is still at the exported revision), the change is
        saved as a new draft revision, never published. When both changed, the
        club's is kept.
        """
        page = ReviewPage.objects.get(pk=pk)
        latest = page.latest_revision
        current = page.get_latest_revision_as_object()
        body = current.body.get_prep_value()
        spoiled = {
            block["value"].get("spoils")
            for block in body
            if block.get("type") == "spoiler" and isinstance(block.get("value"), dict)
        }
        books = {
            ref.id: SpoiledBook(ref.title, ref.author, ref.isbn13)
            for ref in map(self.books_by_id.get, spoiled - {current.book_id})
            if ref is not None
        }
        same_rating = _stars(current.rating) == row.rating
        if stream_to_review_html(body, books) == row.review_html and same_rating:
            self._remember_as_is(record, page, latest)
            return
        if latest is not None and latest.pk != row.club_revision:
            self._kept(row, record)
            return
        stream = self._stream(row, book)
        if not stream:
            return  # a review emptied on Goodreads is kept in the club
        current.body = stream
        if not same_rating:
            current.rating = float(row.rating) if row.rating else None
        revision = current.save_revision(user=self.member)
        self.report.reviews_updated += 1
        self._remember(record, page, revision)

    def _remember_as_is(
        self, record: GoodreadsImport, page: ReviewPage, latest: Revision | None
    ) -> None:
        record.review_id = page.pk
        record.review_revision_id = latest.pk if latest is not None else None
        record.review_digest = _revision_digest(latest)
        self.undo.set(self.reviews, page.pk, (record.review_revision_id, page.live))

    def _review_title(self, book: _BookRef) -> str:
        title = _("%(member)s on %(book)s") % {
            "member": self.member_name,
            "book": book.title,
        }
        return _truncate_words(title, 255)

    def _fill(
        self, page: ReviewPage, row: GoodreadsRow, book: _BookRef, stream: list
    ) -> None:
        page.book = book.instance()
        page.rating = float(row.rating) if row.rating else None
        page.summary = review_summary(stream, row.rating, book.title)
        page.body = stream

    def _create_review(
        self,
        row: GoodreadsRow,
        book: _BookRef,
        stream: list,
        record: GoodreadsImport,
    ) -> None:
        title = self._review_title(book)
        page = ReviewPage(
            title=title,
            slug=self._unique_slug(title, self.review_slugs),
            owner=self.member,
            reviewer=self.member,
            live=False,
        )
        self._fill(page, row, book, stream)
        if self.publish:
            # Published with the date it was read, not today, so that an
            # imported history does not flood the latest reviews.
            day = row.date_read or row.date_added
            if day is not None:
                page.first_published_at = _midday(day)
        # add_child() checks a draft's title and slug only: validate the rest
        # (which also fills in the spoiled book) before the first revision.
        self.review_index.add_child(instance=page)
        page.full_clean(exclude=_KNOWN_GOOD_FIELDS)
        revision = page.save_revision(user=self.member, clean=False)
        self.report.reviews_created += 1
        self.undo.set(self.own_books, book.id, page.pk)
        self._remember(record, page, revision)
        if self.publish:
            self._publish(revision, page)

    def _update_review(
        self,
        page: ReviewPage,
        row: GoodreadsRow,
        book: _BookRef,
        stream: list,
        record: GoodreadsImport,
    ) -> None:
        draft = page.get_latest_revision_as_object()
        rating = float(row.rating) if row.rating else None
        if draft.rating == rating and _comparable(
            draft.body.get_prep_value(), book.id
        ) == _comparable(stream, book.id):
            # Only the spelling changed (an export of this club's own data):
            # no new revision.
            return
        self._fill(draft, row, book, stream)
        revision = draft.save_revision(user=self.member)
        self.report.reviews_updated += 1
        self._remember(record, page, revision)
        # A draft in the club stays one: only an editor publishes it.
        if self.publish and page.live:
            self._publish(revision, page)

    def _publish(self, revision: Revision, page: ReviewPage) -> None:
        revision.publish(user=self.acting_user)
        self.changed[ReviewPage].add(page.pk)
        self.undo.set(self.reviews, page.pk, (revision.pk, True))
        self.report.reviews_published += 1

    def _remember(
        self, record: GoodreadsImport, page: ReviewPage, revision: Revision
    ) -> None:
        self.changed[ReviewPage].add(page.pk)
        record.review_id = page.pk
        record.review_revision_id = revision.pk
        record.review_digest = _revision_digest(revision)
        live = self.reviews.get(page.pk, (None, False))[1]
        self.undo.set(self.reviews, page.pk, (revision.pk, live))

    def finish(self) -> None:
        update_indexes(
            search=self.changed,
            # New books have no cover yet, so they reference nothing.
            references={
                ReviewPage: self.changed[ReviewPage],
                SeriesPage: self.changed[SeriesPage],
            },
        )
        if self.series_skipped:
            self.report.warnings.append(
                ngettext(
                    "The site has no series index page, so %(n)d book was not "
                    "placed in its series.",
                    "The site has no series index page, so %(n)d books were not "
                    "placed in their series.",
                    self.series_skipped,
                )
                % {"n": self.series_skipped}
            )


def _describe_failure(error: Exception) -> str:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return " ".join(
                f"{name}: {' '.join(messages)}"
                for name, messages in error.message_dict.items()
            )
        return " ".join(error.messages)
    return _("could not be saved (%(error)s).") % {"error": type(error).__name__}


@contextmanager
def _rolled_back_if(dry_run: bool) -> Iterator[None]:
    with transaction.atomic():
        yield
        if dry_run:
            transaction.set_rollback(True)


def import_export(
    source: str | bytes | IO[str] | IO[bytes],
    member,
    *,
    publish: bool = False,
    dry_run: bool = False,
    acting_user=None,
) -> ImportReport:
    """Import a Goodreads library export for ``member`` and report what happened.

    ``source`` is the CSV, or the club's own JSON reading export (text, bytes
    or a file object). ``acting_user`` is who
    publishes with ``publish=True`` (an editor in the admin; nobody from the
    command line); the revisions are always the member's. A dry run does all of
    the work inside a transaction that is rolled back, so its report is the
    real one. Never raises for bad input: problems are in the report.
    """
    report = ImportReport(member=display_name(member), dry_run=dry_run, publish=publish)
    try:
        text = read_text(source)
        parsed = parse_club_json(text) if looks_like_json(text) else parse_export(text)
    except (ValueError, TypeError) as error:
        report.fatal = str(error)
        return report
    report.rows_read = len(parsed.rows) + len(parsed.errors)
    report.errors.extend(parsed.errors)
    if not parsed.rows:
        report.fatal = (
            _("no row of the export could be read.")
            if parsed.errors
            else _("the export has no books in it.")
        )
        return report
    try:
        with _rolled_back_if(dry_run), indexing_deferred(_INDEXED):
            importer = _Importer(
                member, report, publish=publish, acting_user=acting_user
            )
            importer.load()
            for row in parsed.rows:
                checkpoint = report.checkpoint()
                try:
                    with transaction.atomic():
                        importer.import_row(row)
                except Exception as error:  # one bad row must not stop the rest
                    importer.undo.rollback()
                    report.restore(checkpoint)
                    if not isinstance(error, ValidationError):
                        logger.exception("Goodreads import: line %d failed", row.line)
                    report.errors.append(
                        RowError(row.line, _describe_failure(error), row.title)
                    )
                else:
                    importer.undo.commit()
                    report.rows_imported += 1
            importer.finish()
    except ImportAborted as error:
        report.fatal = str(error)
    return report
