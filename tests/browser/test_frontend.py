"""The reference frontend (``frontend/``) against the live API, in Chromium.

The built frontend (``make frontend-build``; CI builds it before this step) is
served from its own origin, as a deployment would serve it, with a
``config.json`` pointing at the live server; the API answers that origin
through CORS. Every API response the browser receives is kept, so the tests
check that hidden content never reached the browser at all, not only that
it is not shown.
"""

from __future__ import annotations

import json
import os
from datetime import date
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit
from urllib.request import urlopen
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BRUNO_LATE_COMMENT, SECRET, SECRET_CHAPTER
from tests.browser.helpers import axe_violations, describe_violations
from tests.http_servers import serve_in_thread

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DIST = Path(__file__).resolve().parents[2] / "frontend" / "dist"
SIEGE_COMMENT = "The first chapters are so quiet that the fear creeps up on you."
GATED_QUESTION = "Was Andrei right to treat the boy?"


class _FrontendHandler(SimpleHTTPRequestHandler):
    """Serves the built files, and ``config.json`` naming the API."""

    config: bytes = b"{}"

    def do_GET(self) -> None:
        if self.path.split("?")[0] == "/config.json":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(self.config)))
            self.end_headers()
            self.wfile.write(self.config)
            return
        super().do_GET()

    def log_message(self, format, *args) -> None:  # noqa: A002
        pass


@pytest.fixture
def frontend(live_server, settings, club):
    from reviews.models.api_fields import COVER_RENDITIONS

    if not (DIST / "index.html").exists():
        message = f"{DIST} is not built: run `make frontend-build`"
        if os.environ.get("BOOKCLUB_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    # The frontend asks for several listings at once. On the in-memory SQLite
    # test database, two first requests creating the same cover renditions
    # at the same moment lock a table, so they exist beforehand.
    for book in (club.siege, club.betrayal):
        book.cover.get_renditions(*COVER_RENDITIONS.values())
    # The live server's first API request builds the API (routers, schemas);
    # on a loaded machine that alone can outlast a browser wait, so it happens
    # here, before the browser starts waiting.
    with urlopen(f"{live_server.url}/api/v3/books/?limit=1", timeout=120) as answer:  # noqa: S310
        assert answer.status == 200
    handler = type(
        "Handler",
        (_FrontendHandler,),
        {"config": json.dumps({"apiBase": live_server.url}).encode()},
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=DIST))
    serve_in_thread(server)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    settings.CORS_ALLOWED_ORIGINS = [origin]
    yield SimpleNamespace(url=f"{origin}/", api=live_server.url)
    server.shutdown()
    server.server_close()


def api_bodies(page, api: str) -> list:
    """Every API response this page receives, to read their bodies later."""
    responses: list = []
    page.on(
        "response",
        lambda response: (
            responses.append(response)
            if response.url.startswith(f"{api}/api/")
            else None
        ),
    )
    return responses


