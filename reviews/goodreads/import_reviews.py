"""Import stage: the row's review as a draft (or a new revision of the member's
own), its spoilers kept in spoiler blocks, and a spoiler-free summary."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from html import unescape
from typing import Any

from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from wagtail.models import Revision

from ..isbn import normalise_isbn
from ..models import (
    Book,
    GoodreadsImport,
    ReviewPage,
)
from .body import SpoiledBook, review_to_stream, stream_to_review_html
from .import_books import BookStage
from .import_state import BookRef
from .keys import digest
from .rows import GoodreadsRow

_SPACES = re.compile(r"\s+")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
# Revision content that a member changes when they edit a review.
_REVIEW_FIELDS = ("title", "slug", "summary", "rating", "body", "book", "tagged_items")
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


class ReviewStage(BookStage):
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
        self.note(
            row.line,
            _(
                "Your review of %(title)s was edited after it was imported; "
                "it is left as it is."
            )
            % {"title": row.title},
        )

    def _stream(self, row: GoodreadsRow, book: BookRef) -> list[dict[str, Any]]:
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
            if spoiled is not None and count and value["chapter"] > count:
                self.note(
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

    def _review(
        self, row: GoodreadsRow, book: BookRef, record: GoodreadsImport
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
            self.note(
                row.line,
                _(
                    "Your review of %(title)s was deleted after it was "
                    "imported; it is not imported again."
                )
                % {"title": row.title},
            )
            return
        stream = self._stream(row, book)
        if stream and book.id in self.own_books:
            # Written in the club (or imported from another file): never a
            # second review of the same book by the same member.
            self.report.reviews_kept += 1
            self.note(
                row.line,
                _(
                    "You already have a review of %(title)s in the club; "
                    "it is left as it is."
                )
                % {"title": row.title},
            )
            return
        if stream:
            self._create_review(row, book, stream, record)
        record.review_source_digest = source if stream else ""

    def _own_review(
        self, pk: int, row: GoodreadsRow, book: BookRef, record: GoodreadsImport
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

    def _review_title(self, book: BookRef) -> str:
        title = _("%(member)s on %(book)s") % {
            "member": self.member_name,
            "book": book.title,
        }
        return _truncate_words(title, 255)

    def _fill(
        self, page: ReviewPage, row: GoodreadsRow, book: BookRef, stream: list
    ) -> None:
        page.book = book.instance()
        page.rating = float(row.rating) if row.rating else None
        page.summary = review_summary(stream, row.rating, book.title)
        page.body = stream

    def _create_review(
        self,
        row: GoodreadsRow,
        book: BookRef,
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
        book: BookRef,
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
