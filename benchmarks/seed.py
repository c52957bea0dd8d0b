"""Seeds a scratch database with N reviews, fast.

Pages are written in bulk: the treebeard path of each review is computed
(``_get_path``), the ``wagtailcore_page`` rows go in with ``bulk_create`` and
the ``reviews_reviewpage`` rows with one multi-row INSERT per batch; the
search index is filled with the backend's ``add_bulk``. Runs inside Django
(``python -m benchmarks prepare``), never against the development database.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.models import Locale, Page, Site
from wagtail.search.backends import get_search_backend

from reviews.models import (
    Book,
    DiscussionIndexPage,
    DiscussionPage,
    MemberProfile,
    ReviewIndexPage,
    ReviewPage,
    ReviewPageTag,
    SeriesEntry,
    SeriesIndexPage,
    SeriesPage,
)
from reviews.stream_values import StreamBlockData, heading, paragraph, quote, spoiler

BATCH = 500
SEARCH_TERM = "lighthouse"
REVIEWERS = 40
TAGS = [
    "historical",
    "literary",
    "war",
    "family",
    "crime",
    "classic",
    "translated",
    "short",
    "debut",
    "prize-winner",
    "book-club-pick",
    "comfort-read",
]
WORDS = (
    "the city winter bread siege river letters ration family doctor hunger "
    "courage silence friendship memory garden frost hospital archive music "
    "novel chapter prose voice narrator history grief hope patience candle "
    "street window queue ice stove shelter promise secret betrayal trust "
    "portrait landscape careful quiet vivid slow tender bleak luminous spare"
).split()


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _block_id() -> str:
    # Seeded rows bypass the form that would give each block its id.
    return str(uuid.uuid4())


def _paragraph(rng: random.Random, sentences: int = 3) -> StreamBlockData:
    body = " ".join(_sentence(rng, rng.randint(9, 16)) for _ in range(sentences))
    return paragraph(body, block_id=_block_id())


def review_body(
    rng: random.Random, spoiled_book_id: int, chapters: int | None
) -> list[dict]:
    """Six blocks, as a member writes them: paragraphs, a heading, a quote
    and a spoiler (of this book or an earlier one in its series)."""
    chapter = rng.randint(1, chapters) if chapters and rng.random() < 0.7 else None
    return [
        _paragraph(rng),
        heading("What stays with you", block_id=_block_id()),
        quote(
            _sentence(rng, 14),
            f"Chapter {rng.randint(1, 12)}",
            block_id=_block_id(),
        ),
        _paragraph(rng, 2),
        spoiler(
            "What happens to the family",
            [_paragraph(rng, 2)],
            spoils=spoiled_book_id,
            chapter=chapter,
            block_id=_block_id(),
        ),
        _paragraph(rng, 2),
    ]


def _add_page(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    return page


def _timed(report: Callable[[str], None], label: str):
    class Timer:
        def __enter__(self):
            self.start = time.perf_counter()
            return self

        def __exit__(self, *exc):
            self.seconds = time.perf_counter() - self.start
            report(f"  {label}: {self.seconds:.1f} s")

    return Timer()


def seed(
    reviews: int, *, rng_seed: int = 7, report: Callable[[str], None] = print
) -> dict[str, float]:
    """Create ``reviews`` live reviews (plus books, series, tags, reviewers,
    discussions) under the default site's home page; return timings."""
    rng = random.Random(rng_seed)
    timings: dict[str, float] = {}
    home = Site.objects.get(is_default_site=True).root_page.specific
    locale = Locale.get_default()
    now = timezone.now()

    with _timed(report, "members, books, series") as timer, transaction.atomic():
        password = make_password("bench-member")
        User = get_user_model()
        User.objects.bulk_create(
            User(
                username=f"reader{i}",
                first_name=f"Reader{i}",
                last_name="Bench",
                email=f"reader{i}@example.org",
                password=password,
            )
            for i in range(REVIEWERS)
        )
        reviewer_ids = list(
            User.objects.filter(username__startswith="reader").values_list(
                "pk", flat=True
            )
        )
        # bulk_create sends no post_save: give them the profile a saved user
        # gets, or the first read showing each reviewer would write it.
        MemberProfile.objects.bulk_create(
            MemberProfile(user_id=user_id) for user_id in reviewer_ids
        )
        book_count = max(30, reviews // 4)

        def book(i: int) -> Book:
            title = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {i}"
            return Book(
                title=title,
                # bulk_create skips save(), which makes the slug.
                slug=slugify(title),
                author=f"Author {i % 97}",
                published_year=rng.randint(1900, 2024),
                chapter_count=rng.choice([None, 20, 30, 40]),
            )

        Book.objects.bulk_create(
            (book(i) for i in range(book_count)),
            batch_size=BATCH,
        )
        books = list(Book.objects.values_list("pk", "chapter_count"))
        series_index = _add_page(home, SeriesIndexPage(title="Series", slug="series"))
        # Every third book after the first 30% belongs to a series of three.
        earlier_in_series: dict[int, int] = {}
        series_count = max(3, book_count // 30)
        entries = []
        for s in range(series_count):
            series = _add_page(
                series_index,
                SeriesPage(title=f"Series {s}", slug=f"series-{s}", author="Bench"),
            )
            trio = books[s * 3 : s * 3 + 3]
            for position, (book_id, _) in enumerate(trio, start=1):
                entries.append(
                    SeriesEntry(series=series, book_id=book_id, position=position)
                )
                if position > 1:
                    earlier_in_series[book_id] = trio[0][0]
        SeriesEntry.objects.bulk_create(entries, batch_size=BATCH)
        discussion_index = _add_page(
            home, DiscussionIndexPage(title="Discussions", slug="discussions")
        )
        for d in range(3):
            _add_page(
                discussion_index,
                DiscussionPage(
                    title=f"Meeting {d}",
                    slug=f"meeting-{d}",
                    book_id=books[d][0],
                    starts_at=now + timedelta(days=7 * (d + 1)),
                    location="The library",
                ),
            )
    timings["books_series_members"] = timer.seconds

    with _timed(report, f"{reviews} reviews (pages, bodies, tags)") as timer:
        index = _add_page(home, ReviewIndexPage(title="Reviews", slug="reviews"))
        content_type = ContentType.objects.get_for_model(ReviewPage)
        tag_ids = [Tag.objects.get_or_create(name=n, slug=n)[0].pk for n in TAGS]
        for start in range(0, reviews, BATCH):
            with transaction.atomic():
                _insert_reviews(
                    rng,
                    index,
                    range(start, min(start + BATCH, reviews)),
                    content_type=content_type,
                    locale=locale,
                    now=now,
                    books=books,
                    earlier_in_series=earlier_in_series,
                    reviewer_ids=reviewer_ids,
                    tag_ids=tag_ids,
                )
        Page.objects.filter(pk=index.pk).update(numchild=reviews)
    timings["reviews"] = timer.seconds

    with _timed(report, "search index") as timer:
        backend = get_search_backend()
        queryset = ReviewPage.objects.select_related("book").order_by("pk")
        last_pk = 0
        while True:
            chunk = list(queryset.filter(pk__gt=last_pk)[:BATCH])
            if not chunk:
                break
            backend.add_bulk(ReviewPage, chunk)
            last_pk = chunk[-1].pk
        for model in (Book, SeriesPage, DiscussionPage):
            backend.add_bulk(model, list(model.objects.all()))
    timings["search_index"] = timer.seconds

    # A live database has planner statistics (autovacuum analyses tables as
    # they grow); right after a bulk load it has none, and PostgreSQL then
    # guesses one row per table and picks plans 50-100x slower than the ones
    # it uses in service. Measure the database as it runs, not as it loads.
    with _timed(report, "planner statistics (ANALYZE)") as timer:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    timings["analyze"] = timer.seconds
    return timings


def search_terms(limit: int, *, rng_seed: int = 11) -> list[str]:
    """Up to ``limit`` distinct search terms in a fixed shuffled order: the
    seeded books' titles ("Winter bread 412"), each found in that book's
    reviews (and the review with that number, when its text has both words)."""
    rng = random.Random(rng_seed)
    titles = sorted(set(Book.objects.values_list("title", flat=True)))
    rng.shuffle(titles)
    if len(titles) < limit:
        # A small catalogue has fewer titles than a run sends requests: add
        # "<title> <word>" searches, so that no search repeats (and none is
        # answered by the response cache) at any size.
        more = [f"{title} {word}" for word in WORDS for title in titles]
        rng.shuffle(more)
        titles += more[: limit - len(titles)]
    return titles[:limit]


def _insert_reviews(
    rng: random.Random,
    index: Page,
    numbers: range,
    *,
    content_type: ContentType,
    locale: Locale,
    now,
    books: list[tuple[int, int | None]],
    earlier_in_series: dict[int, int],
    reviewer_ids: list[int],
    tag_ids: list[int],
) -> None:
    pages: list[Page] = []
    details: list[dict] = []
    for n in numbers:
        book_id, chapters = books[rng.randrange(len(books))]
        spoiled = earlier_in_series.get(book_id, book_id)
        spoiled_chapters = None if spoiled != book_id else chapters
        title = f"On {rng.choice(WORDS)} and {rng.choice(WORDS)}, review {n}"
        slug = slugify(title)
        published = now - timedelta(minutes=n * 7)
        summary = _sentence(rng, 18)
        if n % 25 == 0:
            summary = summary[:-1] + f" and a {SEARCH_TERM}."
        reviewer = reviewer_ids[n % len(reviewer_ids)]
        pages.append(
            Page(
                title=title,
                draft_title=title,
                slug=slug,
                content_type=content_type,
                path=ReviewIndexPage._get_path(index.path, index.depth + 1, n + 1),
                depth=index.depth + 1,
                numchild=0,
                url_path=f"{index.url_path}{slug}/",
                live=True,
                has_unpublished_changes=False,
                first_published_at=published,
                last_published_at=published,
                owner_id=reviewer,
                locale=locale,
                translation_key=uuid.uuid4(),
            )
        )
        details.append(
            {
                "book_id": book_id,
                "rating": rng.randint(2, 10) / 2,
                "summary": summary,
                "body": review_body(rng, spoiled, spoiled_chapters),
                "reviewer_id": reviewer,
            }
        )
    Page.objects.bulk_create(pages)
    if pages[0].pk is None:  # a backend that does not return ids
        paths = [p.path for p in pages]
        ids = dict(Page.objects.filter(path__in=paths).values_list("path", "pk"))
        for page in pages:
            page.pk = ids[page.path]
    children = [
        ReviewPage(page_ptr_id=page.pk, **detail)
        for page, detail in zip(pages, details, strict=True)
    ]
    # bulk_create refuses multi-table models; insert only the child table's rows.
    ReviewPage._base_manager._insert(
        children, fields=ReviewPage._meta.local_concrete_fields
    )
    ReviewPageTag.objects.bulk_create(
        ReviewPageTag(content_object_id=page.pk, tag_id=tag_id)
        for page in pages
        for tag_id in rng.sample(tag_ids, 2)
    )


def reveal_paths(reviews) -> list[str]:
    """The reveal endpoint of each sampled review's first spoiler block."""
    from django.urls import reverse

    paths = []
    for review in reviews:
        block_id = next(
            (child.id for child in review.body if child.block_type == "spoiler"), None
        )
        if block_id:
            paths.append(reverse("reviews:reveal_block", args=[review.pk, block_id]))
    return paths