def origins_requested(page) -> set[str]:
    """Every origin the page sends a request to (no CDN, no third party)."""
    origins: set[str] = set()

    def note(request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https"):
            origins.add(f"{parts.scheme}://{parts.netloc}")

    page.on("request", note)
    return origins


def received(responses: list) -> str:
    return "\n".join(r.text() for r in responses if r.request.method != "OPTIONS")


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def test_a_reader_reveals_a_spoiler_and_the_browser_remembers_how_far_they_read(
    new_context, frontend, club, screenshot
):
    page = new_context().new_page()
    responses = api_bodies(page, frontend.api)
    page.goto(f"{frontend.url}#/reviews/{club.review.pk}")

    expect(page.get_by_role("heading", level=1)).to_have_text("After the siege")
    expect(page.locator(".spoiler--hidden")).to_have_count(2)
    assert "How the first novel ends" in page.locator(".review__body").inner_text()
    assert SECRET not in page.content()
    assert SECRET not in received(responses), "the API never sent it"
    assert_accessible(page)
    screenshot(page, "frontend-review-spoilers-closed")

    reveal = page.get_by_role("button", name="I have finished The Siege: show it")
    reveal.focus()
    page.keyboard.press("Enter")

    expect(page.get_by_text(SECRET)).to_be_visible()
    expect(page.locator(".spoiler--open summary")).to_be_focused()
    expect(page.locator(".spoiler--open summary")).to_contain_text(
        "you have read this far"
    )
    # Only what the reader has read opened: The Betrayal's chapter 12 did not.
    expect(page.locator(".spoiler--hidden")).to_have_count(1)
    assert SECRET_CHAPTER not in page.content()
    assert SECRET_CHAPTER not in received(responses)
    assert f"read={club.siege.pk}" in responses[-1].url
    progress = page.evaluate("() => localStorage.getItem('bookclub.progress')")
    assert json.loads(progress) == {str(club.siege.pk): "finished"}
    assert_accessible(page)
    screenshot(page, "frontend-review-spoiler-open")

    page.locator(".spoiler--open summary").click()
    expect(page.get_by_text(SECRET)).to_be_hidden()

    page.reload()
    expect(page.get_by_text(SECRET)).to_be_visible()

    # Asking for every spoiler is a request of its own, not remembered.
    page.get_by_role("link", name="Show every spoiler anyway").click()
    expect(page.get_by_text(SECRET_CHAPTER)).to_be_visible()
    assert any("spoilers=show" in r.url for r in responses)
    page.get_by_role("link", name="Hide them again").click()
    expect(page.locator(".spoiler--hidden")).to_have_count(1)
    assert SECRET_CHAPTER not in page.content()

    phone = new_context(mobile=True).new_page()
    phone.goto(f"{frontend.url}#/reviews/{club.review.pk}")
    expect(phone.locator(".spoiler--hidden")).to_have_count(2)
    assert phone.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    screenshot(phone, "frontend-review-phone")


def test_a_member_records_progress_and_sees_what_opens(
    new_context, frontend, club, roles, screenshot
):
    from wagtail.models import APIToken

    from reviews.models import MeetingRSVP, ReadingProgress
    from reviews.roles import MEMBERS

    club.alice.groups.add(roles[MEMBERS])
    started = date(2026, 11, 1)
    ReadingProgress.objects.create(
        member=club.alice, book=club.betrayal, chapter=2, started_at=started
    )
    _, token = APIToken.create_token(user=club.alice, name="frontend")
    # A reader far from the club: the meeting's hour is theirs, and says so.
    page = new_context(timezone_id="America/New_York").new_page()
    responses = api_bodies(page, frontend.api)

    page.goto(f"{frontend.url}#/account")
    assert_accessible(page)
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as Alice Marsh.")).to_be_visible()
    assert not page.evaluate("() => localStorage.getItem('bookclub.progress')")
    # The token stays with this tab: nothing on disk keeps it for good.
    assert not page.evaluate("() => localStorage.getItem('bookclub.token')")
    assert page.evaluate("() => sessionStorage.getItem('bookclub.token')") == token

    page.get_by_role("link", name="Discussions").click()
    page.get_by_role("link", name="The Betrayal, part one").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The Betrayal, part one")
    starts = club.discussion.starts_at.astimezone(ZoneInfo("America/New_York"))
    hour = f"{starts:%I:%M %p}".lstrip("0")
    expect(page.locator("dd time")).to_contain_text(f"{hour} {starts.tzname()}")
    gated = page.get_by_text("A question about chapter 15 of The Betrayal")
    expect(gated).to_be_visible()
    assert GATED_QUESTION not in page.content()
    assert SIEGE_COMMENT not in page.content()
    assert GATED_QUESTION not in received(responses)

    page.get_by_role("link", name="My reading").click()
    betrayal = page.get_by_role("form", name="The Betrayal by Helen Dunmore")
    betrayal.get_by_label("Chapter reached").fill("15")
    betrayal.get_by_role("button", name="Save progress in The Betrayal").click()
    expect(betrayal.get_by_text("Up to chapter 15")).to_be_focused()
    recorded = ReadingProgress.objects.get(member=club.alice, book=club.betrayal)
    assert (recorded.chapter, recorded.finished) == (15, False)
    assert recorded.started_at == started, "what she saved before is kept"
    assert_accessible(page)
    screenshot(page, "frontend-my-reading")

    page.go_back()
    expect(page.get_by_text(GATED_QUESTION)).to_be_visible()
    expect(page.get_by_text(SIEGE_COMMENT)).to_be_visible()
    # Chapter 30 is still ahead of her: counted, never sent.
    expect(page.locator(".hidden-comments")).to_contain_text("1 comment about")
    assert BRUNO_LATE_COMMENT not in received(responses)
    assert_accessible(page)
    screenshot(page, "frontend-discussion-member")

    comment = "The boy's illness changes everything."
    page.get_by_label("Comment", exact=True).fill(comment)
    page.get_by_label("About chapter (optional)").fill("14")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comments-heading")).to_be_focused()
    mine = page.locator(".comment").filter(has_text=comment)
    expect(mine).to_contain_text("Alice Marsh on chapter 14")

    rsvps = page.locator(".rsvps")
    expect(rsvps).to_contain_text("Going: 1 (Bruno Keller)")
    rsvps.get_by_label("Going", exact=True).check()
    rsvps.get_by_role("button", name="Save my answer").click()
    expect(page.locator("#rsvp-status")).to_be_focused()
    expect(page.locator("#rsvp-status")).to_have_text("Your answer: Going.")
    expect(rsvps).to_contain_text("Going: 2 (")
    answer = MeetingRSVP.objects.get(page=club.discussion, member=club.alice).answer
    assert answer == "going"

    page.goto(f"{frontend.url}#/reviews/{club.review.pk}")
    expect(page.get_by_text(SECRET_CHAPTER)).to_be_visible()
    expect(page.locator(".spoiler--hidden")).to_have_count(1)
    assert SECRET not in received(responses), "The Siege's ending stays closed"
    assert not any("read=" in r.url for r in responses), "the token speaks for her"


def test_reviews_filter_and_a_series_reads_in_order(new_context, frontend, club):
    page = new_context().new_page()
    origins = origins_requested(page)
    page.goto(frontend.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviews")
    expect(page.locator(".review-card")).to_have_count(2)

    page.get_by_label("Book").select_option(label="The Siege")
    page.get_by_role("button", name="Show reviews").click()
    expect(page.locator(".review-card")).to_have_count(1)
    expect(page.locator(".review-card h2")).to_have_text("Bread and birch bark")
    assert f"book={club.siege.pk}" in page.url
    assert_accessible(page)

    page.get_by_role("link", name="Clear the filters").click()
    page.get_by_role("link", name="Alice Marsh").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviews by Alice Marsh")
    expect(page.locator(".review-card h2")).to_have_text("After the siege")

    page.get_by_role("link", name="Series").first.click()
    page.get_by_role("link", name="Leningrad").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leningrad")
    assert page.locator(".series-books__title").all_inner_texts() == [
        "The Siege",
        "The Betrayal",
    ]
    assert_accessible(page)

    page.goto(f"{frontend.url}#/reviews/999999")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.get_by_role("alert")).to_contain_text("not public")
    assert origins == {frontend.url.rstrip("/"), frontend.api}, "nothing else"


def test_a_reader_opens_one_range_of_comments_on_purpose(new_context, frontend, club):
    page = new_context().new_page()
    responses = api_bodies(page, frontend.api)
    page.goto(f"{frontend.url}#/discussions/{club.discussion.pk}")
    hidden = page.locator(".hidden-comments")
    expect(hidden).to_contain_text("1 comment about chapters 1–5")
    assert SIEGE_COMMENT not in received(responses)

    hidden.get_by_role("listitem").filter(has_text="chapters 1–5").get_by_role(
        "button", name="Show them anyway"
    ).click()

    expect(page.get_by_text(SIEGE_COMMENT)).to_be_visible()
    expect(page.locator("#comments-heading")).to_be_focused()
    assert BRUNO_LATE_COMMENT not in received(responses)
    assert any("reveal_comments=1-5" in r.url for r in responses)


def test_a_member_adopts_this_browsers_progress_and_finds_her_draft(
    new_context, frontend, club, roles
):
    from wagtail.models import APIToken

    from reviews.models import ReadingProgress
    from reviews.roles import MEMBERS
    from tests.factories import make_review, paragraph

    draft_text = "Half-formed thoughts about the doctors' plot."
    make_review(
        book=club.betrayal,
        title="Notes in progress",
        owner=club.alice,
        live=False,
        body=[paragraph(draft_text)],
    )
    club.alice.groups.add(roles[MEMBERS])
    _, token = APIToken.create_token(user=club.alice, name="frontend")

    visitor = new_context().new_page()
    seen = api_bodies(visitor, frontend.api)
    visitor.goto(frontend.url)
    expect(visitor.locator(".review-card")).to_have_count(2)
    expect(visitor.get_by_label("Only my reviews, drafts included")).to_have_count(0)
    assert "Notes in progress" not in received(seen)

    page = new_context().new_page()
    page.goto(frontend.url)
    # Before signing in, this browser kept how far she read The Siege.
    page.evaluate(
        """([token, siege]) => {
            localStorage.setItem('bookclub.progress', JSON.stringify({[siege]: 12}));
            sessionStorage.setItem('bookclub.token', token);
        }""",
        [token, club.siege.pk],
    )
    page.goto(f"{frontend.url}#/account")
    page.get_by_role("button", name="Add it to your account").click()
    expect(page.locator("#signed-in")).to_be_focused()
    expect(page.get_by_role("button", name="Add it to your account")).to_have_count(0)
    adopted = ReadingProgress.objects.get(member=club.alice, book=club.siege)
    assert (adopted.chapter, adopted.finished) == (12, False)
    assert page.evaluate("() => localStorage.getItem('bookclub.progress')") is None

    page.get_by_role("link", name="Reviews").click()
    page.get_by_label("Only my reviews, drafts included").check()
    page.get_by_role("button", name="Show reviews").click()
    card = page.locator(".review-card").filter(has_text="Notes in progress")
    expect(card.locator(".badge")).to_have_text("Draft")
    card.get_by_role("link", name="Notes in progress").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notes in progress")
    expect(page.get_by_text("Draft: only you and the editors see it")).to_be_visible()
    expect(page.get_by_text(draft_text)).to_be_visible()
    assert_accessible(page)


def test_a_reply_under_a_comment_still_closed_to_its_reader_says_what_that_is(
    new_context, frontend, club, roles
):
    """Her own reply always shows; the comment it answers, about a chapter she
    has not reached, stands above it as the site shows it: which chapter, and
    that it waits for her, never as an empty comment by "Someone"."""
    from wagtail.models import APIToken

    from reviews.models import DiscussionComment, ReadingProgress
    from reviews.roles import MEMBERS
    from tests.factories import DiscussionCommentFactory

    club.alice.groups.add(roles[MEMBERS])
    ReadingProgress.objects.create(member=club.alice, book=club.betrayal, chapter=5)
    late = DiscussionComment.objects.get(body=BRUNO_LATE_COMMENT)
    reply = "Nor did I: the last chapters were a shock."
    DiscussionCommentFactory(
        page=club.discussion, author=club.alice, parent=late, chapter=30, body=reply
    )
    _, token = APIToken.create_token(user=club.alice, name="frontend")

    page = new_context().new_page()
    responses = api_bodies(page, frontend.api)
    page.goto(frontend.url)
    page.evaluate("token => sessionStorage.setItem('bookclub.token', token)", token)
    page.goto(f"{frontend.url}#/discussions/{club.discussion.pk}")

    answered = page.locator(f"#comment-{late.pk}")
    expect(answered).to_contain_text(
        "A comment about chapter 30, hidden until you get there."
    )
    expect(answered.locator(".comment__meta")).to_have_count(0)
    expect(page.get_by_text("Someone")).to_have_count(0)
    expect(page.locator(".comment").filter(has_text=reply)).to_contain_text(
        "Alice Marsh on chapter 30"
    )
    assert BRUNO_LATE_COMMENT not in received(responses)
    assert_accessible(page)
