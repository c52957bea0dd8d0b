"""Every book in an API answer names its public series, from one map of all
of them (``reviews.models.api_fields.live_series_memberships``) that each
process keeps in memory.

The map is kept until a change to series or to the page tree's shape
retires it: a review published (what most publishes are), a comment or an
RSVP leave it, so the listings rebuilt after them do not read every series
again (at 20,000 reviews the map was two fifths of a v2 listing's rebuild).
Every change that can alter it shows in the next answer.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from reviews.models import SeriesEntry
from tests.factories import (
    BookFactory,
    DiscussionCommentFactory,
    MeetingRSVPFactory,
    make_discussion,
    make_review,
    make_series,
    paragraph,
    series_index,
)

# The API's own response cache off: every request builds its answer, so what
# is asked here is the map alone.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("_no_response_cache"),
]

URLS = (
    "/api/v2/pages/{review}/",
    "/api/v2/pages/?type=reviews.ReviewPage&fields=book",
    "/api/v3/reviews/{review}/",
)


@pytest.fixture
def _no_response_cache():
    with override_settings(BOOKCLUB_API_RESPONSE_CACHE=False):
        yield


@pytest.fixture
def club():
    book = BookFactory(title="The Betrayal")
    review = make_review(book=book, body=[paragraph("Kind words.")])
    series = make_series("Leningrad", [(book, 2)])
    return book, review, series


def _memberships(client, review) -> list[list]:
    shown = []
    for url in URLS:
        response = client.get(url.format(review=review.pk))
        assert response.status_code == 200, url
        data = response.json()
        book = data["book"] if "book" in data else data["items"][0]["book"]
        shown.append(book["series"])
    return shown


def _reads_series(client, review) -> bool:
    """Does answering the review's detail read the series entries?"""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/api/v2/pages/{review.pk}/").status_code == 200
    return any(SeriesEntry._meta.db_table in q["sql"] for q in queries)


def test_a_review_published_leaves_the_map(client, club):
    book, review, series = club
    assert _reads_series(client, review)
    assert not _reads_series(client, review)

    review.summary = "A new revision."
    review.save_revision().publish()
    make_review(book=book, title="Another review")
    assert not _reads_series(client, review)
    assert _memberships(client, review) == [
        [{"id": series.pk, "title": "Leningrad", "position": 2}]
    ] * len(URLS)


def test_a_comment_and_an_rsvp_leave_the_map(client, club):
    _book, review, _series = club
    discussion = make_discussion(book=BookFactory())
    assert _reads_series(client, review)
    DiscussionCommentFactory(page=discussion)
    assert not _reads_series(client, review)
    MeetingRSVPFactory(page=discussion)
    assert not _reads_series(client, review)


def _restrict_series(series, _book):
    PageViewRestriction.objects.create(
        page=series, restriction_type=PageViewRestriction.LOGIN
    )


def _restrict_the_index(series, _book):
    PageViewRestriction.objects.create(
        page=series_index(), restriction_type=PageViewRestriction.PASSWORD, password="x"
    )


def _unpublish(series, _book):
    series.unpublish()


def _delete(series, _book):
    series.delete()


def _delete_the_entry(series, _book):
    series.entries.get().delete()


def _rename_in_a_script(series, _book):
    # A live page saved without a revision (a shell, a data migration).
    series.title = "The Leningrad novels"
    series.save()


def _move_below_a_restricted_page(series, _book):
    hidden = make_series("Hidden shelf", [])
    PageViewRestriction.objects.create(
        page=hidden, restriction_type=PageViewRestriction.LOGIN
    )
    series.move(hidden, pos="last-child")


@pytest.mark.parametrize(
    ("change", "after"),
    [
        (_restrict_series, []),
        (_restrict_the_index, []),
        (_unpublish, []),
        (_delete, []),
        (_delete_the_entry, []),
        (_move_below_a_restricted_page, []),
        (_rename_in_a_script, "The Leningrad novels"),
    ],
    ids=lambda value: getattr(value, "__name__", "").strip("_") or None,
)
def test_a_change_to_the_series_shows_at_once(client, club, change, after):
    book, review, series = club
    before = [{"id": series.pk, "title": "Leningrad", "position": 2}]
    assert _memberships(client, review) == [before] * len(URLS)

    change(series, book)

    if isinstance(after, str):
        after = [{"id": series.pk, "title": after, "position": 2}]
    assert _memberships(client, review) == [after] * len(URLS)


def test_a_restriction_taken_off_and_a_new_series_show_at_once(client, club):
    book, review, series = club
    restriction = PageViewRestriction.objects.create(
        page=series, restriction_type=PageViewRestriction.LOGIN
    )
    assert _memberships(client, review) == [[]] * len(URLS)

    restriction.delete()
    second = make_series("Omnibus", [(book, 1)])
    assert _memberships(client, review) == [
        [
            {"id": series.pk, "title": "Leningrad", "position": 2},
            {"id": second.pk, "title": "Omnibus", "position": 1},
        ]
    ] * len(URLS)
