"""Browser tests: Playwright for Python driving Debian's Chromium.

They run against Django's live server. Without /usr/bin/chromium they are
skipped with a reason (``make test`` on a laptop); ``.ci/run`` installs
Chromium and sets BOOKCLUB_REQUIRE_BROWSER=1 so that a missing browser fails.

One browser serves the whole session; every test gets fresh contexts (no
cookies or storage shared between tests). Screenshots go to
``test-artifacts/`` (or ``$TEST_ARTIFACTS``), which CI keeps.
"""

from __future__ import annotations

import mimetypes
import os
import shutil
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
#: A common phone (390×844 CSS pixels), emulated as a touch device so that the
#: page's viewport meta tag is honoured the way a phone honours it.
MOBILE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000

# Playwright's sync API runs an event loop in this thread; Django's ORM
# guard would otherwise refuse the fixtures' database work.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder ``browser``, and only those:
    ``make test-browser`` collects this folder alone, so a browser test
    elsewhere would run in no suite at all (``make test`` in CI deselects
    the marker)."""
    elsewhere = []
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
        elif item.get_closest_marker("browser"):
            elsewhere.append(item.nodeid)
    if elsewhere:
        raise pytest.UsageError(
            "browser tests live in tests/browser/ (make test-browser collects "
            "that folder only): " + ", ".join(elsewhere)
        )


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if os.environ.get("BOOKCLUB_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


def _serve_media(route) -> None:
    """Answer ``/media/…`` from the test storage (in memory, so the live server
    cannot serve it): covers and renditions show up in screenshots."""
    from django.conf import settings
    from django.core.files.storage import default_storage

    name = unquote(urlsplit(route.request.url).path).removeprefix(settings.MEDIA_URL)
    if not name or not default_storage.exists(name):
        route.fulfill(status=404, body="Not found")
        return
    with default_storage.open(name) as file:
        body = file.read()
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    route.fulfill(status=200, body=body, content_type=content_type)


@pytest.fixture
def new_context(browser):
    """Make a fresh browser context: ``new_context(mobile=True, javascript=False)``,
    in a time zone of its own with ``timezone_id="America/New_York"``."""
    contexts = []

    def make(
        *, mobile: bool = False, javascript: bool = True, timezone_id: str | None = None
    ):
        options: dict = {"viewport": MOBILE if mobile else DESKTOP}
        if timezone_id:
            options["timezone_id"] = timezone_id
        if mobile:
            options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
        context = browser.new_context(java_script_enabled=javascript, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/media/**", _serve_media)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def mobile_page(new_context):
    return new_context(mobile=True).new_page()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


SECRET = "The whole family survives the winter"
SECRET_CHAPTER = "Andrei is sent to the hospital"
BRUNO_LATE_COMMENT = "I did not see the trial coming at all."


@pytest.fixture
def club(migrated_db):
    """A small club: a two-book series, reviews with spoilers of both books,
    members, and an upcoming discussion with a gated question, Bruno's
    comments about chapters 3 and 30 and his RSVP."""
    from django.utils import timezone

    from tests.factories import (
        BookFactory,
        DiscussionCommentFactory,
        MeetingRSVPFactory,
        UserFactory,
        make_cover,
        make_discussion,
        make_review,
        make_series,
        paragraph,
        review_index,
        series_index,
        site_root,
        spoiler,
    )

    alice = UserFactory(username="alice", first_name="Alice", last_name="Marsh")
    bruno = UserFactory(username="bruno", first_name="Bruno", last_name="Keller")
    siege = BookFactory(
        title="The Siege",
        published_year=2001,
        chapter_count=30,
        cover=make_cover("The Siege", (46, 74, 98)),
    )
    betrayal = BookFactory(
        title="The Betrayal",
        published_year=2010,
        chapter_count=40,
        cover=make_cover("The Betrayal", (122, 46, 31)),
    )
    series = make_series(
        "Leningrad",
        [(siege, 1), (betrayal, 2)],
        description="<p>Anna and Andrei, from the siege to the doctors' plot.</p>",
    )
    siege_review = make_review(
        book=siege,
        title="Bread and birch bark",
        summary="A winter you can feel in your fingers.",
        rating=5,
        owner=bruno,
        body=[paragraph("Dunmore makes hunger into a plot.")],
    )
    review = make_review(
        book=betrayal,
        title="After the siege",
        summary="A quieter fear, ten years on.",
        rating=4.5,
        owner=alice,
        body=[
            paragraph("The sequel trades bombs for knocks on the door."),
            {"type": "heading", "value": "What it keeps from the first book"},
            {
                "type": "quote",
                "value": {"text": "They had survived.", "attribution": "Part one"},
            },
            spoiler(siege, None, "How the first novel ends", SECRET),
            spoiler(betrayal, 12, "What happens to Andrei", SECRET_CHAPTER),
            paragraph("Read them in order."),
        ],
    )
    discussion = make_discussion(
        book=betrayal,
        title="The Betrayal, part one",
        starts_at=timezone.now() + timedelta(days=10),
        location="The back room of the Crown",
        host="Alice Marsh",
        intro="<p>We read up to chapter 20 for this meeting.</p>",
        questions=[
            {
                "type": "question",
                "value": {
                    "question": "How has Leningrad changed since the siege?",
                    "book": None,
                    "chapter": None,
                },
            },
            {
                "type": "question",
                "value": {
                    "question": "Was Andrei right to treat the boy?",
                    "book": betrayal.pk,
                    "chapter": 15,
                },
            },
        ],
    )
    DiscussionCommentFactory(
        page=discussion,
        author=bruno,
        chapter=3,
        body="The first chapters are so quiet that the fear creeps up on you.",
    )
    DiscussionCommentFactory(
        page=discussion,
        author=bruno,
        chapter=30,
        body=BRUNO_LATE_COMMENT,
    )
    MeetingRSVPFactory(page=discussion, member=bruno)
    return SimpleNamespace(
        alice=alice,
        bruno=bruno,
        siege=siege,
        betrayal=betrayal,
        series=series,
        review=review,
        siege_review=siege_review,
        discussion=discussion,
        home=site_root(),
        review_index=review_index(),
        series_index=series_index(),
    )


@pytest.fixture
def admin_without_autosave(settings):
    """Wagtail 8 autosaves the editor form in the background after each edit.
    A test types faster than a person, so an autosave still in flight when
    it clicks "Save draft" lands afterwards and the admin reports a newer
    version "saved in another window". Saving only on click keeps each step
    deterministic; autosave itself is Wagtail's to test."""
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0


