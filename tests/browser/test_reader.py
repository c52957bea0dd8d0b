"""An anonymous reader meets a review with spoilers."""

import pytest

from tests.browser.conftest import BRUNO_LATE_COMMENT, SECRET, SECRET_CHAPTER

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def tab_to(page, locator, presses: int = 60) -> None:
    """Press Tab until ``locator`` has the keyboard focus, as a reader would."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"{locator} never took keyboard focus after {presses} Tab presses")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_spoilers_are_closed_and_open_with_the_keyboard_alone(
    new_context, live_server, club, screenshot, javascript
):
    page = new_context(javascript=javascript).new_page()
    page.goto(live_server.url + club.review.url)

    spoilers = page.locator("details.spoiler")
    assert spoilers.count() == 2
    for i in range(2):
        assert spoilers.nth(i).get_attribute("open") is None, "closed by default"
    assert not page.get_by_text(SECRET).is_visible()
    assert not page.get_by_text(SECRET_CHAPTER).is_visible()
    alert = page.get_by_role("note", name="Spoiler alert")
    assert "The Siege" in alert.inner_text()
    first = spoilers.filter(has_text="How the first novel ends")
    assert "reveals The Siege, the ending included" in first.inner_text()
    if javascript:
        screenshot(page, "review-desktop-spoilers-closed")

    summary = first.locator("summary")
    tab_to(page, summary)
    page.keyboard.press("Enter")
    assert first.get_attribute("open") is not None
    assert page.get_by_text(SECRET).is_visible()
    assert not page.get_by_text(SECRET_CHAPTER).is_visible(), "only the one opened"
    if javascript:
        screenshot(page, "review-desktop-spoiler-open")

    page.keyboard.press("Enter")
    assert first.get_attribute("open") is None, "Enter closes it again"
    assert not page.get_by_text(SECRET).is_visible()


def test_the_club_works_without_javascript(new_context, live_server, club):
    page = new_context(javascript=False).new_page()
    page.goto(live_server.url + club.review.url)
    assert page.locator("h1").inner_text() == "After the siege"
    assert page.get_by_text("A quieter fear, ten years on.").is_visible()
    cover = page.locator("img.review__cover")
    assert cover.evaluate("img => img.naturalWidth") > 0, "the cover loads"

    page.get_by_role("link", name="Leningrad").click()
    assert page.locator("h1").inner_text() == "Leningrad"
    assert page.locator(".series-books__position + cite").all_inner_texts() == [
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
    gated = page.locator(".questions details.spoiler")
    assert gated.count() == 1
    assert gated.get_attribute("open") is None
    assert not page.get_by_text("Was Andrei right to treat the boy?").is_visible()
    gated.locator("summary").click()
    assert page.get_by_text("Was Andrei right to treat the boy?").is_visible()
    hidden_comments = page.locator("details.comments__hidden")
    assert hidden_comments.get_attribute("open") is None
    assert not page.get_by_text(BRUNO_LATE_COMMENT).is_visible()
    hidden_comments.locator("summary").click()
    assert page.get_by_text(BRUNO_LATE_COMMENT).is_visible()
