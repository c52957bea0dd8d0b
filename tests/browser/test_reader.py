"""An anonymous reader meets a review with spoilers."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import BRUNO_LATE_COMMENT, SECRET, SECRET_CHAPTER
from tests.browser.helpers import axe_violations, describe_violations

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def tab_to(page, locator, presses: int = 60) -> None:
    """Press Tab until ``locator`` has the keyboard focus, as a reader would."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"{locator} never took keyboard focus after {presses} Tab presses")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_spoilers_are_sent_hidden_and_revealed_with_the_keyboard_alone(
    new_context, live_server, club, screenshot, javascript
):
    page = new_context(javascript=javascript).new_page()
    response = page.goto(live_server.url + club.review.url)
    assert SECRET not in response.text(), "not in the page at all"
    assert SECRET_CHAPTER not in response.text()

    spoilers = page.locator(".review__body .spoiler--hidden")
    assert spoilers.count() == 2
    expect(page.get_by_text(SECRET)).to_have_count(0)
    alert = page.get_by_role("note", name="Spoiler alert")
    assert "The Siege" in alert.inner_text()
    first = spoilers.filter(has_text="How the first novel ends")
    assert "reveals The Siege, the ending included" in first.inner_text()
    if javascript:
        screenshot(page, "review-desktop-spoilers-closed")

    control = first.locator(".spoiler__reveal")
    tab_to(page, control)
    page.keyboard.press("Enter")
    expect(page.get_by_text(SECRET)).to_be_visible()
    expect(page.get_by_text(SECRET_CHAPTER)).to_have_count(0)
    if javascript:
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
        assert page.url == live_server.url + club.review.url, "revealed in place"
        expect(control).to_have_attribute("aria-expanded", "true")
        expect(control).to_be_focused()
        expect(control).to_have_text("Hide it again")
        screenshot(page, "review-desktop-spoiler-open")
        page.keyboard.press("Enter")
        expect(control).to_have_attribute("aria-expanded", "false")
        expect(page.get_by_text(SECRET)).to_be_hidden()
        expect(control).to_be_focused()
    else:
        assert "reveal=" in page.url, "rendered by the server"
        opened = page.locator(".review__body details.spoiler--revealed")
        expect(opened).to_contain_text("You asked to see this one")
        hide = page.get_by_role("link", name="Hide it again")
        tab_to(page, hide)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "reveal=" not in url)
        expect(page.get_by_text(SECRET)).to_have_count(0)


def test_a_visitor_says_how_far_they_have_read_without_javascript(
    new_context, live_server, club
):
    """The spoiler alert's form: chapter 12 of The Betrayal opens what
    happens to Andrei, marked as read, and nothing of The Siege's ending."""
    page = new_context(javascript=False).new_page()
    page.goto(live_server.url + club.review.url)
    alert = page.get_by_role("note", name="Spoiler alert")

    alert.get_by_label("How far have you read The Betrayal?").select_option(
        label="Up to chapter 12"
    )
    alert.get_by_role("button", name="Open what I have read").click()

    page.wait_for_url(lambda url: "read=" in url)
    opened = page.locator(".review__body details.spoiler--read")
    expect(opened).to_contain_text(SECRET_CHAPTER)
    expect(opened).to_contain_text("You have read this far")
    assert SECRET not in page.content()
    # What is left is still offered, and the answer given is kept.
    siege = page.get_by_label("How far have you read The Siege?")
    expect(siege).to_be_visible()
    expect(page.get_by_label("How far have you read The Betrayal?")).to_have_count(0)


def test_the_club_works_without_javascript(new_context, live_server, club):
    page = new_context(javascript=False).new_page()
    page.goto(live_server.url + club.review.url)
    assert page.locator("h1").inner_text() == "After the siege"
    assert page.get_by_text("A quieter fear, ten years on.").is_visible()
    cover = page.locator("img.review__cover")
    assert cover.evaluate("img => img.naturalWidth") > 0, "the cover loads"

    page.get_by_role("link", name="Leningrad").click()
    assert page.locator("h1").inner_text() == "Leningrad"
    assert page.locator(".series-books__position + a cite").all_inner_texts() == [
        "The Siege",
        "The Betrayal",
    ]

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Reviews"
    ).click()
    page.get_by_label("Book").select_option(label="The Siege (Helen Dunmore)")
    page.get_by_role("button", name="Filter").click()
    assert page.get_by_role("heading", level=2).inner_text() == "1 review matches"
    titles = page.locator(".card__title").all_inner_texts()
    assert titles == ["Bread and birch bark"]

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Discussions"
    ).click()
    page.get_by_role("link", name="The Betrayal, part one").click()
    gated = page.locator(".questions .spoiler--hidden")
    assert gated.count() == 1
    expect(page.get_by_text("Was Andrei right to treat the boy?")).to_have_count(0)
    gated.get_by_role("link", name="Show this question").click()
    assert page.get_by_text("Was Andrei right to treat the boy?").is_visible()
    assert BRUNO_LATE_COMMENT not in page.content(), "never sent"
    page.get_by_role("link", name="Show 1 comment about chapters 26–30").click()
    assert page.get_by_text(BRUNO_LATE_COMMENT).is_visible()


def test_a_gated_question_is_revealed_in_place_by_keyboard(
    new_context, live_server, club
):
    page = new_context().new_page()
    response = page.goto(live_server.url + club.discussion.url)
    question = "Was Andrei right to treat the boy?"
    assert question not in response.text()
    control = page.locator(".questions .spoiler__reveal")
    expect(control).to_have_attribute("aria-expanded", "false")
    tab_to(page, control)
    page.keyboard.press("Enter")
    expect(page.get_by_text(question)).to_be_visible()
    expect(control).to_have_attribute("aria-expanded", "true")
    expect(control).to_be_focused()
    assert page.url == live_server.url + club.discussion.url, "revealed in place"
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    page.keyboard.press("Enter")
    expect(page.get_by_text(question)).to_be_hidden()
