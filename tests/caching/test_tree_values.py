"""What every page works out about the tree (the view restrictions, the
site's root, the navigation's sections) is kept until the tree's shape
changes, and the open rounds until a round does.

A review published (what most publishes are), a comment, a vote or an RSVP
leave them, so the pages rebuilt after them read none of these again; every
change that can alter one shows in the next answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction, Site

from reviews.cards import open_round
from reviews.content_version import forget_in_process
from reviews.templatetags.club_tags import club_sections
from reviews.visibility import restricted_paths, site_root_path
from tests.factories import (
    DiscussionCommentFactory,
    MeetingRSVPFactory,
    NominationRoundFactory,
    make_discussion,
    make_review,
    review_index,
    series_index,
)

pytestmark = pytest.mark.django_db

#: The tables each value is worked out from.
READS = (
    "wagtailcore_pageviewrestriction",
    "wagtailcore_site",
    '"wagtailcore_page"',
    "reviews_nominationround",
)


def _request():
    return RequestFactory().get("/", HTTP_HOST="localhost")


def _values() -> tuple:
    request = _request()
    return (
        restricted_paths(),
        site_root_path(request),
        [page.title for page in club_sections({"request": request})],
        open_round(),
    )


def _tables_read(work: Callable[[], object]) -> set[str]:
    with CaptureQueriesContext(connection) as queries:
        work()
    return {table for table in READS for q in queries if table in q["sql"]}


@pytest.fixture
def club():
    forget_in_process()
    review_index(), series_index()
    discussion = make_discussion()
    review = make_review()
    NominationRoundFactory(title="Spring")
    _values()
    return review, discussion


def test_a_review_published_a_comment_and_an_rsvp_leave_them(club):
    review, discussion = club
    review.summary = "Edited."
    review.save_revision().publish()
    assert _tables_read(_values) == set()
    DiscussionCommentFactory(page=discussion)
    MeetingRSVPFactory(page=discussion)
    assert _tables_read(_values) == set()


def test_a_view_restriction_shows_at_once(club):
    review, _ = club
    restriction = PageViewRestriction.objects.create(
        page=review, restriction_type=PageViewRestriction.LOGIN
    )
    assert restricted_paths() == [review.path]
    restriction.delete()
    assert restricted_paths() == []


def test_a_section_renamed_unpublished_or_restricted_shows_at_once(club):
    index = review_index()
    index.title = "All our reviews"
    index.save_revision().publish()
    assert "All our reviews" in _values()[2]
    PageViewRestriction.objects.create(
        page=index, restriction_type=PageViewRestriction.LOGIN
    )
    assert "All our reviews" not in _values()[2]
    series = series_index()
    assert series.title in _values()[2]
    series.unpublish()
    assert series.title not in _values()[2]


def test_a_site_moved_to_another_root_shows_at_once(club):
    site = Site.objects.get(is_default_site=True)
    before = site_root_path(_request())
    site.root_page = review_index()
    site.save()
    assert site_root_path(_request()) == site.root_page.path != before


def test_a_round_opened_closed_or_renamed_shows_at_once(club):
    assert open_round().title == "Spring"
    spring = open_round()
    spring.title = "Spring, renamed"
    spring.save()
    assert open_round().title == "Spring, renamed"
    spring.closes_at = timezone.now() - timedelta(minutes=1)
    spring.save()
    assert open_round() is None
    NominationRoundFactory(title="Summer")
    assert open_round().title == "Summer"
