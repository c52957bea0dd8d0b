"""A book's page: cover, series, ratings, reviews, discussions, progress —
and only what the reader may see."""

import re

import pytest
from django.urls import reverse
from wagtail.models import PageViewRestriction

from reviews.models import DiscussionComment
from tests.factories import (
    BookFactory,
    ReadingProgressFactory,
    UserFactory,
    make_cover,
    make_discussion,
    make_review,
    make_series,
    paragraph,
    spoiler,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def siege():
    return BookFactory(title="The Siege", chapter_count=30, cover=make_cover("Siege"))


@pytest.fixture
def betrayal():
    return BookFactory(title="The Betrayal", chapter_count=25)


def _get(client, book, **params) -> str:
    response = client.get(book.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_lives_at_the_books_slug(client, siege):
    assert siege.get_absolute_url() == "/books/the-siege/"
    html = _get(client, siege)
    assert "<cite>The Siege</cite>" in html
    assert "<title>The Siege by Helen Dunmore" in html
    assert '<meta name="description"' in html
    assert "book__cover" in html


def test_an_unknown_or_malformed_slug_is_a_404(client):
    assert client.get("/books/no-such-book/").status_code == 404
    assert client.get("/books/%00/").status_code == 404
    assert client.get("/books/" + "a" * 5000 + "/").status_code == 404


def test_the_page_shows_its_place_in_the_series(client, siege, betrayal):
    series = make_series("The Leningrad novels", [(siege, 1), (betrayal, 2)])
    html = _get(client, betrayal)
    assert "Book 2 of 2 in" in html
    assert f'href="{series.url}"' in html
    assert 'before it: <a href="/books/the-siege/"><cite>The Siege</cite></a>' in html


def test_an_unpublished_series_is_not_named(client, siege, betrayal):
    series = make_series("A secret series", [(siege, 1), (betrayal, 2)])
    series.unpublish()
    assert "A secret series" not in _get(client, siege)


def test_ratings_average_and_distribution_come_from_published_reviews(client, siege):
    make_review(book=siege, rating=5.0)
    make_review(book=siege, rating=4.5)
    make_review(book=siege, rating=3.0)
    make_review(book=siege, rating=1.0, live=False, title="A draft's rating")
    html = _get(client, siege)
    assert "4.2 out of 5, from 3 rated reviews" in html
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg
    title = re.search(r"<title[^>]*>(.*?)</title>", svg).group(1)
    assert title.startswith("Ratings of The Siege.")
    assert "5 ★: 1" in title
    assert "4 ★: 1" in title
    assert "3 ★: 1" in title
    assert "1 ★: 0" in title, "the draft's rating is not counted"
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    # The numbers as text too, beside the picture.
    assert '<th scope="row">5 ★</th><td>1</td>' in html


def test_reviews_are_listed_by_summary_never_by_body(client, siege, betrayal):
    make_review(
        book=siege,
        title="Bread and cold",
        summary="A spoiler-free teaser.",
        body=[
            paragraph("OPEN-BODY-TEXT"),
            spoiler(siege, 12, "Who joins the household", "SPOILER-TEXT"),
        ],
    )
    html = _get(client, siege)
    assert "Bread and cold" in html
    assert "A spoiler-free teaser." in html
    assert "OPEN-BODY-TEXT" not in html
    assert "SPOILER-TEXT" not in html
    assert "Who joins the household" not in html, "not even the label: a summary"
    assert "Spoils <cite>The Siege</cite> up to chapter 12" in html


def test_a_reader_who_finished_the_book_still_gets_no_bodies(client, siege):
    member = UserFactory()
    ReadingProgressFactory(member=member, book=siege, finished=True)
    make_review(book=siege, body=[spoiler(siege, None, "The end", "SPOILER-TEXT")])
    client.force_login(member)
    assert "SPOILER-TEXT" not in _get(client, siege, spoilers="show")


def test_drafts_restricted_and_unpublished_reviews_are_not_listed(client, siege):
    make_review(book=siege, live=False, title="DRAFT-TITLE")
    unpublished = make_review(book=siege, title="UNPUBLISHED-TITLE")
    unpublished.unpublish()
    restricted = make_review(book=siege, title="RESTRICTED-TITLE")
    PageViewRestriction.objects.create(
        page=restricted, restriction_type=PageViewRestriction.LOGIN
    )
    html = _get(client, siege)
    for title in ("DRAFT-TITLE", "UNPUBLISHED-TITLE", "RESTRICTED-TITLE"):
        assert title not in html
    assert "No rated reviews yet." in html


def test_reviews_of_other_books_that_spoil_it_are_named(client, siege, betrayal):
    make_review(
        book=betrayal,
        title="After the siege",
        body=[spoiler(siege, None, "How the first book ends", "SPOILER-TEXT")],
    )
    make_review(book=betrayal, title="An open review of the sequel")
    html = _get(client, siege)
    assert "After the siege" in html
    assert "An open review of the sequel" not in html
    assert "SPOILER-TEXT" not in html


def test_discussions_count_what_the_reader_has_not_reached(client, siege):
    discussion = make_discussion(
        book=siege,
        title="The Siege, all of it",
        questions=[
            {"type": "question", "value": {"question": "OPEN-Q", "chapter": None}},
            {"type": "question", "value": {"question": "GATED-Q", "chapter": 20}},
        ],
    )
    author = UserFactory()
    DiscussionComment.objects.create(
        page=discussion, author=author, body="OPEN-COMMENT", chapter=1
    )
    DiscussionComment.objects.create(
        page=discussion, author=author, body="HIDDEN-COMMENT", chapter=22
    )
    html = _get(client, siege)
    assert f'href="{discussion.url}"' in html
    assert "2 comments" in html
    # Chapter 1 is not reached either by a reader with no progress.
    assert "1 question and 2 comments" in html
    for text in ("OPEN-Q", "GATED-Q", "OPEN-COMMENT", "HIDDEN-COMMENT"):
        assert text not in html

    reader = UserFactory()
    ReadingProgressFactory(member=reader, book=siege, chapter=25)
    client.force_login(reader)
    html = _get(client, siege)
    assert "Not sent to you until" not in html
    assert "HIDDEN-COMMENT" not in html


def test_members_see_their_progress_as_a_percentage(client, siege):
    member = UserFactory()
    ReadingProgressFactory(member=member, book=siege, chapter=12)
    client.force_login(member)
    html = _get(client, siege)
    assert "You have read up to chapter 12 of 30." in html
    assert '<progress max="100" value="40"' in html
    assert "40%" in html
    follow = reverse("reviews:follow_book", args=[siege.pk])
    assert f'action="{follow}"' in html, "members may follow the book from its page"
    assert f'action="{reverse("reviews:update_progress", args=[siege.pk])}"' in html


def test_visitors_are_invited_to_log_in(client, siege):
    html = _get(client, siege)
    assert "progress-form--visitor" in html
    assert "/accounts/login/?next=%2Fbooks%2Fthe-siege%2F" in html


def test_a_members_own_comments_are_not_counted_as_hidden_from_them(client, siege):
    """The discussion shows a member the comments they wrote, whatever their
    chapter; the book page said they were waiting for their progress."""
    alice = UserFactory(username="alice")
    ReadingProgressFactory(member=alice, book=siege, chapter=3)
    discussion = make_discussion(book=siege, title="Meeting")
    DiscussionComment.objects.create(
        page=discussion, author=alice, body="Mine, about ten.", chapter=10
    )
    DiscussionComment.objects.create(
        page=discussion, author=UserFactory(), body="Theirs, about ten.", chapter=10
    )
    client.force_login(alice)

    book_html = " ".join(_get(client, siege).split())
    assert "Not sent to you until your progress reaches them: 1 comment." in book_html
    discussion_html = client.get(discussion.url).content.decode()
    assert "Mine, about ten." in discussion_html
    assert "Theirs, about ten." not in discussion_html
