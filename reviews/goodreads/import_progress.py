"""Import stage: the row's shelf as reading progress, never lowering what the
member has recorded."""

from __future__ import annotations

import copy

from django.utils import timezone

from ..models import (
    ReadingProgress,
)
from .import_state import BookRef, ImportState
from .rows import GoodreadsRow

#: Shelves that say how far the member got; any other shelf only records the book.
FINISHED_SHELF = "read"
STARTED_SHELF = "currently-reading"
LISTED_SHELF = "to-read"


class ProgressStage(ImportState):
    @staticmethod
    def _rank(progress: ReadingProgress | None) -> int:
        if progress is None:
            return 0
        if progress.finished:
            return 3
        return 2 if progress.chapter or progress.started_at else 1

    def _record_progress(self, row: GoodreadsRow, book: BookRef) -> None:
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
