"""A member writes a review that an editor approves, and reads the club's
reviews with what they have read taken into account."""

import re

import pytest
from playwright.sync_api import expect

from reviews.models import ReviewPage
from tests.browser.conftest import BRUNO_LATE_COMMENT, SECRET, SECRET_CHAPTER
from tests.browser.helpers import (
    admin_messages,
    axe_violations,
    choose_in_modal,
    describe_violations,
    insert_block,
    log_in,
    log_in_to_admin,
    run_page_action,
    type_rich_text,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("admin_without_autosave"),
]

TITLE = "Winter light"


def test_member_submits_a_review_for_moderation_and_an_editor_approves_it(
    new_context, live_server, club, member, editor, screenshot
):
    base = live_server.url
    page = new_context().new_page()
    log_in(page, base, "alice")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.goto(f"{base}/admin/pages/{club.review_index.pk}/")
    page.get_by_role("link", name="Add child page").first.click()
    page.get_by_role("textbox", name="Title").fill(TITLE)
    page.get_by_role("button", name="Choose book").click()
    choose_in_modal(page, "The Siege (Helen Dunmore)")
    page.get_by_label("Rating").select_option(label="4 ★")
    page.get_by_role("textbox", name="Summary").fill("Cold, hungry and tender.")
    body = page.locator("#body-root")
    insert_block(page, body, "Paragraph")
    type_rich_text(page, body, "I read it in one sitting, under a blanket.")
    publish_actions = page.get_by_role(
        "button", name="Publish", exact=True, include_hidden=True
    )
    assert publish_actions.count() == 0, "a member cannot publish"
    screenshot(page, "admin-member-review")
    run_page_action(page, "Submit to Moderators approval")
    assert f"Page '{TITLE}' created and submitted for moderation." in (
        admin_messages(page)
    )

    review = ReviewPage.objects.get(title=TITLE)
    assert not review.live
    assert review.reviewer == member
    reader = new_context().new_page()
    assert reader.goto(f"{base}/reviews/{review.slug}/").status == 404
    reader.goto(f"{base}{club.review_index.url}")
    expect(reader.get_by_role("link", name=TITLE)).to_have_count(0)

    # The editor finds it awaiting review on the dashboard and approves it.
    editor_page = new_context().new_page()
    log_in_to_admin(editor_page, base, "edith")
    awaiting = editor_page.get_by_role("region", name="Awaiting your review")
    row = awaiting.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("Alice Marsh")
    screenshot(editor_page, "admin-editor-awaiting-review")
    row.get_by_role("button", name="Actions").click()
    with editor_page.expect_navigation():
        editor_page.get_by_role("button", name="Approve", exact=True).click()
    expect(awaiting.get_by_role("row").filter(has_text=TITLE)).to_have_count(0)
    review.refresh_from_db()
    assert review.live, "approving publishes it"

    reader.goto(f"{base}{club.review_index.url}")
    reader.get_by_role("link", name=TITLE).click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(reader.get_by_text("by Alice Marsh")).to_be_visible()
    expect(reader.get_by_text("under a blanket")).to_be_visible()


