"""Builds the demo club from its content (``content``).

Every step looks for what it would create first, so running it again changes
nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from ..indexing import add_and_publish
from ..members import display_name
from ..models import (
    Book,
    DiscussionComment,
    DiscussionIndexPage,
    DiscussionPage,
    Follow,
    MeetingRSVP,
    Nomination,
    NominationRound,
    ReadingProgress,
    ReviewIndexPage,
    ReviewPage,
    SeriesEntry,
    SeriesIndexPage,
    SeriesPage,
    Vote,
)
from ..roles import EDITORS, MEMBERS, MODERATORS, ensure_groups
from ..stream_values import (
    StreamBlockData,
    heading,
    paragraph,
    question,
    quote,
    spoiler,
)
from . import content
from .content import DEMO_PASSWORDS
from .schema import Block, DemoBook, DemoReview


@dataclass
class DemoResult:
    created: list[str]

    def note(self, what: str) -> None:
        self.created.append(what)


def _cover(title: str, colour: tuple[int, int, int]):
    """A plain generated cover so the demo needs no downloaded files."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    Image = get_image_model()
    existing = Image.objects.filter(title=f"Cover: {title}").first()
    if existing:
        return existing
    picture = PILImage.new("RGB", (400, 600), colour)
    draw = ImageDraw.Draw(picture)
    draw.rectangle((20, 20, 380, 580), outline=(255, 255, 255), width=4)
    words, lines, line = title.split(), [], ""
    for word in words:
        if len(line) + len(word) > 14:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    for i, text in enumerate(lines):
        draw.text((50, 220 + i * 40), text, fill=(255, 255, 255), font_size=36)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    slug = "".join(c for c in title.lower() if c.isalnum()) or "cover"
    image = Image(title=f"Cover: {title}")
    image.file.save(f"{slug}.png", ImageFile(buffer, name=f"{slug}.png"), save=False)
    image.save()
    return image


def _user(username: str, first: str, last: str, **extra):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            # An address for password resets (the console shows the mail).
            "email": f"{username}@example.org",
            **extra,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORDS[username])
        user.save()
    return user


def _child(parent: Page, model, slug: str, **fields):
    """Return the live child ``slug`` of ``parent``, creating and publishing it."""
    existing = parent.get_children().filter(slug=slug).specific().first()
    if existing is not None:
        return existing
    page = model(slug=slug, **fields)
    add_and_publish(parent, page, user=fields.get("owner"))
    return page


def point_default_site(hostname: str, port: int) -> str:
    """Make the default Site the address the demo is served on, so every
    absolute URL (feeds, sitemap, calendars, Open Graph, the API) works
    there; returns its root URL."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        raise RuntimeError("No default site: run migrate first.")
    if (site.hostname, site.port) != (hostname, port):
        site.hostname, site.port = hostname, port
        site.save()
    return site.root_url


def example_variables() -> dict[str, str]:
    """The shell variables the README's API examples use, found by slug and
    title (ids differ from one database to the next)."""
    site = Site.objects.get(is_default_site=True)
    return {
        "B": site.root_url,
        "SIEGE": str(Book.objects.get(title="The Siege").pk),
        "BETRAYAL": str(Book.objects.get(title="The Betrayal").pk),
        "SERIES": str(SeriesPage.objects.get(slug="leningrad").pk),
        "REVIEW": str(ReviewPage.objects.get(slug="the-betrayal-after-the-siege").pk),
        # The coming meeting: its RSVPs and comments are what the examples show.
        "DISCUSSION": str(DiscussionPage.objects.get(slug="the-betrayal").pk),
    }


@transaction.atomic
def load_demo() -> DemoResult:
    result = DemoResult(created=[])
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        raise RuntimeError("No default site: run migrate first.")
    home = site.root_page.specific

    users = {
        username: _user(
            username,
            user.first_name,
            user.last_name,
            **({"is_staff": True} if user.is_staff else {}),
            **({"is_superuser": True} if user.is_superuser else {}),
        )
        for username, user in content.USERS.items()
    }
    books = {key: _book(book) for key, book in content.BOOKS.items()}

    reviews_index = _child(
        home,
        ReviewIndexPage,
        "reviews",
        title="Reviews",
        intro=content.REVIEW_INDEX_INTRO,
    )
    series_index = _child(home, SeriesIndexPage, "series", title="Series")
    discussions_index = _child(
        home,
        DiscussionIndexPage,
        "discussions",
        title="Discussions",
        intro=content.DISCUSSION_INDEX_INTRO,
    )

    groups = ensure_groups(reviews_index)
    for name in content.EDITOR_NAMES:
        users[name].groups.add(groups[EDITORS], groups[MODERATORS])
    for name in content.MEMBER_NAMES:
        users[name].groups.add(groups[MEMBERS])

    series = content.SERIES
    leningrad = _child(
        series_index,
        SeriesPage,
        series.slug,
        title=series.title,
        author=series.author,
        description=series.description,
        entries=[
            SeriesEntry(book=books[key], position=position)
            for position, key in enumerate(series.books, start=1)
        ],
    )
    result.note(f"series {leningrad.title}")

    for review in content.REVIEWS:
        if review.draft:
            _draft_review(reviews_index, review, users, books)
        else:
            _child(
                reviews_index, ReviewPage, review.slug, **_review(review, users, books)
            )

    discussion = None
    for meeting in content.DISCUSSIONS:
        day = timezone.localdate() + timedelta(days=meeting.in_days)
        discussion = _child(
            discussions_index,
            DiscussionPage,
            meeting.slug,
            title=meeting.title,
            book=books[meeting.book],
            starts_at=_at_local(day, meeting.at),
            location=meeting.location,
            online_url=meeting.online_url,
            host=display_name(users[meeting.host]),
            intro=meeting.intro,
            questions=[question(q.text, chapter=q.chapter) for q in meeting.questions],
        )
    assert discussion is not None  # noqa: S101 (the data names a coming meeting)
    _comments(discussion, users)
    _club_life(discussion, users, books)

    for member, book, chapter, finished in content.PROGRESS:
        _progress(users[member], books[book], chapter=chapter, finished=finished)
    for member, book in content.FOLLOWED_BOOKS:
        Follow.objects.get_or_create(member=users[member], book=books[book])
    for member in content.FOLLOWED_DISCUSSION_BY:
        Follow.objects.get_or_create(member=users[member], discussion=discussion)

    result.note("books, reviews, a discussion, members and progress")
    return result


def _block(block: Block, books: dict[str, Book]) -> StreamBlockData:
    if isinstance(block, content.Para):
        return paragraph(block.text)
    if isinstance(block, content.Heading):
        return heading(block.text)
    if isinstance(block, content.Quote):
        return quote(block.text, block.attribution)
    return spoiler(
        block.label,
        [paragraph(text) for text in block.texts],
        spoils=books[block.book].pk,
        chapter=block.chapter,
    )


def _review(
    review: DemoReview, users: dict[str, Any], books: dict[str, Book]
) -> dict[str, Any]:
    """A review page's fields from its data."""
    return {
        "title": review.title,
        "owner": users[review.reviewer],
        "reviewer": users[review.reviewer],
        "book": books[review.book],
        "rating": review.rating,
        "summary": review.summary,
        "body": [_block(block, books) for block in review.body],
    }


