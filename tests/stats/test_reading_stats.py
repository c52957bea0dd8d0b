"""A member's year in books and the club's numbers, as SVG charts with
tables; the club's numbers come from public reviews only."""

from __future__ import annotations

import datetime
import re

import pytest
from wagtail.models import PageViewRestriction

from reviews.models import ReadingProgress
from tests.factories import BookFactory, UserFactory, make_review, review_index

pytestmark = pytest.mark.django_db


def finish(member, title: str, day: datetime.date) -> None:
    ReadingProgress.objects.create(
        member=member, book=BookFactory(title=title), finished=True, finished_at=day
    )


def table_rows(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td>', html))


def test_a_members_year_counts_books_per_month_and_their_ratings(client, member):
    finish(member, "Winter Book", datetime.date(2025, 1, 10))
    finish(member, "Another Winter", datetime.date(2025, 1, 20))
    finish(member, "Spring Book", datetime.date(2025, 4, 2))
    finish(member, "Last Year", datetime.date(2024, 6, 1))
    make_review(reviewer=member, owner=member, rating=4.5)
    make_review(reviewer=member, owner=member, rating=4.5, live=False)
    client.force_login(member)

    response = client.get("/reading/stats/?year=2025")
    assert response.status_code == 200
    html = response.content.decode()
    assert "private" in response["Cache-Control"]
    assert "You finished 3 books in 2025" in html
    # Months drawn; her reviews were published this year, not in 2025.
    assert html.count("<svg") == 1
    assert "Nothing to show yet" in html
    assert 'role="img"' in html
    assert "<title" in html
    rows = table_rows(html)
    assert rows["Jan"] == "2"
    assert rows["Apr"] == "1"
    assert rows["Jun"] == "0"
    assert "Winter Book" in html and "Last Year" not in html
    # No script, no stylesheet, nothing from another site.
    assert '<script src="http' not in html
    assert not re.search(r'(src|href)="https?://(?!testserver)', html)


def test_ratings_given_count_only_published_reviews_of_that_year(client, member):
    make_review(reviewer=member, owner=member, rating=4.5)
    make_review(reviewer=member, owner=member, rating=2.0, live=False)
    client.force_login(member)
    this_year = datetime.date.today().year
    html = client.get(f"/reading/stats/?year={this_year}").content.decode()
    rows = table_rows(html)
    assert rows["4.5 ★"] == "1"
    assert rows["2 ★"] == "0"
    # A count of reviews, never to be read as the stars given.
    assert "published 1 review with a rating" in html
    assert "rated 1 " not in html


def test_a_members_year_is_theirs_alone(client):
    response = client.get("/reading/stats/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("year", ["abc", "0", "99999", "1066", "2025%00", "-1"])
def test_a_strange_year_shows_this_year(client, member, year):
    client.force_login(member)
    response = client.get("/reading/stats/", {"year": year})
    assert response.status_code == 200
    assert str(datetime.date.today().year).encode() in response.content


def test_the_clubs_numbers_count_only_public_reviews(client):
    siege = BookFactory(title="The Siege")
    hidden = BookFactory(title="DRAFTONLYCANARY")
    restricted = BookFactory(title="PRIVATECANARY")
    for n in range(3):
        member = UserFactory(username=f"reader{n}")
        make_review(book=siege, reviewer=member, owner=member, rating=4.0)
    author = UserFactory(username="writer")
    make_review(book=hidden, reviewer=author, owner=author, rating=1.0, live=False)
    private_index = review_index()
    private = make_review(book=restricted, reviewer=author, owner=author, rating=1.0)
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.LOGIN
    )
    assert private_index.pk

    response = client.get("/club/stats/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "DRAFTONLYCANARY" not in html
    assert "PRIVATECANARY" not in html
    rows = table_rows(html)
    assert rows["The Siege"] == "3"
    assert rows["4 ★"] == "3"
    assert rows["1 ★"] == "0"
    # Most read, all ratings, and the ratings of each most-read book.
    assert html.count("<svg") == 3
    assert "Ratings of The Siege" in html
    assert "From the 3 reviews" in html