@pytest.fixture
def roles(migrated_db):
    from reviews.roles import ensure_groups
    from tests.factories import review_index

    return ensure_groups(review_index())


@pytest.fixture
def editor(roles):
    from reviews.roles import EDITORS
    from tests.factories import user_in

    return user_in(roles[EDITORS], "edith", first_name="Edith", last_name="Clay")


@pytest.fixture
def member(club, roles):
    """Alice, a member of the club (may write reviews, not publish them)."""
    from reviews.roles import MEMBERS

    club.alice.groups.add(roles[MEMBERS])
    return club.alice


#: Page types ``club_pages`` names itself; the crawl adds every other one.
NAMED_TYPES = {
    "HomePage",
    "ReviewIndexPage",
    "ReviewPage",
    "SeriesPage",
    "DiscussionPage",
    "reviews:my_reading",
}


def club_pages(club, *, member: bool = False) -> dict[str, str]:
    """The pages a reader sees (paths by name): the club's own, "My reading"
    for a member, and one of every other page type the reader can reach from
    the home page (``qa/crawl.py``), so that a new page type is screenshotted
    and checked without being listed here."""
    from django.test import Client

    from qa.crawl import page_types

    pages = {
        "home": club.home.url,
        "review-index": club.review_index.url,
        "review": club.review.url,
        "series": club.series.url,
        "discussion": club.discussion.url,
        "book": club.betrayal.get_absolute_url(),
    }
    if member:
        pages["my-reading"] = "/reading/"
    client = Client(raise_request_exception=False)
    if member:
        client.force_login(club.alice)
    for kind, path in page_types(client).items():
        if kind not in NAMED_TYPES and path not in pages.values():
            pages[kind.replace("reviews:", "").replace("_", "-").lower()] = path
    return pages


@pytest.fixture(params=["visitor", "member"])
def audience(request, club, roles):
    """Who is reading: a visitor, or Alice (a member, part-way through the
    series) logged in. Yields a function that logs a page in as needed."""
    from reviews.roles import MEMBERS
    from tests.browser.helpers import log_in
    from tests.factories import ReadingProgressFactory

    if request.param == "member":
        club.alice.groups.add(roles[MEMBERS])
        ReadingProgressFactory(member=club.alice, book=club.siege, finished=True)
        ReadingProgressFactory(member=club.alice, book=club.betrayal, chapter=5)

    def enter(page, base_url: str) -> None:
        if request.param == "member":
            log_in(page, base_url, "alice")

    enter.name = request.param
    enter.member = request.param == "member"
    return enter
