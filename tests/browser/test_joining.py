"""Joining the club: an editor invites by email, the invitee opens the link,
chooses a password and records how far they have read."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.accounts import conftest as accounts
from tests.browser.helpers import (
    admin_messages,
    axe_violations,
    describe_violations,
    log_in_to_admin,
)

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

#: The local SMTP server the site sends through (tests/accounts/conftest.py).
smtp_inbox = accounts.smtp_inbox

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
    (link,) = re.findall(r"https?://\S+", accounts.body_text(message))

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
