from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reviews import popularity
from reviews.models import DiscussionPage, ReviewDailyViews
from tests.factories import (
    make_discussion,
    make_review,
    make_series,
    site_root,
)

pytestmark = pytest.mark.django_db


def test_home_shows_next_meeting_latest_reviews_and_series(client, book):
    make_discussion(
        book=book, title="Past meeting", starts_at=timezone.now() - timedelta(days=3)
    )
    make_discussion(
        book=book, title="Soon", starts_at=timezone.now() + timedelta(days=2)
    )
    make_discussion(
        book=book, title="Later", starts_at=timezone.now() + timedelta(days=20)
    )
    make_review(book=book, title="A fine review")
    make_series("Leningrad", [(book, 1)])
    response = client.get(site_root().url)
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["next_discussion"].title == "Soon"
    assert "A fine review" in html
    assert "Leningrad" in html


def test_home_lists_ten_series_and_links_to_the_rest(client):
    from home.models import HOME_SERIES
    from tests.factories import BookFactory, series_index

    for n in range(HOME_SERIES):
        make_series(f"Saga {n:02}", [(BookFactory(title=f"Book {n}"), 1)])
    html = client.get(site_root().url).content.decode()
    assert all(f"Saga {n:02}" in html for n in range(HOME_SERIES))
    assert "All series" not in html

    make_series("Saga 99", [(BookFactory(title="One more"), 1)])
    response = client.get(site_root().url)
    html = response.content.decode()
    assert [s.title for s in response.context["series_list"]] == [
        f"Saga {n:02}" for n in range(HOME_SERIES)
    ]
    assert "Saga 99" not in html
    assert f'<a href="{series_index().url}">All series</a>' in html


def test_views_are_counted_in_batches_not_one_write_per_request(
    client, book, django_assert_max_num_queries
):
    page = make_review(book=book)
    for _ in range(popularity.FLUSH_EVERY - 1):
        client.get(page.url)
    assert not ReviewDailyViews.objects.exists(), "nothing written yet"
    client.get(page.url)
    assert ReviewDailyViews.objects.get(page=page).views == popularity.FLUSH_EVERY


def test_popular_reviews_rank_by_recent_views(client, book):
    quiet = make_review(book=book, title="Quiet")
    loud = make_review(book=book, title="Loud")
    today = timezone.localdate()
    ReviewDailyViews.objects.create(page=quiet, day=today, views=3)
    ReviewDailyViews.objects.create(page=loud, day=today, views=30)
    ReviewDailyViews.objects.create(
        page=quiet, day=today - timedelta(days=40), views=500
    )
    response = client.get(site_root().url)
    assert [r.title for r in response.context["popular_reviews"]] == ["Loud", "Quiet"]


def test_the_popular_ranking_is_worked_out_once_per_content_version(
    client, book, settings
):
    """Summing every review's daily views is the home page's dearest query:
    it runs once per content version (and minute), not on every visit."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.BOOKCLUB_PAGE_CACHE = False
    today = timezone.localdate()
    loud = make_review(book=book, title="Loud")
    ReviewDailyViews.objects.create(page=loud, day=today, views=30)
    client.get(site_root().url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(site_root().url)
    assert [r.title for r in response.context["popular_reviews"]] == ["Loud"]
    assert not [
        q for q in queries.captured_queries if "reviews_reviewdailyviews" in q["sql"]
    ]

    newer = make_review(book=book, title="Newer")  # publishing moves it on
    ReviewDailyViews.objects.create(page=newer, day=today, views=99)
    response = client.get(site_root().url)
    assert [r.title for r in response.context["popular_reviews"]] == [
        "Newer",
        "Loud",
    ]


def test_discussion_needs_a_place_or_a_link(book):
    page = DiscussionPage(
        title="Nowhere", slug="nowhere", book=book, starts_at=timezone.now()
    )
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "location" in error.value.message_dict


def test_discussion_page_gates_questions_by_chapter(client, book, member):
    from tests.factories import ReadingProgressFactory

    page = make_discussion(
        book=book,
        questions=[
            {
                "type": "question",
                "value": {"question": "OPENQUESTION", "book": None, "chapter": None},
            },
            {
                "type": "question",
                "value": {"question": "EARLYQUESTION", "book": None, "chapter": 3},
            },
            {
                "type": "question",
                "value": {"question": "LATEQUESTION", "book": None, "chapter": 20},
            },
        ],
    )
    api = client.get(f"/api/v2/pages/{page.pk}/").json()
    shown = {
        q["value"]["question"] for q in api["questions"] if not q["value"]["hidden"]
    }
    assert shown == {"OPENQUESTION"}
    ReadingProgressFactory(member=member, book=book, chapter=5)
    client.force_login(member)
    api = client.get(f"/api/v2/pages/{page.pk}/").json()
    shown = {
        q["value"]["question"] for q in api["questions"] if not q["value"]["hidden"]
    }
    assert shown == {"OPENQUESTION", "EARLYQUESTION"}
    html = client.get(page.url).content.decode()
    assert "hidden until you get there" in html


def test_series_page_lists_books_in_reading_order(client, book):
    from tests.factories import BookFactory

    sequel = BookFactory(title="The Betrayal")
    novella = BookFactory(title="A Novella")
    series = make_series("Leningrad", [(sequel, 2), (book, 1), (novella, 1.5)])
    assert [b["title"] for b in series.books] == [
        "The Siege",
        "A Novella",
        "The Betrayal",
    ]
    assert [b["position"] for b in series.books] == [1, 1.5, 2]
    api = client.get(f"/api/v2/pages/{series.pk}/").json()
    assert [b["id"] for b in api["books"]] == [book.pk, novella.pk, sequel.pk]
    html = client.get(series.url).content.decode()
    assert (
        html.index("The Siege") < html.index("A Novella") < html.index("The Betrayal")
    )


def test_a_page_titled_as_the_site_does_not_repeat_the_name(client):
    """The home page is usually titled as the site is: its title names the
    club once. Any other page is followed by the club's name."""
    from wagtail.models import Site

    root = site_root()
    Site.objects.filter(root_page=root).update(site_name=root.title)
    review = make_review(title="A fine review")

    assert f"<title>{root.title}</title>" in client.get(root.url).content.decode()
    assert f"<title>A fine review · {root.title}</title>" in (
        client.get(review.url).content.decode()
    )
