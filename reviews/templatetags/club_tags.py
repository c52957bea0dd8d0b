from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from .. import cards
from ..derived import for_tags_in_process
from ..forms import ReadingProgressForm
from ..meetings import spoken_start
from ..members import display_name
from ..models import (
    Book,
    DiscussionIndexPage,
    Follow,
    ReadingProgress,
    ReviewIndexPage,
    SeriesIndexPage,
)
from ..ratings import average_text, rating_text, star_text
from ..site_root import absolute_url
from ..spoilers import FINISHED, RequestReader, can_see_about, reader_of
from ..visibility import (
    SITE_SHAPE,
    in_subtree,
    reachable_pages,
    site_root_path,
)

register = template.Library()

#: A message with this extra tag is shown beside the control that caused it
#: (``messages|placed:"rsvp"``), not at the top of the page, which a phone's
#: reader has scrolled far away from.
PLACED = "placed"


@register.filter
def may_publish(user) -> bool:
    """Does ``user`` publish pages (an editor), rather than only write them?"""
    return bool(user and user.is_authenticated) and (
        PagePermissionPolicy().user_has_permission(user, "publish")
    )


@register.filter
def placed(messages, place: str) -> list:
    """The messages to show at ``place``."""
    return [m for m in messages if {PLACED, place} <= set(m.extra_tags.split())]


@register.filter
def unplaced(messages) -> list:
    """The messages for the top of the page: every one not shown in place."""
    return [m for m in messages if PLACED not in m.extra_tags.split()]


@register.filter
def site_absolute(url: str, page: Page | None = None) -> str:
    """``url`` made absolute under the page's Site root (never the Host
    header), for link previews."""
    return absolute_url(url, page)


SECTION_MODELS = (ReviewIndexPage, SeriesIndexPage, DiscussionIndexPage)


@register.simple_tag(takes_context=True)
def club_sections(context) -> list[Page]:
    """The club's index pages under the current site's root, for navigation:
    the first of each kind. Every HTML page shows them, so they are worked
    out once per change of the site's shape (``SITE_SHAPE``): an index page
    published, unpublished, edited or moved retires it, and so does a
    restriction, whether the club's code or the database's triggers see the
    write (a page's type written in SQL too: reviews/migrations/0023). The
    site comes from the same kind of lookup."""
    request = context.get("request")
    root_path = site_root_path(request) if request else None
    if root_path is None:
        return []
    return for_tags_in_process(
        SITE_SHAPE, f"club-sections:{root_path}", lambda: _sections_under(root_path)
    )


def _sections_under(root_path: str) -> list[Page]:
    candidates = (
        reachable_pages(in_subtree(Page.objects.live(), root_path))
        .exclude(path=root_path)
        .type(*SECTION_MODELS)  # type: ignore[attr-defined]  # a PageQuerySet
        .order_by("path")
    )
    first_of_kind: dict[int, Page] = {}
    for page in candidates:
        first_of_kind.setdefault(page.content_type_id, page)
    sections = []
    for model in SECTION_MODELS:
        content_type = ContentType.objects.get_for_model(model)
        if content_type.pk in first_of_kind:
            sections.append(first_of_kind[content_type.pk])
    return sections


#: Page fields that hold text every reader of the page already sees, in the
#: order a meta description prefers them: an editor's own, a review's
#: spoiler-free summary, then a page's introduction or description.
DESCRIPTION_FIELDS = ("search_description", "summary", "intro", "description")
DESCRIPTION_LENGTH = 160


@register.simple_tag(takes_context=True)
def meta_description(context) -> str:
    """The ``<meta name="description">`` text for the page being rendered.

    Only open, editor-written text qualifies (never a review body, which
    holds spoilers); a view without a page, or a page with none of those
    fields filled, gets the site's own line.
    """
    page = context.get("page")
    for field in DESCRIPTION_FIELDS:
        text = strip_tags(str(getattr(page, field, "") or "")).strip()
        if text:
            return Truncator(" ".join(text.split())).chars(DESCRIPTION_LENGTH)
    site = context.get("current_site")
    name = getattr(site, "site_name", "") or _("The Book Club")
    return _("%(site)s: a book club's reviews, series and discussions.") % {
        "site": name
    }


@register.filter(expects_localtime=True)
def machine_time(value: datetime | None) -> str:
    """A ``<time datetime>`` value: ISO 8601 to the second. Django's ``|date:"c"``
    writes microseconds, which HTML's date-time syntax does not allow."""
    if value is None:
        return ""
    return value.replace(microsecond=0).isoformat()


