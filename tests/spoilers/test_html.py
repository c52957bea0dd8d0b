"""The review page in a browser's eyes: spoilers closed, never a surprise."""

import re

import pytest

from .conftest import shared_review
from .helpers import ENDING_MARKER, LATER_MARKER, MARKER, head_of, split_html

pytestmark = pytest.mark.django_db

# Every test here reads the review: built once for the module.
siege, betrayal, review = shared_review()


def _spoiler_blocks(html: str) -> list[dict]:
    """The attributes of every spoiler block, open or hidden."""
    tags = re.findall(r"<(?:details|div) ([^>]*class=\"spoiler[ \"][^>]*)>", html)
    return [
        dict(re.findall(r'([\w-]+)="([^"]*)"', attrs))
        | {"open": " open" in attrs, "nosnippet": "data-nosnippet" in attrs}
        for attrs in tags
    ]


def test_anonymous_reader_is_sent_no_spoiler_content(client, review):
    response = client.get(review.url)
    html = response.content.decode()
    assert response.status_code == 200
    for marker in (MARKER, LATER_MARKER, ENDING_MARKER):
        assert marker not in html, "not even hidden: only a reveal control"
    blocks = _spoiler_blocks(html)
    assert len(blocks) == 3
    assert all(attrs["nosnippet"] for attrs in blocks)
    assert not any("spoiler--read" in attrs["class"] for attrs in blocks)
    assert html.count("Show this spoiler") == 3


def test_closed_spoiler_shows_its_label_and_the_book_it_spoils(client, review):
    outside, _, _ = split_html(client.get(review.url).content.decode())
    assert "How the first book ends" in outside
    assert "reveals The Siege , the ending included" in " ".join(outside.split())
    assert "An early turn" in outside
    assert "up to chapter 5" in outside


def test_banner_lists_what_the_reader_has_not_read(client, review):
    outside, _, _ = split_html(client.get(review.url).content.decode())
    assert "Spoiler alert." in outside
    assert "The Betrayal up to chapter 20" in " ".join(outside.split())
    assert "The Siege , the ending included" in " ".join(outside.split())


def test_member_sees_what_they_have_read_open_marked_and_the_rest_hidden(
    client, review, reader_at_chapter_5
):
    client.force_login(reader_at_chapter_5)
    response = client.get(review.url)
    html = response.content.decode()
    outside, _, _ = split_html(html)
    assert MARKER in outside, "read, so rendered open"
    assert LATER_MARKER not in html and ENDING_MARKER not in html
    read = [a for a in _spoiler_blocks(html) if "spoiler--read" in a["class"]]
    assert [a["data-chapter"] for a in read] == ["5"]
    assert all(a["open"] for a in read)
    assert outside.count("You have read this far") == 1
    banner = " ".join(outside.split())
    assert "The Betrayal up to chapter 20" in banner, "chapter 20 is still ahead"
    assert "up to chapter 5" not in banner.split("Spoiler alert.")[1].split("Open")[0]
    assert "private" in response["Cache-Control"]


def test_read_parameter_marks_spoilers_as_read(client, review, betrayal):
    html = client.get(review.url, {"read": f"{betrayal.pk}:20"}).content.decode()
    read = [a for a in _spoiler_blocks(html) if "spoiler--read" in a["class"]]
    assert sorted(a["data-chapter"] for a in read) == ["20", "5"]


def test_asking_for_spoilers_opens_them_without_pretending_they_were_read(
    client, review
):
    response = client.get(review.url, {"spoilers": "show"})
    outside, _, _ = split_html(response.content.decode())
    assert "You have read this far" not in outside
    assert outside.count("You asked to see spoilers") == 3
    assert MARKER in outside and ENDING_MARKER in outside
    assert "private" in response["Cache-Control"]


def test_sequel_review_spoiling_book_1_follows_progress_in_book_1(
    client, review, siege, finished_book_2_only, finished_book_1
):
    def ending_is_marked_read() -> bool:
        html = client.get(review.url).content.decode()
        return any(
            a["data-spoils"] == str(siege.pk) and "spoiler--read" in a["class"]
            for a in _spoiler_blocks(html)
        )

    client.force_login(finished_book_2_only)
    assert not ending_is_marked_read()
    client.force_login(finished_book_1)
    assert ending_is_marked_read()


def test_head_carries_summary_only_meta_open_graph_twitter_and_json_ld(client, review):
    html = client.get(review.url).content.decode()
    head = head_of(html)
    summary = "Quieter than the first book, and more frightening."
    assert f'<meta name="description" content="{summary}">' in head
    assert f'<meta property="og:description" content="{summary}">' in head
    assert f'<meta name="twitter:description" content="{summary}">' in head
    assert '"@type": "Review"' in head
    assert '"itemReviewed": {"@type": "Book", "name": "The Betrayal"' in head
    assert '"reviewRating": {"@type": "Rating", "ratingValue": 4.5' in head
    assert "open opinion" not in head


def test_meta_description_ignores_a_promote_tab_description(client, review):
    """Only the summary is written to be spoiler-free."""
    review.search_description = f"Everyone forgets {MARKER}"
    review.save_revision().publish()
    head = head_of(client.get(review.url).content.decode())
    assert MARKER not in head
