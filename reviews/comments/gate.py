"""Who may read which discussion comment, and how threads are shown to them.

Visibility is decided per comment by :func:`reviews.spoilers.can_see`, with
the comment's chapter (``None``, "the whole book", counts as the ending). The
HTML page and the API both build on :func:`gate`, which loads a discussion's
comments in one query and asks ``can_see`` once per comment; the hidden
counts and chapter ranges come from those same answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import chapter_ranges
from ..chapter_ranges import ChapterRange
from ..members import shown_member
from ..models import DiscussionComment, DiscussionPage
from ..spoilers import Reader, can_see

REMOVED = "removed"
DELETED = "deleted"
#: A published comment about a chapter the reader has not reached, kept as a
#: placeholder because a reply they may read hangs from it.
HIDDEN = "hidden"


@dataclass
class HiddenSummary:
    """How many comments are hidden and which chapters they are about.

    Its words name the ranges the reader is offered (clipped to start after
    ``reached``, as :func:`reviews.chapter_ranges.group` clips them), so the
    summary and the links that open each range speak of the same chapters.
    """

    count: int = 0
    chapters: set[int] = field(default_factory=set)
    whole_book: bool = False
    #: How far the reader has read the book (``Reader.reach``).
    reached: float = 0

    def add(self, comment: DiscussionComment) -> None:
        self.count += 1
        if comment.chapter is None:
            self.whole_book = True
        else:
            self.chapters.add(comment.chapter)

    def __bool__(self) -> bool:
        return self.count > 0

    @property
    def from_chapter(self) -> int | None:
        return min(self.chapters) if self.chapters else None

    @property
    def to_chapter(self) -> int | None:
        return max(self.chapters) if self.chapters else None

    @property
    def about(self) -> str:
        """E.g. "chapter 12", "chapters 11–20", "the whole book", or both:
        the chapters of the ranges, from the first one's first chapter to the
        last one's last."""
        parts = []
        numbered = chapter_ranges.span(self.chapters, self.reached)
        if numbered is not None:
            parts.append(numbered.about)
        if self.whole_book:
            parts.append(_("the whole book"))
        return _(" and ").join(parts)

    @property
    def message(self) -> str:
        """E.g. "4 comments about chapters 11–20 are hidden until you get there"."""
        values = {"count": self.count, "about": self.about}
        if self.whole_book and not self.chapters:
            return (
                ngettext(
                    "%(count)s comment about %(about)s is hidden until you finish it",
                    "%(count)s comments about %(about)s are hidden until you finish it",
                    self.count,
                )
                % values
            )
        return (
            ngettext(
                "%(count)s comment about %(about)s is hidden until you get there",
                "%(count)s comments about %(about)s are hidden until you get there",
                self.count,
            )
            % values
        )

    def as_dict(self) -> dict:
        return {
            "count": self.count,
            "from_chapter": self.from_chapter,
            "to_chapter": self.to_chapter,
            "whole_book": self.whole_book,
            "message": self.message if self.count else "",
        }


@dataclass
class GatedComment:
    """A comment one reader is sent: visible text, or a placeholder."""

    comment: DiscussionComment
    #: The reader may read the text (False only for placeholders).
    visible: bool
    #: ``"removed"``, ``"deleted"`` or ``"hidden"`` for a placeholder kept for
    #: its replies.
    placeholder: str | None = None
    replies: list[GatedComment] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.comment.pk


@dataclass
class HiddenRange:
    """Comments about one range of chapters that the reader has not reached.

    Only the count leaves the server, unless the reader opened this range on
    purpose: then ``comments`` holds them, oldest first, out of their threads.
    """

    range: ChapterRange
    count: int
    revealed: bool = False
    comments: list[GatedComment] = field(default_factory=list)

    @property
    def label(self) -> str:
        """E.g. "3 comments about chapters 7–10"."""
        return ngettext(
            "%(count)s comment about %(about)s",
            "%(count)s comments about %(about)s",
            self.count,
        ) % {"count": self.count, "about": self.range.about}

    def as_dict(self) -> dict:
        return {
            "from": self.range.first,
            "to": self.range.last,
            "count": self.count,
            "key": self.range.slug,
            "label": self.label,
        }


@dataclass
class GatedDiscussion:
    """A discussion's comments as one reader is sent them.

    ``items`` (flat, oldest first) and ``threads`` hold only what the reader
    may see, plus placeholders that visible replies hang from; a hidden
    comment is never in them, only counted in ``ranges`` and ``hidden``.
    """

    items: list[GatedComment]
    threads: list[GatedComment]
    ranges: list[HiddenRange]
    hidden: HiddenSummary
    count: int
    #: ``hidden`` less the range opened on purpose: what an answer that sends
    #: the opened comments still leaves out (the API's ``hidden``).
    unopened: HiddenSummary = field(default_factory=HiddenSummary)


