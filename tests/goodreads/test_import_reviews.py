"""Reviews: drafts (or published), spoilers kept in spoiler blocks, HTML
sanitised, a summary that never gives anything away."""

from datetime import date

import pytest
from wagtail.models import PageLogEntry

from reviews.goodreads.sample import SPOILER_SENTENCES, make_export_csv
from reviews.models import ReviewPage

from .helpers import (
    book_row,
    open_texts,
    run_import,
    spoiler_texts,
    stream_without_ids,
)

pytestmark = pytest.mark.django_db

LOCKE = (
    "A <b>heist</b> novel, and the best banter in years.<br/><br/>"
    "The Camorr chapters are <i>superb</i>. <spoiler>Calo and Galdo die in the "
    "Gray King's trap.</spoiler> After that it turns into a revenge story."
)


def test_a_review_is_a_draft_by_the_member_with_its_rating(reader, indexes):
    report = run_import(
        [book_row("The Lies of Locke Lamora", "Scott Lynch", My_Rating=5,
                  My_Review=LOCKE)],
        reader,
    )  # fmt: skip

    assert report.reviews_created == 1 and report.reviews_published == 0
    page = ReviewPage.objects.get()
    assert not page.live and page.has_unpublished_changes
    assert page.get_parent().specific == indexes[0]
    assert page.owner == reader and page.reviewer == reader
    assert page.latest_revision.user == reader
    assert page.rating == 5.0
    assert page.title == "Rita Reader on The Lies of Locke Lamora"
    assert page.slug == "rita-reader-on-the-lies-of-locke-lamora"
    assert PageLogEntry.objects.filter(page=page, action="wagtail.create").exists()


def test_inline_spoilers_become_spoiler_blocks_of_the_reviewed_book(reader):
    run_import([book_row("The Lies of Locke Lamora", My_Review=LOCKE)], reader)

    page = ReviewPage.objects.get()
    body = stream_without_ids(page.latest_revision.as_object().body)
    assert [block["type"] for block in body] == [
        "paragraph",
        "paragraph",
        "spoiler",
        "paragraph",
    ]
    spoiler = body[2]["value"]
    assert spoiler["spoils"] == page.book_id  # blank spoils: the reviewed book
    assert spoiler["chapter"] is None
    assert spoiler["label"] == "Spoiler from the Goodreads review"
    assert spoiler_texts(body) == ["<p>Calo and Galdo die in the Gray King's trap.</p>"]
    assert not any("Calo" in text for text in open_texts(body))


def test_bbcode_spoilers_spanning_paragraphs_stay_in_one_block(reader):
    review = (
        "Funnier than the first.<br/><br/>[spoiler]The siege ends when Orhan "
        "opens the gates.<br/><br/>Then the council hangs him.[/spoiler]"
        "<br/><br/>Read it anyway."
    )
    run_import([book_row("The Betrayal", My_Review=review)], reader)

    body = stream_without_ids(ReviewPage.objects.get().body)
    assert [block["type"] for block in body] == ["paragraph", "spoiler", "paragraph"]
    assert spoiler_texts(body) == [
        "<p>The siege ends when Orhan opens the gates.</p>",
        "<p>Then the council hangs him.</p>",
    ]


def test_a_review_flagged_as_spoiler_is_one_spoiler_block_and_a_neutral_summary(
    reader,
):
    run_import(
        [book_row("Anxious People", My_Rating=4, Spoiler="true",
                  My_Review="The robber is the neighbour.<br/><br/>Jack is his son.")],
        reader,
    )  # fmt: skip

    page = ReviewPage.objects.get()
    body = stream_without_ids(page.body)
    assert [block["type"] for block in body] == ["spoiler"]
    assert len(spoiler_texts(body)) == 2
    assert page.summary == "A 4-star review of Anxious People; all of it is a spoiler."


