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
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..indexing import indexing_deferred, update_indexes
from ..members import display_name
from ..models import (
    Book,
    GoodreadsImport,
    ReviewPage,
    SeriesPage,
)
from .club_json import looks_like_json, parse_club_json
from .import_progress import FINISHED_SHELF, LISTED_SHELF, STARTED_SHELF, ProgressStage
from .import_reviews import ReviewStage, review_summary
from .import_state import ImportAborted, site_review_index
from .keys import row_digest, source_key
from .parse import parse_export, read_text, undecodable
from .report import ImportReport, RowNote
from .rows import GoodreadsRow, RowError

__all__ = [
    "FINISHED_SHELF",
    "LISTED_SHELF",
    "STARTED_SHELF",
    "ImportAborted",
    "ImportReport",
    "RowNote",
    "import_export",
    "review_summary",
    "site_review_index",
]

logger = logging.getLogger(__name__)

_INDEXED = (Book, ReviewPage, SeriesPage)


class _Importer(ReviewStage, ProgressStage):
    """Runs the stages for each row."""

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
        if looks_like_json(text) and undecodable(text) is not None:
            raise ValueError(
                f"The export is not UTF-8 text (character {undecodable(text)} "
                "cannot be read)."
            )
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
