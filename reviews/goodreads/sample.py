"""A generator of realistic Goodreads exports, for tests and benchmarks.

Deterministic for a given seed. Spoiler passages are drawn from
:data:`SPOILER_SENTENCES`, which share no sentence with :data:`REVIEW_SENTENCES`,
so a test can check that no spoiler sentence ever ends up outside a spoiler.
Every 100th row (index 37, 137, …) is deliberately invalid, see
:data:`BAD_ROW_KINDS`.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from ..isbn import isbn13_to_isbn10
from .rows import EXPORT_COLUMNS

__all__ = [
    "BAD_ROW_KINDS",
    "REVIEW_SENTENCES",
    "SPOILER_SENTENCES",
    "is_bad_row",
    "make_export_csv",
]

_WORDS = (
    "shadow glass river crown winter ember iron salt hollow silver garden tide "
    "ash wolf storm lantern orchard harbour raven thorn citadel quiet empire "
    "letters midnight paper bone summer ghost kingdom witch archive"
).split()
_AUTHORS = (
    "Ursula K. Le Guin", "Terry Pratchett", "N.K. Jemisin", "Tamsyn Muir",
    "K.J. Parker", "Ann Leckie", "Becky Chambers", "Gene Wolfe", "Jo Walton",
    "Adrian Tchaikovsky", "Martha Wells", "Robin Hobb", "Iain M. Banks",
    "Susanna Clarke", "Octavia E. Butler", "Ted Chiang", "Kazuo Ishiguro",
    "Hilary Mantel", "Zadie Smith", "Chimamanda Ngozi Adichie",
)  # fmt: skip
_SERIES = (
    "The Siege", "The Locked Tomb", "Discworld", "The Broken Earth",
    "Imperial Radch", "Wayfarers", "The Murderbot Diaries", "Realm of the Elderlings",
    "Culture", "Book of the New Sun", "Wolf Hall",
)  # fmt: skip
_IMPRINTS = ("Penguin Classics", "Vintage International", "Illustrated Edition")
_SHELVES = (
    ("read", 70), ("to-read", 20), ("currently-reading", 7), ("did-not-finish", 3),
)  # fmt: skip
REVIEW_SENTENCES = (
    "I did not expect to like this as much as I did.",
    "The prose is lovely, if a little slow in the middle.",
    'The narrator calls herself "a reasonable person", which she is not.',
    "Three stars for the plot, five for the world-building, and a half for the ending.",
    "Our club argued about chapter four for an hour, happily.",
    "It reads fast, but it lingers, like good tea.",
    "Recommended to anyone who liked the author's earlier books, & to no one else.",
    "The dialogue sparkles; the villains, sadly, do not.",
)
SPOILER_SENTENCES = (
    "The mapmaker was the traitor all along.",
    "Harrow survives the duel by swapping bodies with her cavalier.",
    "The city falls on the last page and nobody comes to save it.",
    "The narrator has been dead since the prologue.",
    "Both sisters inherit the crown and split the kingdom in two.",
)
_SEQUEL_URL = "https://www.goodreads.com/book/show/1"
BAD_ROW_KINDS = (
    "rating out of range",
    "date with dashes",
    "ISBN check digit",
    "missing title",
    "impossible date",
)


def is_bad_row(index: int) -> bool:
    """Whether row ``index`` (0-based) of :func:`make_export_csv` is invalid."""
    return index % 100 == 37


def _isbn13(rng: random.Random) -> str:
    body = "978" + "".join(str(rng.randrange(10)) for _ in range(9))
    total = sum((3 if i % 2 else 1) * int(d) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _review(rng: random.Random) -> tuple[str, bool]:
    """(review HTML, whole-review spoiler flag)."""
    paragraphs = []
    for _ in range(rng.randint(1, 4)):
        sentences = rng.sample(REVIEW_SENTENCES, rng.randint(1, 3))
        text = " ".join(sentences)
        if rng.random() < 0.2:
            text = f"<b>{text}</b>"
        elif rng.random() < 0.2:
            text = text.replace("lovely", "<i>lovely</i>")
        if rng.random() < 0.1:
            text += f' See <a href="{_SEQUEL_URL}">the sequel</a>.'
        paragraphs.append(text)
    whole_spoiler = rng.random() < 0.05
    if not whole_spoiler and rng.random() < 0.25:
        secret = rng.choice(SPOILER_SENTENCES)
        style = rng.random()
        where = rng.randrange(len(paragraphs))
        if style < 0.4:
            paragraphs[where] += f" <spoiler>{secret}</spoiler> Anyway."
        elif style < 0.8:
            paragraphs[where] += f" [spoiler]{secret}[/spoiler]"
        elif style < 0.9:  # spans paragraphs
            paragraphs.insert(where, f"[spoiler]{secret}")
            paragraphs.insert(where + 1, f"{rng.choice(SPOILER_SENTENCES)}[/spoiler]")
        else:  # never closed: runs to the end
            paragraphs.append(f"<spoiler>{secret} {rng.choice(SPOILER_SENTENCES)}")
    if whole_spoiler:
        paragraphs.append(rng.choice(SPOILER_SENTENCES))
    separator = "\n\n" if rng.random() < 0.1 else "<br/><br/>"
    return separator.join(paragraphs), whole_spoiler


def _title(rng: random.Random) -> str:
    words = rng.sample(_WORDS, rng.randint(1, 3))
    title = "The " + " ".join(w.capitalize() for w in words)
    roll = rng.random()
    if roll < 0.15:
        return f"{title} ({rng.choice(_SERIES)}, #{rng.randint(1, 9)})"
    if roll < 0.22:
        return f"{title} ({rng.choice(_SERIES)} #{rng.randint(1, 9)})"
    if roll < 0.25:
        return f"{title} ({rng.choice(_SERIES)}, #{rng.randint(0, 5)}.5)"
    if roll < 0.30:
        return f"{title} ({rng.choice(_IMPRINTS)})"
    return title


def _row(rng: random.Random, index: int) -> dict[str, str]:
    shelves, weights = zip(*_SHELVES, strict=True)
    shelf = rng.choices(shelves, weights)[0]
    isbn13 = _isbn13(rng)
    isbn_roll = rng.random()
    isbn10 = isbn13_to_isbn10(isbn13) or ""
    if isbn_roll < 0.1:
        isbn13 = ""
    elif isbn_roll < 0.3:
        isbn13 = isbn10 = ""
    added = date(2010, 1, 1) + timedelta(days=rng.randrange(5000))
    read = ""
    rating = 0
    review, whole_spoiler = "", False
    if shelf == "read":
        rating = rng.choices(range(6), (10, 3, 8, 25, 30, 24))[0]
        if rng.random() < 0.8:
            read = (added + timedelta(days=rng.randrange(400))).strftime("%Y/%m/%d")
        if rng.random() < 0.5:
            review, whole_spoiler = _review(rng)
    year = rng.randint(1850, 2024)
    original = "" if rng.random() < 0.1 else str(year - rng.choice((0, 0, 1, 30)))
    if rng.random() < 0.01:
        original = str(-rng.randint(100, 800))  # the classics
    author = rng.choice(_AUTHORS)
    row = {
        "Book Id": str(10_000 + index * 37 + rng.randrange(37)),
        "Title": _title(rng),
        "Author": author,
        "Author l-f": ", ".join(reversed(author.rsplit(" ", 1))),
        "ISBN": f'="{isbn10}"',
        "ISBN13": f'="{isbn13}"',
        "My Rating": str(rating),
        "Average Rating": f"{rng.uniform(2.5, 4.8):.2f}",
        "Publisher": "Tor Books",
        "Binding": rng.choice(("Paperback", "Hardcover", "Kindle Edition")),
        "Number of Pages": str(rng.randint(90, 1200)),
        "Year Published": str(year),
        "Original Publication Year": original,
        "Date Read": read,
        "Date Added": added.strftime("%Y/%m/%d"),
        "Bookshelves": "" if shelf == "read" else shelf,
        "Bookshelves with positions": "" if shelf == "read" else f"{shelf} (#{index})",
        "Exclusive Shelf": shelf,
        "My Review": review,
        "Spoiler": "true" if whole_spoiler else ("false" if review else ""),
        "Read Count": "1" if shelf == "read" else "0",
        "Owned Copies": "0",
    }
    if is_bad_row(index):
        kind = BAD_ROW_KINDS[(index // 100) % len(BAD_ROW_KINDS)]
        if kind == "rating out of range":
            row["My Rating"] = "7"
        elif kind == "date with dashes":
            row["Date Added"] = added.isoformat()
        elif kind == "ISBN check digit":
            good = _isbn13(rng)
            row["ISBN13"] = f'="{good[:12]}{(int(good[12]) + 1) % 10}"'
        elif kind == "missing title":
            row["Title"] = ""
        else:
            row["Date Read"] = "2021/02/30"
    return row


def make_export_csv(n_rows: int, seed: int = 0) -> str:
    """A 31-column Goodreads export with ``n_rows`` books, as text.

    A mix of shelves, ratings, series titles, ISBN-10-only and ISBN-less books,
    reviews with formatting, inline and whole-review spoilers and embedded
    newlines; every row where :func:`is_bad_row` is true has one defect.
    """
    rng = random.Random(seed)  # noqa: S311 - test data, not security
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for index in range(n_rows):
        row = _row(rng, index)
        writer.writerow([row.get(name, "") for name in EXPORT_COLUMNS])
    return out.getvalue()