def test_an_unclosed_spoiler_hides_the_rest_of_the_review(reader):
    review = "Short and wise.<br/><br/>The ending <spoiler>Ged names the shadow."
    run_import([book_row("A Wizard of Earthsea", My_Review=review)], reader)

    body = stream_without_ids(ReviewPage.objects.get().body)
    assert open_texts(body) == ["<p>Short and wise.</p>", "<p>The ending</p>"]
    assert spoiler_texts(body) == ["<p>Ged names the shadow.</p>"]


def test_the_summary_is_the_first_open_paragraph_cut_on_a_word(reader):
    opening = " ".join(["Wonderful"] * 60)  # 599 characters
    review = f"<spoiler>The twist.</spoiler><br/><br/>{opening}<br/><br/>More."
    run_import([book_row("Middlemarch", My_Review=review)], reader)

    summary = ReviewPage.objects.get().summary
    assert len(summary) <= 300
    assert summary.endswith("Wonderful…")
    assert "twist" not in summary


def test_html_is_sanitised_to_what_the_body_allows(reader):
    review = (
        'Gave up. <script>alert("x")</script><img src=x onerror="alert(1)">'
        'The <a href="javascript:alert(2)">footnotes</a> &amp; '
        '<a href="https://example.org/x" onclick="evil()">jokes</a>'
        '<iframe src="https://evil.example"></iframe>.'
    )
    run_import([book_row("Good Omens", My_Review=review)], reader)

    body = stream_without_ids(ReviewPage.objects.get().body)
    assert body == [
        {
            "type": "paragraph",
            "value": "<p>Gave up. The footnotes &amp; "
            '<a href="https://example.org/x">jokes</a>.</p>',
        }
    ]


def test_rows_without_a_review_create_no_review_page(reader):
    report = run_import(
        [book_row("Gideon the Ninth", Exclusive_Shelf="to-read"),
         book_row("Harrow the Ninth", My_Rating=4, My_Review="   ")],
        reader,
    )  # fmt: skip

    assert report.rows_imported == 2
    assert not ReviewPage.objects.exists()


def test_publish_publishes_with_the_date_read(reader):
    report = run_import(
        [book_row("Tooth and Claw", My_Rating=3, My_Review="Dragons, manners.",
                  Date_Read="2019/05/03")],
        reader,
        publish=True,
    )  # fmt: skip

    assert report.reviews_published == 1
    page = ReviewPage.objects.get()
    assert page.live and not page.has_unpublished_changes
    assert page.first_published_at.date() == date(2019, 5, 3)
    assert page.live_revision == page.latest_revision


def test_two_reviews_of_books_with_the_same_title_get_their_own_slugs(reader):
    run_import(
        [book_row("The Siege", author="Helen Dunmore", My_Review="Cold."),
         book_row("The Siege", author="K.J. Parker", My_Review="Funny.")],
        reader,
    )  # fmt: skip

    assert sorted(ReviewPage.objects.values_list("slug", flat=True)) == [
        "rita-reader-on-the-siege",
        "rita-reader-on-the-siege-2",
    ]


def test_without_a_review_index_nothing_is_imported(db):
    from tests.factories import UserFactory

    member = UserFactory(username="nowhere")

    report = run_import([book_row("Lost", My_Review="Somewhere.")], member)

    assert not report.ok
    assert report.fatal == (
        "the site has no live review index page to put reviews under."
    )
    assert not ReviewPage.objects.exists()


def test_no_spoiler_text_ends_up_outside_a_spoiler_block(reader):
    """Generated exports: every spoiler sentence, in every syntax the generator
    uses (inline, BBCode, across paragraphs, unclosed, whole-review flag), is
    only ever inside a spoiler block, and never in a summary or title."""
    report = run_import(make_export_csv(300, seed=7), reader)

    pages = list(ReviewPage.objects.all())
    assert report.reviews_created == len(pages) > 50
    hidden = 0
    for page in pages:
        body = page.latest_revision.as_object().body
        outside = " ".join(open_texts(body)) + page.summary + page.title
        inside = " ".join(spoiler_texts(body))
        for sentence in SPOILER_SENTENCES:
            assert sentence not in outside, page.title
            hidden += sentence in inside
    assert hidden > 10
