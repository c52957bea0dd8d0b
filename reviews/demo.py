"""The demo club: a small, working club built by ``manage.py load_demo``.

All text here is written for this project. Every step looks for what it would
create first, so running it again changes nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from .models import (
    Book,
    DiscussionComment,
    DiscussionIndexPage,
    DiscussionPage,
    Follow,
    ReadingProgress,
    ReviewIndexPage,
    ReviewPage,
    SeriesEntry,
    SeriesIndexPage,
    SeriesPage,
)
from .roles import EDITORS, MEMBERS, MODERATORS, ensure_groups
from .stream_values import (
    StreamBlockData,
    heading,
    paragraph,
    question,
    quote,
    spoiler,
)

DEMO_PASSWORDS = {
    "admin": "club-admin",
    "editor": "club-editor",
    "alice": "club-alice",
    "bruno": "club-bruno",
}


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
    parent.add_child(instance=page)
    page.save_revision(user=fields.get("owner")).publish()
    return page


def _spoiler(
    book: Book | None, chapter: int | None, label: str, *texts: str
) -> StreamBlockData:
    content = [paragraph(text) for text in texts]
    return spoiler(label, content, spoils=book.pk if book else None, chapter=chapter)


def point_default_site(hostname: str, port: int) -> str:
    """Make the default Site the address the demo is served on, so every
    absolute URL (feeds, sitemap, calendars, Open Graph, the API) works
    there; returns its root URL."""
    site = Site.objects.get(is_default_site=True)
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

    admin = _user("admin", "Ada", "Admin", is_staff=True, is_superuser=True)
    editor = _user("editor", "Edith", "Editor")
    alice = _user("alice", "Alice", "Marsh")
    bruno = _user("bruno", "Bruno", "Keller")

    # ISBNs: the Grove Press (US) paperbacks; The Betrayal's is the one its
    # publisher lists (groveatlantic.com, 978-0-8021-7088-0).
    # The Siege's 30 chapters come from the first demo; no source found here
    # confirms or corrects them.
    siege = _book(
        "The Siege",
        "Helen Dunmore",
        2001,
        (90, 40, 40),
        chapter_count=30,
        isbn13="9780802139580",
    )
    # The Betrayal's chapters are not counted: no publisher page, contents or
    # study guide found gives their number, and the demo invents none.
    betrayal = _book(
        "The Betrayal", "Helen Dunmore", 2010, (40, 60, 90), isbn13="9780802170880"
    )
    # Middlemarch, Persuasion and North and South: the chapters of Project
    # Gutenberg's editions (86 beside a prelude and a finale; 24 in two
    # volumes; 52); ISBNs of the Penguin Classics paperbacks.
    middlemarch = _book(
        "Middlemarch",
        "George Eliot",
        1871,
        (60, 90, 60),
        chapter_count=86,
        isbn13="9780141439549",
    )

    reviews_index = _child(
        home,
        ReviewIndexPage,
        "reviews",
        title="Reviews",
        intro="What the club thought, spoiler-free until you choose otherwise.",
    )
    series_index = _child(home, SeriesIndexPage, "series", title="Series")
    discussions_index = _child(
        home,
        DiscussionIndexPage,
        "discussions",
        title="Discussions",
        intro="Our meetings, in person and online.",
    )

    groups = ensure_groups(reviews_index)
    editor.groups.add(groups[EDITORS], groups[MODERATORS])
    alice.groups.add(groups[MEMBERS])
    bruno.groups.add(groups[MEMBERS])

    leningrad = _child(
        series_index,
        SeriesPage,
        "leningrad",
        title="The Leningrad novels",
        author="Helen Dunmore",
        description=(
            "<p>Two novels about one family in Leningrad: the first during the "
            "siege of 1941, the second in the last years of Stalin.</p>"
        ),
        entries=[
            SeriesEntry(book=siege, position=1),
            SeriesEntry(book=betrayal, position=2),
        ],
    )
    result.note(f"series {leningrad.title}")

    _child(
        reviews_index,
        ReviewPage,
        "the-siege-cold-and-bread",
        title="Cold, bread and a family that holds",
        owner=alice,
        reviewer=alice,
        book=siege,
        rating=4.5,
        summary=(
            "A winter novel about keeping a family alive, told in small, exact "
            "details. Slow to start, impossible to put down."
        ),
        body=[
            paragraph(
                "Dunmore writes hunger the way other novelists write love: "
                "every crumb counts, and so does every kindness."
            ),
            quote(
                "Warmth is something you make, a little at a time.",
                "Our paraphrase of the book's spirit",
            ),
            _spoiler(
                siege,
                12,
                "Who joins the household in the first winter",
                "By the middle of the book the flat holds more people than "
                "anyone planned for, and the extra mouths change everything.",
            ),
            paragraph("Read it in winter, with the heating on."),
        ],
    )
    _child(
        reviews_index,
        ReviewPage,
        "the-betrayal-after-the-siege",
        title="After the siege, a quieter fear",
        owner=bruno,
        reviewer=bruno,
        book=betrayal,
        rating=4.0,
        summary=(
            "The sequel trades hunger for suspicion: a doctor, a sick child and "
            "a state that listens. You can read it on its own."
        ),
        body=[
            _spoiler(
                siege,
                None,
                "How the first novel ends, and who survives it",
                "The Betrayal opens years later, and it tells you at once who "
                "came through the siege and who did not.",
            ),
            paragraph(
                "The fear here is quieter than in the first book, and it lasts "
                "longer: nobody knows which conversation will be remembered."
            ),
            _spoiler(
                betrayal,
                10,
                "The patient who changes everything",
                "The child Andrei is asked to treat is the son of a powerful "
                "man, and from then on every decision is dangerous.",
            ),
        ],
    )
    _child(
        reviews_index,
        ReviewPage,
        "middlemarch-a-town-of-minds",
        title="A whole town, thinking",
        owner=alice,
        reviewer=alice,
        book=middlemarch,
        rating=5.0,
        summary="Long, generous and funny. The best novel about marriage we have read.",
        body=[
            paragraph(
                "Eliot follows four marriages and a town that talks about all of them."
            ),
            _spoiler(
                middlemarch,
                20,
                "What Dorothea learns in Rome",
                "Her honeymoon shows her, early, what her marriage will be.",
            ),
        ],
    )
    _draft_review(reviews_index, bruno, middlemarch)
    more_books = _more_reviews(reviews_index, alice, bruno, editor)
    _past_discussion(discussions_index, more_books["persuasion"])

    meeting_day = timezone.localdate() + timedelta(days=14)
    discussion = _child(
        discussions_index,
        DiscussionPage,
        "the-betrayal",
        title="The Betrayal, chapters 1 to 20",
        book=betrayal,
        starts_at=_at_local(meeting_day, time(19, 30)),
        location="The back room, Corner Café",
        online_url="https://meet.example.org/bookclub",
        host="Edith",
        intro=(
            "<p>Read as far as you like: questions past your chapter stay closed.</p>"
        ),
        questions=[
            question("How does the opening set the tone?"),
            question("Should Andrei have taken the case?", chapter=10),
            question("Who betrays whom, in the end?", chapter=20),
        ],
    )
    _comments(discussion, alice, bruno)
    _club_life(discussion, editor, alice, bruno)

    _progress(alice, siege, finished=True)
    _progress(alice, betrayal, chapter=5)
    _progress(alice, middlemarch, finished=True)
    _progress(bruno, siege, finished=True)
    _progress(bruno, betrayal, finished=True)
    # Alice hears about new reviews of the book she is reading, written for
    # where she is in it (the console prints them in development).
    Follow.objects.get_or_create(member=alice, book=betrayal)
    Follow.objects.get_or_create(member=alice, discussion=discussion)

    result.note("books, reviews, a discussion, members and progress")
    del admin
    return result


def _more_reviews(index: ReviewIndexPage, alice, bruno, editor) -> dict[str, Book]:
    """Three more books and reviews, so lists, filters and pages have content."""
    books = {
        "persuasion": _book(
            "Persuasion",
            "Jane Austen",
            1817,
            (70, 70, 110),
            chapter_count=24,
            isbn13="9780141439686",
        ),
        "north": _book(
            "North and South",
            "Elizabeth Gaskell",
            1855,
            (110, 80, 40),
            chapter_count=52,
            isbn13="9780140434248",
        ),
        # Project Gutenberg's contents: the First Period's 23 chapters, then the
        # Second Period's eight narratives (8, 3, 10, 1, 1, 5, 1 and 1 sections,
        # each unnumbered narrative one section), then the epilogue's three
        # parts. A reader counts them in one run, as they come: 23 + 30 + 3 = 56
        # (the prologue comes before chapter 1). ISBN: Penguin Classics.
        "moonstone": _book(
            "The Moonstone",
            "Wilkie Collins",
            1868,
            (40, 90, 90),
            chapter_count=56,
            isbn13="9780140434088",
        ),
    }
    _child(
        index,
        ReviewPage,
        "persuasion-second-chances",
        title="Second chances, eight years late",
        owner=bruno,
        reviewer=bruno,
        book=books["persuasion"],
        rating=4.5,
        summary="Austen's quietest novel, and her most grown-up. A book about "
        "regret that somehow ends up hopeful.",
        body=[
            paragraph("Anne Elliot is the heroine you root for without being told to."),
            _spoiler(
                books["persuasion"],
                23,
                "The letter",
                "The letter in chapter 23 is the most famous paragraph Austen "
                "wrote, and it earns every bit of its reputation.",
            ),
        ],
    )
    _child(
        index,
        ReviewPage,
        "north-and-south-mills-and-manners",
        title="Mills, manners and a long argument",
        owner=alice,
        reviewer=alice,
        book=books["north"],
        rating=4.0,
        summary="A romance conducted as a debate about work and fairness. "
        "Better than its reputation as 'Pride and Prejudice with factories'.",
        body=[
            paragraph("Gaskell gives the strike as much room as the courtship."),
            heading("What the club argued about"),
            paragraph("Whether Margaret changes Thornton more than he changes her."),
        ],
    )
    _child(
        index,
        ReviewPage,
        "the-moonstone-many-narrators",
        title="A diamond, a country house and seven narrators",
        owner=editor,
        reviewer=editor,
        book=books["moonstone"],
        rating=3.5,
        summary="The first great English detective novel, told by people who "
        "each know only part of the story. Long, but great fun.",
        body=[
            paragraph("The butler's narration alone is worth the price."),
            _spoiler(
                books["moonstone"],
                None,
                "Who took the diamond",
                "The thief is the last person the household suspects, and "
                "does not know it either.",
            ),
        ],
    )
    return books


def _past_discussion(index: DiscussionIndexPage, book: Book) -> None:
    last_month = timezone.localdate() - timedelta(days=30)
    _child(
        index,
        DiscussionPage,
        "persuasion",
        title="Persuasion, the whole book",
        book=book,
        starts_at=_at_local(last_month, time(19, 0)),
        location="The back room, Corner Café",
        host="Alice",
        intro="<p>We read the whole novel for this one.</p>",
        questions=[
            question("Was Lady Russell wrong?"),
        ],
    )


def _book(title, author, year, colour, chapter_count=None, isbn13=None) -> Book:
    """The demo's book, created once; a book loaded by an older demo gets the
    chapter count and ISBN it lacked (real ones, from a published edition)."""
    book = Book.objects.filter(title=title, author=author).first()
    if book is None:
        return Book.objects.create(
            title=title,
            author=author,
            published_year=year,
            chapter_count=chapter_count,
            isbn13=isbn13,
            cover=_cover(title, colour),
        )
    changed = []
    if book.chapter_count is None and chapter_count is not None:
        book.chapter_count = chapter_count
        changed.append("chapter_count")
    if not book.isbn13 and isbn13 and not Book.objects.filter(isbn13=isbn13).exists():
        book.isbn13 = isbn13
        changed.append("isbn13")
    if changed:
        book.save(update_fields=changed)
    return book


def _draft_review(index: ReviewIndexPage, member, book: Book) -> None:
    """A member's review waiting for an editor, to show moderation."""
    if index.get_children().filter(slug="middlemarch-second-opinion").exists():
        return
    page = ReviewPage(
        title="A second opinion on Middlemarch",
        slug="middlemarch-second-opinion",
        owner=member,
        reviewer=member,
        book=book,
        rating=3.5,
        summary="Worth it, but bring patience for the middle third.",
        body=[paragraph("I liked Mary Garth more than anyone else in the book.")],
        live=False,
    )
    index.add_child(instance=page)
    revision = page.save_revision(user=member)
    workflow = page.get_workflow()
    if workflow is not None:
        workflow.start(page, member)
    del revision