@register.filter
def spoken_time(value: datetime | None) -> str:
    """A moment a page gives to the minute (a meeting's start, a next-book
    round's deadline) in words, with its time zone (reviews.meetings)."""
    return spoken_start(value) if value is not None else ""


@register.filter
def member_name(user) -> str:
    """A member as other people see them: their name, never their login."""
    return display_name(user)


@register.simple_tag
def card_spoils(review) -> list[dict]:
    """The books a review card says the review has spoilers for."""
    return cards.card_spoils(review)


@register.filter
def stars(rating: float | None) -> str:
    """``4.5`` → ``★★★★½`` (reviews.ratings)."""
    return star_text(rating)


@register.filter
def rating_number(rating: float | None) -> str:
    """A review's rating as a number: ``3.5``, ``4`` (reviews.ratings)."""
    return rating_text(rating) if rating else ""


@register.filter
def average_rating(value: float | None) -> SafeString | str:
    """An average rating as every page shows it: its stars (to the nearest
    half, hidden from screen readers, which read the number) and the number
    to one decimal, "★★★★ 3.8 out of 5" (reviews.ratings)."""
    if not value:
        return ""
    return format_html(
        '<span class="rating" aria-hidden="true">{}</span> {}',
        star_text(value),
        _("%(average)s out of 5") % {"average": average_text(value)},
    )


@register.simple_tag(takes_context=True)
def unread_spoilers(context, review) -> list[dict]:
    """The books a review spoils that the current reader has not read that far.

    Asking to see spoilers does not count as having read them: the banner
    still says what lies ahead.
    """
    reader = reader_of(context.get("request"))
    unread = [
        dict(entry)
        for entry in review.spoils
        if not reader.has_read(entry["id"], entry["chapter"])
    ]
    if unread:
        entries_by_book = review.series_entries_by_book()
        for entry in unread:
            entry["series"] = [
                f"book {place.position_display} of {place.series.title}"
                for place in entries_by_book.get(entry["id"], [])
            ]
    return unread


@register.simple_tag(takes_context=True)
def reading_choices(context, review) -> dict | None:
    """For a visitor, what a review's "how far have you read" form offers
    (:func:`_visitor_reading`): for each book the review spoils, the
    chapters its hidden spoilers open at, then the end."""
    waiting = [
        (block.value["spoils"], block.value["chapter"])
        for block in review.spoiler_blocks()
    ]
    return _visitor_reading(context.get("request"), waiting)


@register.simple_tag(takes_context=True)
def discussion_reading_choices(context, page) -> dict | None:
    """For a visitor, what a discussion's "how far have you read" form
    offers, where a question or a comment waits for a chapter they have not
    said they reached: every chapter of the discussion's book when its
    chapter count is known, else the chapters the gated questions and the
    hidden comment ranges open at; then the end."""
    request = context.get("request")
    if request is None or request.user.is_authenticated:
        return None
    waiting = [
        (q["book"] or page.book, q["chapter"]) for q in gated_questions(context, page)
    ]
    comments = context.get("discussion")
    for group in getattr(comments, "ranges", None) or []:
        if not group.revealed:
            waiting.append((page.book, group.range.last))
    if not waiting:
        return None
    if page.book.chapter_count:
        waiting += [
            (page.book, chapter) for chapter in range(1, page.book.chapter_count + 1)
        ]
    return _visitor_reading(request, waiting)


def _visitor_reading(request, waiting) -> dict | None:
    """The visitor's "how far have you read" form: for each book in
    ``waiting`` (pairs of a book and a chapter, None for the end, in order),
    the chapters the visitor has not said they reached, then the end; and
    what they said already (``read=``), to send again with the next answer.

    None for a member, whose progress says it, and where nothing is left to
    open. The form sends ``read=``, so it opens what the rule
    (reviews.spoilers) opens for that, on that address only: a page that
    names ``read=`` is never shared (reviews.middleware).
    """
    if request is None or request.user.is_authenticated:
        return None
    reader = reader_of(request)
    books: dict[int, dict] = {}
    for book, chapter in waiting:
        if book is None or reader.has_read(book.pk, chapter):
            continue
        entry = books.setdefault(
            book.pk, {"id": book.pk, "title": book.title, "chapters": set()}
        )
        if chapter is not None:
            entry["chapters"].add(chapter)
    if not books:
        return None
    for entry in books.values():
        entry["choices"] = [
            {"value": f"{entry['id']}:{chapter}", "label": f"Up to chapter {chapter}"}
            for chapter in sorted(entry.pop("chapters"))
        ] + [{"value": str(entry["id"]), "label": "To the end"}]
    declared = [
        str(book_id) if reach == FINISHED else f"{book_id}:{int(reach)}"
        for book_id, reach in reader.reached.items()
    ]
    return {"books": list(books.values()), "declared": declared}


