"""A member writes a review that an editor approves, and reads the club's
reviews with what they have read taken into account."""

import re

import pytest
from playwright.sync_api import expect

from reviews.models import ReviewPage
from tests.browser.conftest import SECRET, SECRET_CHAPTER
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
from tests.factories import ReadingProgressFactory

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


def test_member_sees_the_spoilers_they_have_read_marked_as_read(
    page, live_server, club, member, screenshot
):
    ReadingProgressFactory(member=member, book=club.siege, finished=True)
    ReadingProgressFactory(member=member, book=club.betrayal, chapter=5)
    log_in(page, live_server.url, "alice")
    page.goto(live_server.url + club.review.url)

    read = page.locator("details.spoiler").filter(has_text="How the first novel ends")
    unread = page.locator("details.spoiler").filter(has_text="What happens to Andrei")
    expect(read).to_have_class(re.compile(r"\bspoiler--read\b"))
    expect(read).to_contain_text("You have read this far")
    expect(unread).not_to_have_class(re.compile(r"\bspoiler--read\b"))
    expect(unread).not_to_contain_text("You have read this far")
    assert read.get_attribute("open") is None, "still opened on purpose"
    assert unread.get_attribute("open") is None
    alert = page.get_by_role("note", name="Spoiler alert")
    expect(alert).to_contain_text("The Betrayal up to chapter 12")
    expect(alert).not_to_contain_text("The Siege")
    screenshot(page, "review-member-spoiler-read")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    read.locator("summary").click()
    expect(page.get_by_text(SECRET)).to_be_visible()
    expect(page.get_by_text(SECRET_CHAPTER)).to_be_hidden()