def _comments(discussion: DiscussionPage, alice, bruno) -> None:
    """Comments spread over the book, with replies, so that a member at
    chapter 5 sees the early ones and a collapsed count of the rest."""
    if discussion.comments.exists():
        return

    def say(author, body, chapter, parent=None) -> DiscussionComment:
        return DiscussionComment.objects.create(
            page=discussion, author=author, body=body, chapter=chapter, parent=parent
        )

    first = say(
        alice,
        "The opening chapters feel calm, and that is what makes them tense.",
        2,
    )
    say(bruno, "Agreed. The quiet is the point: everyone is listening.", 3, first)
    say(alice, "Anna's drawings say more than her conversations do.", 4)
    seven = say(bruno, "Chapter 7 changes the temperature of the whole book.", 7)
    say(alice, "Yes, and Andrei notices it later than the reader does.", 9, seven)
    say(
        bruno,
        "Chapter 12 is where the dread really starts. For the history, see "
        "https://en.wikipedia.org/wiki/Doctors%27_plot",
        12,
    )
    say(bruno, "The hospital scenes in chapter 15 are the best writing here.", 15)
    say(bruno, "Chapter 18 made me put the book down for a day.", 18)
    ending = say(bruno, "I did not see the last turn coming.", None)
    say(alice, "Neither did I. The final pages are almost gentle.", None, ending)