def load_comments(page: DiscussionPage) -> list[DiscussionComment]:
    """All of a discussion's comments, oldest first, in one query."""
    return list(
        shown_member(DiscussionComment.objects.filter(page=page), "author").order_by(
            "created_at", "pk"
        )
    )


def may_read(
    reader: Reader,
    book_id: int | None,
    comment: DiscussionComment,
    member_id: int | None,
) -> bool:
    """May the reader read ``comment``, about ``book_id``: the spoiler rule
    for its chapter, or it is their own (``member_id``: they wrote it)."""
    return can_see(reader, book_id, comment.chapter) or (
        member_id is not None and comment.author_id == member_id
    )


def gate(
    page: DiscussionPage,
    reader: Reader,
    comments: Iterable[DiscussionComment] | None = None,
    reveal: ChapterRange | None = None,
    member_id: int | None = None,
) -> GatedDiscussion:
    """Gate ``page``'s comments for ``reader`` and arrange them in threads.

    A comment the reader may not see is left out and counted in its chapter
    range; ``reveal`` opens one range on purpose (its comments come in that
    range's ``comments``, not in the threads). ``member_id``'s own comments
    are always shown to them: they wrote them. Removed and deleted comments
    are left out too, unless visible replies hang from them: then they stay
    as an empty placeholder, and so does a hidden comment with a visible reply
    (its chapter shown, never its text or author).
    """
    comments = load_comments(page) if comments is None else list(comments)
    book_id = page.book_id
    by_pk = {comment.pk: comment for comment in comments}
    visible: set[int] = set()
    hidden: list[DiscussionComment] = []
    for comment in comments:
        if not comment.is_published:
            continue
        if may_read(reader, book_id, comment, member_id):
            visible.add(comment.pk)
        else:
            hidden.append(comment)

    # Placeholders: unpublished ancestors of a visible comment.
    kept = set(visible)
    for pk in visible:
        parent_id = by_pk[pk].parent_id
        while parent_id is not None and parent_id in by_pk and parent_id not in kept:
            kept.add(parent_id)
            parent_id = by_pk[parent_id].parent_id

    items: list[GatedComment] = []
    gated: dict[int, GatedComment] = {}
    threads: list[GatedComment] = []
    for comment in comments:
        if comment.pk not in kept:
            continue
        if comment.pk in visible:
            node = GatedComment(comment=comment, visible=True)
        else:
            if comment.is_published:
                placeholder = HIDDEN
            else:
                placeholder = REMOVED if comment.removed else DELETED
            node = GatedComment(comment=comment, visible=False, placeholder=placeholder)
        gated[comment.pk] = node
        items.append(node)
        parent = gated.get(comment.parent_id) if comment.parent_id else None
        (parent.replies if parent is not None else threads).append(node)

    reached = reader.reach(book_id) if reader is not None else 0
    summary = HiddenSummary(reached=reached)
    unopened = HiddenSummary(reached=reached)
    for comment in hidden:
        summary.add(comment)
        if reveal is None or not reveal.contains(comment.chapter):
            unopened.add(comment)
    ranges: list[HiddenRange] = []
    for chapter_range, count in chapter_ranges.group(
        (comment.chapter for comment in hidden), reached
    ):
        opened = (
            [
                GatedComment(comment=comment, visible=True)
                for comment in hidden
                if chapter_range.contains(comment.chapter)
                and reveal.contains(comment.chapter)
            ]
            if reveal is not None
            else []
        )
        if opened and reveal is not None:
            ranges.append(
                HiddenRange(
                    range=chapter_ranges.intersection(chapter_range, reveal),
                    count=len(opened),
                    revealed=True,
                    comments=opened,
                )
            )
        if count > len(opened):
            ranges.append(HiddenRange(range=chapter_range, count=count - len(opened)))

    return GatedDiscussion(
        items=items,
        threads=threads,
        ranges=ranges,
        hidden=summary,
        count=sum(1 for c in comments if c.is_published),
        unopened=unopened,
    )


def revealed_range_comments(
    page: DiscussionPage, reveal: ChapterRange
) -> list[GatedComment]:
    """Every published comment of ``page`` about ``reveal``, oldest first.

    The same for every reader: whoever opens a range asked to see all of it.
    """
    comments = DiscussionComment.objects.published().filter(page=page)
    if reveal.is_ending:
        comments = comments.filter(chapter__isnull=True)
    else:
        comments = comments.filter(chapter__gte=reveal.first, chapter__lte=reveal.last)
    return [
        GatedComment(comment=comment, visible=True)
        for comment in shown_member(comments, "author").order_by("created_at", "pk")
    ]
