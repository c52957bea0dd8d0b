"""Joining the club: an editor invites by email, the invitee opens the link,
chooses a password and records how far they have read."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    admin_messages,
    axe_violations,
    describe_violations,
    log_in_to_admin,
)
from tests.fixtures.mail import body_text

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a lantern in the snow 1941"


def test_invitation_set_password_record_progress(
    new_context, live_server, club, editor, smtp_inbox, screenshot
):
    base = live_server.url
    admin = new_context().new_page()
    log_in_to_admin(admin, base, "edith")
    admin.goto(f"{base}/admin/invitations/")
    admin.get_by_role("link", name="Add invitation").first.click()
    admin.get_by_label("Email address").fill("nina@example.org")
    screenshot(admin, "admin-invitation-new")
    admin.get_by_role("button", name="Create").click()
    expect(admin.get_by_text("Invitation sent to nina@example.org.")).to_be_visible()
    assert "Invitation sent" in admin_messages(admin)

    message = smtp_inbox.only()
    assert message["To"] == "nina@example.org"
    (link,) = re.findall(r"https?://\S+", body_text(message))

    page = new_context().new_page()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Join the club")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    page.get_by_label("Your name").fill("Nina Vale")
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    screenshot(page, "join-desktop")
    page.get_by_role("button", name="Join").click()
    page.wait_for_url(f"{base}/reading/")
    expect(page.get_by_role("status")).to_contain_text("Welcome to the club, Nina Vale")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    add = page.get_by_role("region", name="Add a book")
    add.get_by_label("Book").select_option(label="The Siege (Helen Dunmore)")
    add.get_by_label("Chapter reached").fill("5")
    add.get_by_role("button", name="Add to my reading").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Saved: The Siege, up to chapter 5."
    )
    screenshot(page, "join-my-reading")

    # The link worked once.
    again = new_context().new_page()
    again.goto(link)
    expect(again.get_by_role("heading", level=1)).to_have_text(
        "This invitation has already been used"
    )
    screenshot(again, "join-used-link")


LATE_SPOILER = "The bakery on Nevsky Prospect closes in chapter nine"


def test_join_follow_a_book_get_a_spoiler_safe_email_and_unsubscribe(
    new_context, live_server, club, editor, smtp_inbox, screenshot
):
    from reviews.invitations import make_token
    from reviews.models import Follow, Invitation
    from tests.factories import make_review, paragraph, spoiler

    base = live_server.url
    invitation = Invitation.objects.create(email="nina@example.org", invited_by=editor)
    page = new_context().new_page()
    page.goto(f"{base}/club/join/{make_token(invitation)}/")
    page.get_by_label("Your name").fill("Nina Vale")
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Join").click()
    page.wait_for_url(f"{base}/reading/")

    add = page.get_by_role("region", name="Add a book")
    add.get_by_label("Book").select_option(label="The Siege (Helen Dunmore)")
    add.get_by_label("Chapter reached").fill("5")
    add.get_by_role("button", name="Add to my reading").click()
    expect(page.get_by_role("status")).to_contain_text("up to chapter 5")

    # Follow the book from one of its reviews.
    page.goto(base + club.siege_review.url)
    page.get_by_role("button", name="Follow this book").click()
    expect(page.get_by_role("status")).to_contain_text("You follow The Siege")
    expect(page.get_by_role("button", name="Stop following this book")).to_be_visible()
    screenshot(page, "follow-book")
    assert Follow.objects.filter(member__username="nina", book=club.siege).exists()

    # Bruno publishes a review with a spoiler beyond where Nina is.
    make_review(
        book=club.siege,
        owner=club.bruno,
        title="The second winter",
        body=[
            paragraph("Quiet and devastating."),
            spoiler(club.siege, 9, "What happens to the bakery", LATE_SPOILER),
        ],
    )
    message = smtp_inbox.only()
    assert message["To"] == "nina@example.org"
    assert message["Subject"] == "New review of The Siege: The second winter"
    assert b"Nevsky" not in message.as_bytes()
    text = body_text(message)
    html = message.get_body(preferencelist=("html",)).get_content()
    for part in (text, html):
        assert "What happens to the bakery" in part
        assert "Nevsky" not in part
    assert "List-Unsubscribe=One-Click" == message["List-Unsubscribe-Post"]

    # The unsubscribe link works without logging in, in one click.
    (unsubscribe,) = re.findall(r"https?://\S+/club/unsubscribe/\S+/", text)
    stranger = new_context().new_page()
    stranger.goto(unsubscribe.replace("http://localhost", base))
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Unsubscribe")
    stranger.get_by_role("button", name="Unsubscribe").click()
    expect(stranger.get_by_role("heading", level=1)).to_have_text(
        "You are unsubscribed"
    )
    violations = axe_violations(stranger)
    assert not violations, describe_violations(violations)
    screenshot(stranger, "unsubscribed")

    make_review(book=club.siege, owner=club.bruno, body=[paragraph("Again.")])
    assert len(smtp_inbox.messages) == 1
