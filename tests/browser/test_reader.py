"""An anonymous reader meets a review with spoilers."""

import pytest

from tests.factories import BookFactory, make_review, paragraph, spoiler

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SECRET = "The whole family survives the winter"


@pytest.fixture
def review():
    siege = BookFactory(title="The Siege")
    betrayal = BookFactory(title="The Betrayal")
    return make_review(
        book=betrayal,
        title="After the siege",
        summary="A quieter fear.",
        body=[
            paragraph("What I thought."),
            spoiler(siege, None, "How the first novel ends", SECRET),
        ],
    )


def test_spoiler_is_closed_and_opens_with_the_keyboard(
    live_server, page, review, screenshot
):
    page.goto(live_server.url + review.url)
    details = page.locator("details.spoiler")
    assert details.count() == 1
    assert details.get_attribute("open") is None
    assert not page.get_by_text(SECRET).is_visible()
    screenshot(page, "review-desktop-closed")

    summary = details.locator("summary")
    for _ in range(40):
        page.keyboard.press("Tab")
        if summary.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the spoiler's summary never took keyboard focus")
    page.keyboard.press("Enter")
    assert details.get_attribute("open") is not None
    assert page.get_by_text(SECRET).is_visible()


def test_review_works_without_javascript(browser, live_server, review):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + review.url)
    assert page.locator("h1").inner_text() == "After the siege"
    page.locator("details.spoiler summary").click()
    assert page.get_by_text(SECRET).is_visible()
    context.close()
