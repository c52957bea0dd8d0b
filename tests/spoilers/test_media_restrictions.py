"""Media and view restrictions: the restriction decides, when media are read.

Where a live page uses media is recorded when it is published, whether or
not a view restriction hides the page; which of those pages a reader may
see is asked when the media are listed. Adding or removing a restriction
therefore rewrites nothing: it used to rewrite the record page by page
inside the editor's request (four to six queries a page below the
restricted one), and a page published while it was restricted kept its
media hidden after the restriction was lifted by anything that sends no
signal.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from wagtail.models import Page, PageViewRestriction

from tests.api.helpers import published_section, queries_to_restrict_and_open
from tests.factories import BookFactory, make_image, make_review

from .helpers import MARKER
from .test_media_rule import assert_not_anywhere, image_block, titles

pytestmark = pytest.mark.django_db


def _section_using(slug: str, reviews: int, image) -> Page:
    section = published_section(slug, slug.title())
    book = BookFactory()
    for _ in range(reviews):
        make_review(book=book, parent=section.specific, body=[image_block(image.pk)])
    return Page.objects.get(pk=section.pk)


def test_restricting_a_big_section_costs_what_a_small_one_does():
    small = queries_to_restrict_and_open(
        _section_using("small", 2, make_image("Small"))
    )
    large = queries_to_restrict_and_open(
        _section_using("large", 22, make_image("Large"))
    )

    assert large == small, (
        f"the request's queries grew with the pages: {small} -> {large}"
    )


def test_a_section_restricted_and_opened_shows_its_media_again(client: Client):
    image = make_image(f"The cellar {MARKER}")
    section = _section_using("committee", 3, image)
    restriction = PageViewRestriction.objects.create(
        page=section, restriction_type=PageViewRestriction.LOGIN
    )
    assert_not_anywhere(client, image)

    restriction.delete()

    assert image.title in titles(client, "/api/v2/images/")
    assert image.title in titles(client, "/api/v3/images/")


# Committed: on PostgreSQL the database's triggers run at the commit.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_db")
def test_media_first_published_behind_a_restriction_show_once_it_is_lifted(
    client: Client,
):
    """However the restriction goes: here by SQL, which sends no signal (a
    restore, a script). The record holds the page's media all along."""
    section = published_section()
    PageViewRestriction.objects.create(
        page=section, restriction_type=PageViewRestriction.LOGIN
    )
    image = make_image(f"Minutes {MARKER}")
    make_review(
        book=BookFactory(), parent=section.specific, body=[image_block(image.pk)]
    )
    assert_not_anywhere(client, image)

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM wagtailcore_pageviewrestriction WHERE page_id = %s",
            [section.pk],
        )

    assert image.title in titles(client, "/api/v2/images/")


def test_a_page_moved_below_a_restricted_one_hides_its_media_and_back():
    client = Client()
    image = make_image(f"The cellar {MARKER}")
    review = make_review(book=BookFactory(), body=[image_block(image.pk)])
    home = Page.objects.get(pk=review.get_parent().pk)
    restricted = published_section()
    PageViewRestriction.objects.create(
        page=restricted, restriction_type=PageViewRestriction.LOGIN
    )

    Page.objects.get(pk=review.pk).move(restricted, pos="last-child")
    assert_not_anywhere(client, image)

    Page.objects.get(pk=review.pk).move(home, pos="last-child")
    assert image.title in titles(client, "/api/v3/images/")
