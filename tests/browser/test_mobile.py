"""On a phone (390×844), the club's pages fit the screen and read comfortably."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import club_pages
from tests.browser.helpers import layout_report, log_in, open_all_details

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

#: No text a reader must read is smaller than this many CSS pixels.
MIN_TEXT_PX = 14
#: Body text is at least the browser default.
MIN_BODY_PX = 16


def test_pages_fit_a_phone_screen_with_readable_text(
    mobile_page, live_server, club, audience, screenshot
):
    audience(mobile_page, live_server.url)
    suffix = "-member" if audience.member else ""
    problems = []
    for name, path in club_pages(club, member=audience.member).items():
        mobile_page.goto(live_server.url + path)
        for state in ("closed", "open"):
            if state == "open":
                open_all_details(mobile_page)
            report = layout_report(mobile_page, MIN_TEXT_PX)
            where = f"{name} for a {audience.name} ({state} spoilers)"
            if report["clientWidth"] != 390:
                problems.append(
                    f"{where}: laid out {report['clientWidth']}px wide, not at the "
                    "phone's width (viewport meta tag?)"
                )
            if report["scrollWidth"] > report["clientWidth"]:
                problems.append(
                    f"{where}: scrolls sideways ({report['scrollWidth']}px content"
                    f" in {report['clientWidth']}px): {report['overflowing']}"
                )
            elif report["overflowing"]:
                problems.append(f"{where}: cut off: {report['overflowing']}")
            if report["bodyFontSize"] < MIN_BODY_PX:
                problems.append(f"{where}: body text {report['bodyFontSize']}px")
            if report["tiny"]:
                problems.append(
                    f"{where}: text under {MIN_TEXT_PX}px: {report['tiny']}"
                )
        screenshot(mobile_page, f"{name}-mobile-spoilers-open{suffix}")
    assert not problems, "\n".join(problems)


def test_the_rsvp_answer_is_confirmed_on_screen_on_a_phone(
    mobile_page, live_server, club, member, screenshot
):
    """The confirmation appears where the button was, not at the top of a page
    the reader has scrolled far down."""
    log_in(mobile_page, live_server.url, member.username)
    mobile_page.goto(live_server.url + club.discussion.url)
    rsvp = mobile_page.get_by_role("region", name="Who is coming")
    rsvp.get_by_label("Going", exact=True).check()
    rsvp.get_by_role("button", name="Save my answer").click()
    status = mobile_page.locator("#rsvp-status")
    expect(status).to_have_text("Thanks, your answer is saved.")
    expect(status).to_be_in_viewport()
    screenshot(mobile_page, "discussion-rsvp-saved-mobile-member")


def test_a_posted_comment_is_confirmed_on_screen_on_a_phone(
    mobile_page, live_server, club, member, screenshot
):
    """The redirect lands on the new comment, screens below the top of the
    page: the confirmation is there, once, and on screen."""
    log_in(mobile_page, live_server.url, member.username)
    mobile_page.goto(live_server.url + club.discussion.url)
    form = mobile_page.locator("#comment-form")
    form.get_by_label("Your comment").fill("The last pages made me cry.")
    form.get_by_role("button", name="Post comment").click()
    # Where the browser scrolled: the new comment, the fragment's target.
    expect(mobile_page.locator("li.comment:target")).to_contain_text(
        "The last pages made me cry."
    )
    expect(mobile_page.locator("li.comment:target")).to_be_in_viewport()
    status = mobile_page.get_by_role("status").filter(
        has_text="Your comment is posted."
    )
    expect(status).to_have_count(1)
    expect(status).to_be_in_viewport()
    screenshot(mobile_page, "discussion-comment-posted-mobile-member")


@pytest.mark.parametrize(
    ("who", "shown_on_a_phone"), [("member", False), ("editor", True)]
)
def test_the_userbar_leaves_a_members_phone_alone_and_stays_for_editors(
    new_context, live_server, club, request, who, shown_on_a_phone
):
    """Wagtail's userbar floats over the page's corner; on a phone that covers
    what a member came to read, and a member has little to do with it there.
    An editor keeps it on every screen; everyone keeps it on a desktop."""
    user = request.getfixturevalue(who)
    for mobile, expected in ((True, shown_on_a_phone), (False, True)):
        page = new_context(mobile=mobile).new_page()
        log_in(page, live_server.url, user.username)
        page.goto(live_server.url + club.discussion.url)
        userbar = page.locator("[data-wagtail-userbar]")
        expect(userbar).to_have_count(1)
        if expected:
            expect(userbar).to_be_visible()
        else:
            expect(userbar).to_be_hidden()