def _book(data: DemoBook) -> Book:
    """The demo's book, created once; a book loaded by an older demo gets the
    chapter count and ISBN it lacked (real ones, from a published edition)."""
    book = Book.objects.filter(title=data.title, author=data.author).first()
    if book is None:
        return Book.objects.create(
            title=data.title,
            author=data.author,
            published_year=data.year,
            chapter_count=data.chapter_count,
            isbn13=data.isbn13,
            cover=_cover(data.title, data.colour),
        )
    changed = []
    if book.chapter_count is None and data.chapter_count is not None:
        book.chapter_count = data.chapter_count
        changed.append("chapter_count")
    isbn13 = data.isbn13
    if not book.isbn13 and isbn13 and not Book.objects.filter(isbn13=isbn13).exists():
        book.isbn13 = isbn13
        changed.append("isbn13")
    if changed:
        book.save(update_fields=changed)
    return book


def _draft_review(
    index: ReviewIndexPage,
    review: DemoReview,
    users: dict[str, Any],
    books: dict[str, Book],
) -> None:
    """A member's review waiting for an editor, to show moderation."""
    if index.get_children().filter(slug=review.slug).exists():
        return
    page = ReviewPage(slug=review.slug, live=False, **_review(review, users, books))
    index.add_child(instance=page)
    member = users[review.reviewer]
    page.save_revision(user=member)
    workflow = page.get_workflow()
    if workflow is not None:
        workflow.start(page, member)


def _comments(discussion: DiscussionPage, users: dict[str, Any]) -> None:
    if discussion.comments.exists():
        return
    by_key: dict[str, DiscussionComment] = {}
    for comment in content.COMMENTS:
        saved = DiscussionComment.objects.create(
            page=discussion,
            author=users[comment.author],
            body=comment.body,
            chapter=comment.chapter,
            parent=by_key[comment.reply_to] if comment.reply_to else None,
        )
        if comment.key:
            by_key[comment.key] = saved


def _club_life(
    discussion: DiscussionPage, users: dict[str, Any], books: dict[str, Book]
) -> None:
    """RSVPs for the meeting and an open next-book round with nominations."""
    for member, answer in content.RSVPS:
        MeetingRSVP.objects.get_or_create(
            page=discussion, member=users[member], defaults={"answer": answer}
        )
    data = content.NOMINATION_ROUND
    if NominationRound.objects.filter(title=data.title).exists():
        return
    today = timezone.localdate()
    next_round = NominationRound.objects.create(
        title=data.title,
        description=data.description,
        opens_at=_at_local(today + timedelta(days=data.opens_in_days), data.opens_at),
        closes_at=_at_local(
            today + timedelta(days=data.closes_in_days), data.closes_at
        ),
        created_by=users[data.created_by],
    )
    for nomination in content.NOMINATIONS:
        saved = Nomination.objects.create(
            round=next_round,
            book=books[nomination.book],
            nominated_by=users[nomination.nominated_by],
            pitch=nomination.pitch,
        )
        for voter in nomination.voters:
            Vote.objects.create(round=next_round, nomination=saved, member=users[voter])


def _at_local(day: date, at: time) -> datetime:
    """``at`` o'clock on ``day`` in the club's time zone."""
    return timezone.make_aware(datetime.combine(day, at))


def _progress(member, book, *, chapter=None, finished=False) -> None:
    ReadingProgress.objects.get_or_create(
        member=member,
        book=book,
        defaults={
            "chapter": chapter,
            "finished": finished,
            "started_at": date.today() - timedelta(days=30),
            "finished_at": date.today() if finished else None,
        },
    )
