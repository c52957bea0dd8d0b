"""The review page in a browser's eyes: spoilers closed, never a surprise."""

import pytest

from .helpers import ENDING_MARKER, LATER_MARKER, MARKER, head_of, split_html

pytestmark = pytest.mark.django_db


def _spoiler_details(html: str) -> list[dict]:
    return [
        attrs
        for attrs in split_html(html)[2]
        if "spoiler" in attrs.get("class", "").split()
    ]


def test_anonymous_reader_meets_no_spoiler_outside_a_closed_details(client, review):
    response = client.get(review.url)
    html = response.content.decode()
    assert response.status_code == 200
    outside, inside, _ = split_html(html)
    for marker in (MARKER, LATER_MARKER, ENDING_MARKER):
        assert marker not in head_of(html)
        assert marker not in outside
        assert marker in inside, "one click away, for a reader who wants it"
    details = _spoiler_details(html)
    assert len(details) == 3
    assert all("data-nosnippet" in attrs for attrs in details)
    assert not any("spoiler--read" in attrs["class"] for attrs in details)


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


def test_member_sees_what_they_have_read_marked_and_the_rest_still_hidden(
    client, review, reader_at_chapter_5
):
    client.force_login(reader_at_chapter_5)
    response = client.get(review.url)
    html = response.content.decode()
    outside, inside, _ = split_html(html)
    assert MARKER not in outside, "still one click, never a surprise"
    read = [a for a in _spoiler_details(html) if "spoiler--read" in a["class"]]
    assert [a["data-chapter"] for a in read] == ["5"]
    assert outside.count("You have read this far") == 1
    banner = " ".join(outside.split())
    assert "The Betrayal up to chapter 20" in banner, "chapter 20 is still ahead"
    assert "up to chapter 5" not in banner.split("Spoiler alert.")[1].split("Open")[0]
    assert "private" in response["Cache-Control"]


def test_read_parameter_marks_spoilers_as_read(client, review, betrayal):
    html = client.get(review.url, {"read": f"{betrayal.pk}:20"}).content.decode()
    read = [a for a in _spoiler_details(html) if "spoiler--read" in a["class"]]
    assert sorted(a["data-chapter"] for a in read) == ["20", "5"]


def test_asking_for_spoilers_does_not_pretend_the_reader_has_read_them(client, review):
    response = client.get(review.url, {"spoilers": "show"})
    outside, _, _ = split_html(response.content.decode())
    assert "You have read this far" not in outside
    assert outside.count("You asked to see spoilers") == 3
    assert MARKER not in outside, "the blocks still open only on purpose"
    assert "private" in response["Cache-Control"]


def test_sequel_review_spoiling_book_1_follows_progress_in_book_1(
    client, review, siege, finished_book_2_only, finished_book_1
):
    def ending_is_marked_read() -> bool:
        html = client.get(review.url).content.decode()
        return any(
            a["data-spoils"] == str(siege.pk) and "spoiler--read" in a["class"]
            for a in _spoiler_details(html)
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
