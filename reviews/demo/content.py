"""The demo club's content, as data: what ``loader`` builds.

All text here is written for this project. Books, members and pages are
named by keys (``"siege"``, ``"alice"``) that the loader resolves; days are
counted from the day the demo is loaded, times are the club's local time.
"""

from __future__ import annotations

from datetime import time

from .schema import (
    DemoBook,
    DemoComment,
    DemoDiscussion,
    DemoNomination,
    DemoQuestion,
    DemoReview,
    DemoRound,
    DemoSeries,
    DemoUser,
    Heading,
    Para,
    Quote,
    Spoiler,
)

DEMO_PASSWORDS = {
    "admin": "club-admin",
    "editor": "club-editor",
    "alice": "club-alice",
    "bruno": "club-bruno",
}


USERS = {
    "admin": DemoUser("Ada", "Admin", is_staff=True, is_superuser=True),
    "editor": DemoUser("Edith", "Editor"),
    "alice": DemoUser("Alice", "Marsh"),
    "bruno": DemoUser("Bruno", "Keller"),
}
EDITOR_NAMES = ("editor",)
MEMBER_NAMES = ("alice", "bruno")

# Chapters and ISBNs are real ones, from a published edition; a book whose
# chapters no source confirms stays uncounted.
BOOKS = {
    # ISBNs: the Grove Press (US) paperbacks; The Betrayal's is the one its
    # publisher lists (groveatlantic.com, 978-0-8021-7088-0).
    # The Siege's 30 chapters come from the first demo; no source found here
    # confirms or corrects them.
    "siege": DemoBook(
        "The Siege", "Helen Dunmore", 2001, (90, 40, 40), 30, "9780802139580"
    ),
    # The Betrayal's chapters are not counted: no publisher page, contents or
    # study guide found gives their number, and the demo invents none.
    "betrayal": DemoBook(
        "The Betrayal", "Helen Dunmore", 2010, (40, 60, 90), None, "9780802170880"
    ),
    # Middlemarch, Persuasion and North and South: the chapters of Project
    # Gutenberg's editions (86 beside a prelude and a finale; 24 in two
    # volumes; 52); ISBNs of the Penguin Classics paperbacks.
    "middlemarch": DemoBook(
        "Middlemarch", "George Eliot", 1871, (60, 90, 60), 86, "9780141439549"
    ),
    "persuasion": DemoBook(
        "Persuasion", "Jane Austen", 1817, (70, 70, 110), 24, "9780141439686"
    ),
    "north": DemoBook(
        "North and South",
        "Elizabeth Gaskell",
        1855,
        (110, 80, 40),
        52,
        "9780140434248",
    ),
    # Project Gutenberg's contents: the First Period's 23 chapters, then the
    # Second Period's eight narratives (8, 3, 10, 1, 1, 5, 1 and 1 sections,
    # each unnumbered narrative one section), then the epilogue's three
    # parts. A reader counts them in one run, as they come: 23 + 30 + 3 = 56
    # (the prologue comes before chapter 1). ISBN: Penguin Classics.
    "moonstone": DemoBook(
        "The Moonstone", "Wilkie Collins", 1868, (40, 90, 90), 56, "9780140434088"
    ),
    # Life and Fate numbers its chapters afresh in each of its three parts, so
    # one count would match no edition's headings; it stays uncounted. ISBN: the
    # New York Review Books paperback.
    "grossman": DemoBook(
        "Life and Fate", "Vasily Grossman", 1980, (70, 70, 40), None, "9781590172018"
    ),
}

REVIEW_INDEX_INTRO = "What the club thought, spoiler-free until you choose otherwise."
DISCUSSION_INDEX_INTRO = "Our meetings, in person and online."

SERIES = DemoSeries(
    slug="leningrad",
    title="The Leningrad novels",
    author="Helen Dunmore",
    description=(
        "<p>Two novels about one family in Leningrad: the first during the "
        "siege of 1941, the second in the last years of Stalin.</p>"
    ),
    books=("siege", "betrayal"),
)