def test_member_records_progress_and_sees_spoilers_marked_as_read(
    page, live_server, club, member, screenshot
):
    base = live_server.url
    log_in(page, base, "alice")
    page.goto(base + club.review.url)
    spoilers = page.locator(".review__body .spoiler")
    first_book = spoilers.filter(has_text="How the first novel ends")
    chapter_12 = spoilers.filter(has_text="What happens to Andrei")
    alert = page.get_by_role("note", name="Spoiler alert")
    expect(page.locator(".spoiler--read")).to_have_count(0)
    expect(alert).to_contain_text("The Siege")

    # Finished the first book: recorded from the review itself.
    siege_form = page.get_by_role("group", name="Your progress in The Siege")
    siege_form.get_by_label("Finished").check()
    siege_form.get_by_role("button", name="Save progress").click()
    expect(page.get_by_role("status")).to_contain_text("Saved: The Siege, finished.")
    assert page.url == base + club.review.url, "back on the review"
    expect(first_book).to_have_class(re.compile(r"\bspoiler--read\b"))
    expect(first_book).to_contain_text("You have read this far")
    expect(chapter_12).not_to_have_class(re.compile(r"\bspoiler--read\b"))
    expect(alert).not_to_contain_text("The Siege")
    expect(alert).to_contain_text("The Betrayal (book 2 of Leningrad) up to chapter 12")
    expect(first_book).to_have_attribute("open", "")
    expect(page.get_by_text(SECRET)).to_be_visible()
    expect(page.get_by_text(SECRET_CHAPTER)).to_have_count(0)
    screenshot(page, "review-member-spoiler-read")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    first_book.locator("summary").click()  # open, and closable
    expect(page.get_by_text(SECRET)).to_be_hidden()

    # Twelve chapters into the sequel: recorded on "My reading".
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="My reading"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My reading")
    add = page.get_by_role("region", name="Add a book")
    add.get_by_label("Book").select_option(label="The Betrayal (Helen Dunmore)")
    add.get_by_label("Chapter reached").fill("12")
    add.get_by_role("button", name="Add to my reading").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Saved: The Betrayal, up to chapter 12."
    )
    reading = page.locator(".reading-list")
    expect(reading).to_contain_text("You have read up to chapter 12 of 40.")
    expect(reading).to_contain_text("You have finished it.")
    screenshot(page, "my-reading-desktop-member")

    page.goto(base + club.review.url)
    expect(page.locator(".spoiler--read")).to_have_count(2)
    expect(page.get_by_role("note", name="Spoiler alert")).to_have_count(0)


def test_member_comments_replies_and_says_they_are_coming(
    page, live_server, club, member, screenshot
):
    base = live_server.url
    log_in(page, base, "alice")
    page.goto(base + club.discussion.url)
    comments = page.get_by_role("region", name=re.compile(r"^Comments"))
    expect(comments.locator(".comment-ranges")).to_contain_text(
        "2 comments about chapters 1–30 are hidden"
    )

    # Five chapters in: Bruno's comment about chapter 3 opens up, the one
    # about chapter 30 stays collapsed.
    progress = page.get_by_role("group", name="Your progress in The Betrayal")
    progress.get_by_label("Chapter reached").fill("5")
    progress.get_by_role("button", name="Save progress").click()
    expect(page.get_by_role("status")).to_contain_text("up to chapter 5")
    bruno_says = page.get_by_role("article", name="Bruno Keller").filter(
        has_text="the fear creeps up"
    )
    bruno = comments.locator(bruno_says)
    expect(bruno).to_be_visible()
    expect(comments.get_by_text(BRUNO_LATE_COMMENT)).to_be_hidden()

    # A comment of her own.
    form = comments.locator("#comment-form")
    form.get_by_label("Your comment").fill("Andrei's patience broke my heart.")
    form.get_by_label("About chapter").fill("4")
    form.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("status")).to_contain_text("Your comment is posted.")
    mine = comments.get_by_role("article", name="Alice Marsh").filter(
        has_text="broke my heart"
    )
    expect(mine).to_contain_text("about chapter 4")

    # A reply to Bruno, threaded under his comment.
    bruno.get_by_text("Reply", exact=True).click()
    bruno.get_by_label("Your reply").fill("Same here: I kept waiting for the knock.")
    bruno.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("status")).to_contain_text("Your comment is posted.")
    thread = comments.locator("li.comment").filter(has=bruno_says).first
    reply = thread.locator(".comments--replies").get_by_role(
        "article", name="Alice Marsh"
    )
    expect(reply).to_contain_text("waiting for the knock")

    # And she is coming to the meeting.
    rsvp = page.get_by_role("region", name="Who is coming")
    expect(rsvp).to_contain_text("1 going")
    rsvp.get_by_label("Going", exact=True).check()
    rsvp.get_by_role("button", name="Save my answer").click()
    rsvp = page.get_by_role("region", name="Who is coming")
    expect(rsvp).to_contain_text("2 going")
    expect(rsvp).to_contain_text("Alice Marsh")
    expect(rsvp.get_by_label("Going", exact=True)).to_be_checked()
    screenshot(page, "discussion-desktop-member")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
