"""public_pages() keeps exactly Wagtail's rule for view restrictions."""

from __future__ import annotations

import pytest
from wagtail.models import Page, PageViewRestriction

from reviews.models import ReviewPage
from reviews.visibility import public_pages
from tests.factories import make_review, review_index, site_root

pytestmark = pytest.mark.django_db


def _restrict(page) -> None:
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.LOGIN
    )


def test_public_pages_agrees_with_wagtail(book, django_assert_num_queries):
    open_review = make_review(book=book, title="Open")
    closed = make_review(book=book, title="Closed")
    under_closed_section = review_index()
    _restrict(closed)
    for _ in range(3):
        make_review(book=book)
    assert set(public_pages(ReviewPage.objects.all())) == set(
        ReviewPage.objects.public()
    )
    assert open_review in public_pages(ReviewPage.objects.all())
    assert closed not in public_pages(ReviewPage.objects.all())

    _restrict(under_closed_section)
    assert not public_pages(ReviewPage.objects.all()).exists()
    assert set(public_pages(Page.objects.all())) == set(Page.objects.public())
    assert public_pages(Page.objects.filter(pk=site_root().pk)).exists()

    with django_assert_num_queries(1):
        list(public_pages(ReviewPage.objects.all()))