REVIEWS = (
    DemoReview(
        slug="the-siege-cold-and-bread",
        title="Cold, bread and a family that holds",
        reviewer="alice",
        book="siege",
        rating=4.5,
        summary=(
            "A winter novel about keeping a family alive, told in small, exact "
            "details. Slow to start, impossible to put down."
        ),
        body=(
            Para(
                "Dunmore writes hunger the way other novelists write love: "
                "every crumb counts, and so does every kindness."
            ),
            Quote(
                "Warmth is something you make, a little at a time.",
                "Our paraphrase of the book's spirit",
            ),
            Spoiler(
                "siege",
                12,
                "Who joins the household in the first winter",
                (
                    "By the middle of the book the flat holds more people than "
                    "anyone planned for, and the extra mouths change everything.",
                ),
            ),
            Para("Read it in winter, with the heating on."),
        ),
    ),
    DemoReview(
        slug="the-betrayal-after-the-siege",
        title="After the siege, a quieter fear",
        reviewer="bruno",
        book="betrayal",
        rating=4.0,
        summary=(
            "The sequel trades hunger for suspicion: a doctor, a sick child and "
            "a state that listens. You can read it on its own."
        ),
        body=(
            Spoiler(
                "siege",
                None,
                "How the first novel ends, and who survives it",
                (
                    "The Betrayal opens years later, and it tells you at once who "
                    "came through the siege and who did not.",
                ),
            ),
            Para(
                "The fear here is quieter than in the first book, and it lasts "
                "longer: nobody knows which conversation will be remembered."
            ),
            Spoiler(
                "betrayal",
                10,
                "The patient who changes everything",
                (
                    "The child Andrei is asked to treat is the son of a powerful "
                    "man, and from then on every decision is dangerous.",
                ),
            ),
        ),
    ),
    DemoReview(
        slug="middlemarch-a-town-of-minds",
        title="A whole town, thinking",
        reviewer="alice",
        book="middlemarch",
        rating=5.0,
        summary="Long, generous and funny. The best novel about marriage we have read.",
        body=(
            Para(
                "Eliot follows four marriages and a town that talks about all of them."
            ),
            Spoiler(
                "middlemarch",
                20,
                "What Dorothea learns in Rome",
                ("Her honeymoon shows her, early, what her marriage will be.",),
            ),
        ),
    ),
    DemoReview(
        slug="middlemarch-second-opinion",
        title="A second opinion on Middlemarch",
        reviewer="bruno",
        book="middlemarch",
        rating=3.5,
        summary="Worth it, but bring patience for the middle third.",
        body=(Para("I liked Mary Garth more than anyone else in the book."),),
        draft=True,
    ),
    DemoReview(
        slug="persuasion-second-chances",
        title="Second chances, eight years late",
        reviewer="bruno",
        book="persuasion",
        rating=4.5,
        summary="Austen's quietest novel, and her most grown-up. A book about "
        "regret that somehow ends up hopeful.",
        body=(
            Para("Anne Elliot is the heroine you root for without being told to."),
            Spoiler(
                "persuasion",
                23,
                "The letter",
                (
                    "The letter in chapter 23 is the most famous paragraph Austen "
                    "wrote, and it earns every bit of its reputation.",
                ),
            ),
        ),
    ),
    DemoReview(
        slug="north-and-south-mills-and-manners",
        title="Mills, manners and a long argument",
        reviewer="alice",
        book="north",
        rating=4.0,
        summary="A romance conducted as a debate about work and fairness. "
        "Better than its reputation as 'Pride and Prejudice with factories'.",
        body=(
            Para("Gaskell gives the strike as much room as the courtship."),
            Heading("What the club argued about"),
            Para("Whether Margaret changes Thornton more than he changes her."),
        ),
    ),
    DemoReview(
        slug="the-moonstone-many-narrators",
        title="A diamond, a country house and seven narrators",
        reviewer="editor",
        book="moonstone",
        rating=3.5,
        summary="The first great English detective novel, told by people who "
        "each know only part of the story. Long, but great fun.",
        body=(
            Para("The butler's narration alone is worth the price."),
            Spoiler(
                "moonstone",
                None,
                "Who took the diamond",
                (
                    "The thief is the last person the household suspects, and "
                    "does not know it either.",
                ),
            ),
        ),
    ),
)

