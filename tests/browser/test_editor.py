"""An editor adds a book with a cover and publishes a review with a spoiler,
all through the Wagtail admin."""

import re

import pytest
from playwright.sync_api import expect

from reviews.models import Book, ReviewPage
from tests.browser.helpers import (
    admin_messages,
    choose_in_modal,
    chooser_modal,
    insert_block,
    log_in_to_admin,
    run_page_action,
    type_rich_text,
)
from tests.factories import (
    BookFactory,
    cover_png,
    make_cover,
    make_series,
    review_index,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("admin_without_autosave"),
]

SPOILER = "Anna's father does not survive the first winter."


@pytest.fixture
def first_book(transactional_db):
    """The Siege, alone so far in its series."""
    siege = BookFactory(
        title="The Siege", chapter_count=30, cover=make_cover("The Siege")
    )
    series = make_series("Leningrad", [(siege, 1)])
    return siege, series


def test_editor_adds_a_book_and_publishes_a_review_that_spoils_its_prequel(
    page, new_context, live_server, editor, first_book, tmp_path, screenshot
):
    siege, series = first_book
    base = live_server.url
    cover_file = tmp_path / "the-betrayal.png"
    cover_file.write_bytes(cover_png("The Betrayal"))
    log_in_to_admin(page, base, "edith")

    # A book, with a cover uploaded through the image chooser.
    page.get_by_role("button", name="Book club").click()
    page.get_by_role("link", name="Books", exact=True).click()
    page.get_by_role("link", name="Add book").click()
    page.get_by_role("textbox", name="Title").fill("The Betrayal")
    page.get_by_role("textbox", name="Author").fill("Helen Dunmore")
    page.get_by_role("spinbutton", name="Year first published").fill("2010")
    page.get_by_role("spinbutton", name="Number of chapters").fill("40")
    page.get_by_role("button", name="Choose an image").click()
    modal = chooser_modal(page)
    modal.get_by_role("tab", name="Upload").click()
    modal.get_by_label("File").set_input_files(str(cover_file))
    image_title = modal.get_by_role("textbox", name="Title")
    expect(image_title).not_to_have_value("")  # filled from the file name
    image_title.fill("Cover: The Betrayal")
    modal.get_by_role("button", name="Upload").click()
    modal.wait_for(state="hidden")
    expect(page.get_by_text("Cover: The Betrayal")).to_be_visible()
    screenshot(page, "admin-editor-book-with-cover")
    run_page_action(page, "Save")
    assert "The Betrayal" in admin_messages(page)
    betrayal = Book.objects.get(title="The Betrayal")
    assert betrayal.cover.title == "Cover: The Betrayal"
    assert betrayal.chapter_count == 40

    # The book joins its series as the second book.
    page.goto(f"{base}/admin/pages/{series.pk}/edit/")
    page.get_by_role("button", name="Add Book").click()
    entry = page.get_by_role("region", name=re.compile(r"Book\s*2"))
    entry.get_by_role("button", name="Choose book").click()
    choose_in_modal(page, "The Betrayal (Helen Dunmore)")
    entry.get_by_role("spinbutton", name="Position").fill("2")
    run_page_action(page, "Publish")
    assert "has been published" in admin_messages(page)

    # A review in the StreamField editor: a paragraph and a spoiler of the
    # first book.
    page.goto(f"{base}/admin/pages/{review_index().pk}/")
    page.get_by_role("link", name="Add child page").first.click()
    page.get_by_role("textbox", name="Title").fill("Ten years after the siege")
    page.get_by_role("button", name="Choose book").click()
    choose_in_modal(page, "The Betrayal (Helen Dunmore)")
    page.get_by_label("Rating").select_option(label="4.5 ★")
    page.get_by_role("textbox", name="Summary").fill("A quieter fear, ten years on.")
    body = page.locator("#body-root")
    insert_block(page, body, "Paragraph")
    type_rich_text(
        page,
        body,
        "The sequel trades bombs for knocks on the door.",
    )
    insert_block(page, body, "Spoiler")
    spoiler = page.get_by_role("region", name=re.compile(r"^Spoiler"))
    spoiler.get_by_role("button", name="Choose book").click()
    choose_in_modal(page, "The Siege (Helen Dunmore)")
    spoiler.get_by_role("textbox", name="Label").fill("How the first novel ends")
    insert_block(page, spoiler, "Paragraph", which=0)
    type_rich_text(page, spoiler, SPOILER)
    screenshot(page, "admin-editor-review-streamfield")

    run_page_action(page, "Save draft")
    assert "Page 'Ten years after the siege' created." in admin_messages(page), (
        "the draft with its spoiler block was not saved"
    )
    review = ReviewPage.objects.get(title="Ten years after the siege")
    assert not review.live, "a draft is not published"
    draft = review.get_latest_revision_as_object()
    blocks = {block.block_type: block.value for block in draft.body}
    assert blocks["spoiler"]["spoils"] == siege
    assert blocks["spoiler"]["label"] == "How the first novel ends"
    assert SPOILER in str(blocks["spoiler"]["content"][0].value)
    page.goto(f"{base}{review.url}")
    assert page.get_by_role("heading", name="Ten years after the siege").count() == 0

    # The preview opens the draft's spoilers for whoever edits or moderates
    # it; its other mode shows the draft as readers will see it: closed.
    page.goto(f"{base}/admin/pages/{review.pk}/edit/")
    page.get_by_role("button", name="Toggle preview").click()
    preview = page.frame_locator("#w-preview-iframe")
    expect(preview.get_by_text(SPOILER)).to_be_visible()
    page.locator("#id_preview_mode").select_option("reader")
    details = preview.locator(".spoiler--hidden")
    expect(details).to_contain_text("How the first novel ends")
    expect(details).to_contain_text("reveals The Siege, the ending included")
    expect(preview.get_by_text(SPOILER)).to_have_count(0)
    expect(preview.get_by_text("knocks on the door")).to_be_visible()
    screenshot(page, "admin-editor-review-preview")

    run_page_action(page, "Publish")
    assert "has been published" in admin_messages(page)
    review.refresh_from_db()
    assert review.live

    # What the club now sees, logged out.
    reader = new_context().new_page()
    reader.goto(f"{base}{review.url}")
    expect(reader.get_by_role("heading", level=1)).to_have_text(
        "Ten years after the siege"
    )
    expect(reader.get_by_text("Book 2 of Leningrad")).to_be_visible()
    cover = reader.locator("img.review__cover")
    assert cover.evaluate("img => img.naturalWidth") > 0
    expect(reader.locator(".spoiler--hidden")).to_have_count(1)
    expect(reader.get_by_text(SPOILER)).to_have_count(0)
    screenshot(reader, "review-published-by-editor")
