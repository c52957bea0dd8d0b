"""A reader browses from a book's page to its discussion."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BRUNO_LATE_COMMENT, SECRET, SECRET_CHAPTER
from tests.browser.helpers import axe_violations, describe_violations, layout_report

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_reader_goes_from_a_book_page_to_its_discussion(
    new_context, live_server, club, screenshot
):
    page = new_context().new_page()
    page.goto(live_server.url + club.review.url)
    page.locator(".eyebrow").get_by_role("link", name="The Betrayal").click()
    expect(page).to_have_url(live_server.url + "/books/the-betrayal/")

    response_text = page.content()
    for secret in (SECRET, SECRET_CHAPTER, BRUNO_LATE_COMMENT):
        assert secret not in response_text
    expect(page.get_by_role("heading", level=1)).to_have_text("The Betrayal")
    expect(page.locator(".book__series")).to_contain_text("Book 2 of 2 in Leningrad")
    expect(page.get_by_role("img", name="Ratings of The Betrayal")).to_be_visible()
    expect(page.locator(".card")).to_contain_text("Reviewed by Alice Marsh")
    expect(page.locator(".badge--spoiler").first).to_contain_text("Spoils")
    discussions = page.locator(".book__discussions")
    expect(discussions).to_contain_text("Not sent to you until your progress")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    screenshot(page, "book-desktop")

    discussions.get_by_role("link", name="The Betrayal, part one").click()
    expect(page).to_have_url(live_server.url + club.discussion.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("The Betrayal, part one")
    assert BRUNO_LATE_COMMENT not in page.content()


def test_the_book_page_fits_a_phone(new_context, live_server, club, screenshot):
    page = new_context(mobile=True).new_page()
    page.goto(live_server.url + club.siege.get_absolute_url())
    expect(page.locator(".book__series")).to_contain_text("next: The Betrayal")
    report = layout_report(page, 14)
    assert report["scrollWidth"] <= report["clientWidth"], report
    screenshot(page, "book-phone")