#: The last one is the coming meeting: it gets the comments, RSVPs and follows.
DISCUSSIONS = (
    DemoDiscussion(
        slug="persuasion",
        title="Persuasion, the whole book",
        book="persuasion",
        in_days=-30,
        at=time(19, 0),
        location="The back room, Corner Café",
        host="alice",
        intro="<p>We read the whole novel for this one.</p>",
        questions=(DemoQuestion("Was Lady Russell wrong?"),),
    ),
    DemoDiscussion(
        slug="the-betrayal",
        title="The Betrayal, chapters 1 to 20",
        book="betrayal",
        in_days=14,
        at=time(19, 30),
        location="The back room, Corner Café",
        online_url="https://meet.example.org/bookclub",
        host="editor",
        intro=(
            "<p>Read as far as you like: questions past your chapter stay closed.</p>"
        ),
        questions=(
            DemoQuestion("How does the opening set the tone?"),
            DemoQuestion("Should Andrei have taken the case?", chapter=10),
            DemoQuestion("Who betrays whom, in the end?", chapter=20),
        ),
    ),
)

# Spread over the book, with replies, so that a member at chapter 5 sees the
# early ones and a collapsed count of the rest.
COMMENTS = (
    DemoComment(
        "alice",
        "The opening chapters feel calm, and that is what makes them tense.",
        2,
        key="first",
    ),
    DemoComment(
        "bruno",
        "Agreed. The quiet is the point: everyone is listening.",
        3,
        reply_to="first",
    ),
    DemoComment("alice", "Anna's drawings say more than her conversations do.", 4),
    DemoComment(
        "bruno", "Chapter 7 changes the temperature of the whole book.", 7, key="seven"
    ),
    DemoComment(
        "alice",
        "Yes, and Andrei notices it later than the reader does.",
        9,
        reply_to="seven",
    ),
    DemoComment(
        "bruno",
        "Chapter 12 is where the dread really starts. For the history, see "
        "https://en.wikipedia.org/wiki/Doctors%27_plot",
        12,
    ),
    DemoComment(
        "bruno", "The hospital scenes in chapter 15 are the best writing here.", 15
    ),
    DemoComment("bruno", "Chapter 18 made me put the book down for a day.", 18),
    DemoComment("bruno", "I did not see the last turn coming.", None, key="ending"),
    DemoComment(
        "alice",
        "Neither did I. The final pages are almost gentle.",
        None,
        reply_to="ending",
    ),
)

RSVPS = (("alice", "going"), ("bruno", "maybe"), ("editor", "going"))

# On the hour in the club's time zone, as a club would set them.
NOMINATION_ROUND = DemoRound(
    title="What do we read after The Betrayal?",
    description="Something long for the winter. Nominate one book each.",
    opens_in_days=-2,
    opens_at=time(9, 0),
    closes_in_days=10,
    closes_at=time(20, 0),
    created_by="editor",
)
NOMINATIONS = (
    DemoNomination(
        "grossman",
        "alice",
        "The same years as The Betrayal, seen from the front and the camps.",
        voters=("alice",),
    ),
    DemoNomination(
        "middlemarch",
        "bruno",
        "Half of us never finished it. A second, slower attempt together?",
        voters=("bruno",),
    ),
)

#: (member, book, chapter reached, finished)
PROGRESS = (
    ("alice", "siege", None, True),
    ("alice", "betrayal", 5, False),
    ("alice", "middlemarch", None, True),
    ("bruno", "siege", None, True),
    ("bruno", "betrayal", None, True),
)
# Alice hears about new reviews of the book she is reading, written for where
# she is in it (the console prints them in development), and about the
# coming meeting.
FOLLOWED_BOOKS = (("alice", "betrayal"),)
FOLLOWED_DISCUSSION_BY = ("alice",)
