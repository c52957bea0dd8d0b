"""A reader opens one range of hidden comments: with JavaScript in place,
without it by a link, and by keyboard alone; the ending stays closed."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BRUNO_LATE_COMMENT
from tests.browser.helpers import axe_violations, describe_violations

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

EARLY_COMMENT = "the fear creeps up on you"
LATE_RANGE = "1 comment about chapters 26–30"
EARLY_RANGE = "1 comment about chapters 1–5"


def test_javascript_opens_one_range_in_place_and_hides_it_again(
    page, live_server, club, screenshot
):
    page.goto(live_server.url + club.discussion.url)
    html = page.content()
    assert BRUNO_LATE_COMMENT not in html
    assert EARLY_COMMENT not in html

    button = page.get_by_role("button", name=f"Show {LATE_RANGE}")
    expect(button).to_have_attribute("aria-expanded", "false")
    button.click()
    expect(page.get_by_text(BRUNO_LATE_COMMENT)).to_be_visible()
    toggle = page.get_by_role("button", name=f"Hide {LATE_RANGE} again")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    assert toggle.evaluate("el => el === document.activeElement"), "focus kept"
    assert page.url == live_server.url + club.discussion.url, "no reload"
    assert EARLY_COMMENT not in page.content(), "the other range stays closed"
    screenshot(page, "comment-range-open")

    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    toggle.click()
    expect(page.get_by_text(BRUNO_LATE_COMMENT)).to_be_hidden()
    expect(page.get_by_role("button", name=f"Show {LATE_RANGE}")).to_have_attribute(
        "aria-expanded", "false"
    )


def test_keyboard_alone_opens_and_closes_a_range(page, live_server, club):
    page.goto(live_server.url + club.discussion.url)
    button = page.get_by_role("button", name=f"Show {EARLY_RANGE}")
    for _ in range(80):
        page.keyboard.press("Tab")
        if button.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the range's button never took keyboard focus")
    page.keyboard.press("Enter")
    expect(page.get_by_text(EARLY_COMMENT)).to_be_visible()
    assert BRUNO_LATE_COMMENT not in page.content()
    page.keyboard.press("Space")
    expect(page.get_by_text(EARLY_COMMENT)).to_be_hidden()


def test_without_javascript_a_link_renders_the_range_on_the_server(
    new_context, live_server, club, screenshot
):
    page = new_context(javascript=False).new_page()
    page.goto(live_server.url + club.discussion.url)
    assert BRUNO_LATE_COMMENT not in page.content()
    page.get_by_role("link", name=f"Show {LATE_RANGE}").click()
    assert "reveal_comments=26-30" in page.url
    expect(page.get_by_text(BRUNO_LATE_COMMENT)).to_be_visible()
    assert EARLY_COMMENT not in page.content()
    screenshot(page, "comment-range-no-js")
    opened_url = page.url

    page.get_by_role("link", name="Hide them again").click()
    assert BRUNO_LATE_COMMENT not in page.content()

    # axe needs scripts: check the same server-rendered page in a context
    # that runs them.
    checked = new_context().new_page()
    checked.goto(opened_url)
    expect(checked.get_by_text(BRUNO_LATE_COMMENT)).to_be_visible()
    violations = axe_violations(checked)
    assert not violations, describe_violations(violations)