@register.simple_tag(takes_context=True)
def said_reading(context) -> list[dict]:
    """What a visitor said they have read (``read=``), book by book in the
    order of the books' ids: ``title`` and ``chapter`` (None for the end),
    for the page to say it back beside a link that closes it all again
    (the same page without the query). Empty for a member, whose progress
    forms say how far she is."""
    request = context.get("request")
    if request is None or request.user.is_authenticated:
        return []
    reached = reader_of(request).reached
    if not reached:
        return []
    titles = dict(Book.objects.filter(pk__in=reached).values_list("pk", "title"))
    return [
        {"title": titles[book_id], "chapter": None if reach == FINISHED else int(reach)}
        for book_id, reach in sorted(reached.items())
        if book_id in titles
    ]


@register.simple_tag
def review_books(review) -> list[Book]:
    """The reviewed book, then every other book the review has spoilers for."""
    books = [review.book]
    for block in review.spoiler_blocks():
        book = block.value["spoils"]
        if book is not None and all(book.pk != seen.pk for seen in books):
            books.append(book)
    return books


@register.simple_tag(takes_context=True)
def gated_questions(context, discussion) -> list[dict]:
    """The questions of a discussion the current reader has not reached yet,
    decided exactly as each question block decides it."""
    reader = reader_of(context.get("request"))
    gated = []
    for block in discussion.questions:
        book = block.value["book"]
        chapter = block.value["chapter"]
        if not can_see_about(reader, book.pk if book else None, chapter):
            gated.append({"book": book, "chapter": chapter})
    return gated


def _member_progress(request) -> dict[int, ReadingProgress]:
    """The member's progress rows by book id: the ones the request's reader
    is built from, fetched once per request."""
    reader = getattr(request, "reader", None)
    if isinstance(reader, RequestReader) and reader.member == request.user:
        return reader.progress_rows
    return {
        progress.book_id: progress
        for progress in ReadingProgress.objects.filter(member=request.user)
    }


@register.inclusion_tag("reviews/includes/progress_form.html", takes_context=True)
def progress_form(
    context, books: Book | list[Book] | None, compact: bool = False
) -> dict:
    """Small forms for the member's progress in one book or several; for
    visitors, one line inviting them to log in. Each form posts back to the
    page it is on. ``compact`` drops the heading, for lists where the book's
    title is already shown."""
    request = context.get("request")
    if books is None:
        books = []
    elif isinstance(books, Book):
        books = [books]
    result = {
        "books": books,
        "compact": compact,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "entries": [],
        "login_url": None,
    }
    if not books or request is None:
        return result
    if not request.user.is_authenticated:
        result["login_url"] = "{}?{}".format(
            resolve_url(settings.LOGIN_URL),
            urlencode({"next": request.get_full_path()}),
        )
        return result
    rows = _member_progress(request)
    for book in books:
        progress = rows.get(book.pk)
        if progress is not None:
            progress.book = book
        form = ReadingProgressForm(
            member=request.user,
            book=book,
            instance=progress,
            auto_id=f"id_progress_{book.pk}_%s",
        )
        for field in form.fields.values():
            # The small form says it all in one line; no help texts to point at.
            field.help_text = ""
        result["entries"].append(
            {
                "book": book,
                "form": form,
                "progress": progress,
                "percent": progress.percent if progress is not None else None,
            }
        )
    return result


@register.inclusion_tag("reviews/includes/follow.html", takes_context=True)
def follow_control(context, target: Book | Page | None) -> dict:
    """ "Follow this book / discussion": a small form for members, a line
    inviting visitors to log in (so anonymous pages stay cacheable)."""
    request = context.get("request")
    result: dict = {"csrf_token": context.get("csrf_token"), "login_url": None}
    if target is None or request is None:
        return result
    is_book = isinstance(target, Book)
    result.update(
        kind="book" if is_book else "discussion",
        what=_("this book") if is_book else _("this discussion"),
        next_url=request.get_full_path(),
    )
    if not request.user.is_authenticated:
        result["login_url"] = "{}?{}".format(
            resolve_url(settings.LOGIN_URL),
            urlencode({"next": request.get_full_path()}),
        )
        return result
    target_filter = {"book": target} if is_book else {"discussion_id": target.pk}
    result["following"] = Follow.objects.filter(
        member=request.user, **target_filter
    ).exists()
    result["action_url"] = reverse(
        "reviews:follow_book" if is_book else "reviews:follow_discussion",
        args=[target.pk],
    )
    return result