def _club_life(discussion: DiscussionPage, editor, alice, bruno) -> None:
    """RSVPs for the meeting and an open next-book round with nominations."""
    from .models import MeetingRSVP, Nomination, NominationRound, Vote

    for member, answer in (
        (alice, MeetingRSVP.Answer.GOING),
        (bruno, MeetingRSVP.Answer.MAYBE),
        (editor, MeetingRSVP.Answer.GOING),
    ):
        MeetingRSVP.objects.get_or_create(
            page=discussion, member=member, defaults={"answer": answer}
        )

    title = "What do we read after The Betrayal?"
    if NominationRound.objects.filter(title=title).exists():
        return
    # Life and Fate numbers its chapters afresh in each of its three parts, so
    # one count would match no edition's headings; it stays uncounted. ISBN: the
    # New York Review Books paperback.
    grossman = _book(
        "Life and Fate", "Vasily Grossman", 1980, (70, 70, 40), isbn13="9781590172018"
    )
    middlemarch = Book.objects.get(title="Middlemarch")
    next_round = NominationRound.objects.create(
        title=title,
        description="Something long for the winter. Nominate one book each.",
        # On the hour in the club's time zone, as a club would set them.
        opens_at=_at_local(timezone.localdate() - timedelta(days=2), time(9, 0)),
        closes_at=_at_local(timezone.localdate() + timedelta(days=10), time(20, 0)),
        created_by=editor,
    )
    epic = Nomination.objects.create(
        round=next_round,
        book=grossman,
        nominated_by=alice,
        pitch="The same years as The Betrayal, seen from the front and the camps.",
    )
    reread = Nomination.objects.create(
        round=next_round,
        book=middlemarch,
        nominated_by=bruno,
        pitch="Half of us never finished it. A second, slower attempt together?",
    )
    Vote.objects.create(round=next_round, nomination=epic, member=alice)
    Vote.objects.create(round=next_round, nomination=reread, member=bruno)


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
