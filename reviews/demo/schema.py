"""The shapes of the demo club's content (``content``), for the loader."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time


@dataclass(frozen=True)
class DemoUser:
    first_name: str
    last_name: str
    is_staff: bool = False
    is_superuser: bool = False


@dataclass(frozen=True)
class DemoBook:
    title: str
    author: str
    year: int
    colour: tuple[int, int, int]
    chapter_count: int | None = None
    isbn13: str | None = None


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Quote:
    text: str
    attribution: str


@dataclass(frozen=True)
class Spoiler:
    """Spoils ``book`` (a key) up to ``chapter`` (``None``: the ending too)."""

    book: str
    chapter: int | None
    label: str
    texts: tuple[str, ...]


Block = Para | Heading | Quote | Spoiler


@dataclass(frozen=True)
class DemoReview:
    slug: str
    title: str
    reviewer: str
    book: str
    rating: float
    summary: str
    body: tuple[Block, ...]
    #: Submitted for moderation and waiting for an editor, not published.
    draft: bool = False


@dataclass(frozen=True)
class DemoQuestion:
    text: str
    chapter: int | None = None


@dataclass(frozen=True)
class DemoDiscussion:
    slug: str
    title: str
    book: str
    in_days: int
    at: time
    location: str
    #: The member who hosts (a key of ``USERS``), named as every page names them.
    host: str
    intro: str
    questions: tuple[DemoQuestion, ...]
    online_url: str = ""


@dataclass(frozen=True)
class DemoComment:
    """``key`` names a comment that a later one answers (``reply_to``)."""

    author: str
    body: str
    chapter: int | None
    key: str = ""
    reply_to: str = ""


@dataclass(frozen=True)
class DemoNomination:
    book: str
    nominated_by: str
    pitch: str
    voters: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class DemoSeries:
    slug: str
    title: str
    author: str
    description: str
    #: Book keys in reading order.
    books: tuple[str, ...]


@dataclass(frozen=True)
class DemoRound:
    """A next-book round; days count from the day the demo is loaded."""

    title: str
    description: str
    opens_in_days: int
    opens_at: time
    closes_in_days: int
    closes_at: time
    created_by: str
