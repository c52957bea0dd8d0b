"""public_pages() keeps exactly Wagtail's rule for view restrictions."""

from __future__ import annotations

import pytest
from wagtail.models import Page, PageViewRestriction

from reviews import content_version
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

    # Within a request, the restrictions are read once per content version.
    content_version.request_started()
    try:
        list(public_pages(ReviewPage.objects.all()))
        with django_assert_num_queries(1):
            list(public_pages(ReviewPage.objects.all()))
    finally:
        content_version.request_finished()


def _other_site_review(book):
    """A second site with its own tree (another root-level page), holding a
    review index and one review."""
    from wagtail.models import Site

    from reviews.models import ReviewIndexPage

    root = Page.get_first_root_node()
    other_home = root.add_child(instance=Page(title="Other club", slug="other-club"))
    Site.objects.create(hostname="other.example", port=80, root_page=other_home)
    index = other_home.add_child(
        instance=ReviewIndexPage(title="Other reviews", slug="other-reviews")
    )
    return make_review(book=book, title="Elsewhere", parent=index)


def _anonymous_request(rf, path="/api/v2/pages/", host="testserver", **session):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get(path, HTTP_HOST=host)
    request.user = AnonymousUser()
    request.session = dict(session)
    return request


@pytest.mark.parametrize("model", [Page, ReviewPage])
def test_public_site_pages_agrees_with_wagtails_api_rule(book, rf, model, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    from wagtail.api.querysets import get_public_pages_queryset

    from reviews.visibility import public_site_pages

    make_review(book=book, title="Open")
    _restrict(make_review(book=book, title="Closed"))
    unpublished = make_review(book=book, title="Draft")
    unpublished.unpublish()
    elsewhere = _other_site_review(book)

    for host in ("testserver", "other.example"):
        request = _anonymous_request(rf, host=host)
        wagtails = set(
            model.objects.filter(pk__in=get_public_pages_queryset(request).values("pk"))
        )
        ours = public_site_pages(request, model)
        assert set(ours) == wagtails
        assert ours.model is model
    elsewhere_site = _anonymous_request(rf, host="other.example")
    assert public_site_pages(elsewhere_site).filter(pk=elsewhere.pk).exists()
    assert (
        not public_site_pages(_anonymous_request(rf)).filter(pk=elsewhere.pk).exists()
    )


def test_public_site_pages_steps_aside_where_restrictions_may_let_in(rf, member):
    from reviews.visibility import public_site_pages

    request = _anonymous_request(rf)
    assert public_site_pages(request) is not None
    # A member, a visitor who passed a page password, or an explicit site=:
    # Wagtail's own rule decides.
    request.user = member
    assert public_site_pages(request) is None
    key = PageViewRestriction.passed_view_restrictions_session_key
    assert public_site_pages(_anonymous_request(rf, **{key: [1]})) is None
    assert public_site_pages(_anonymous_request(rf, "/api/v2/pages/?site=x")) is None


def test_in_subtree_and_descendants_of_match_descendant_of(book):
    from reviews.visibility import descendants_of, in_subtree

    make_review(book=book)
    _other_site_review(book)
    for root in Page.objects.all():
        inclusive = set(Page.objects.descendant_of(root, inclusive=True))
        assert set(in_subtree(Page.objects.all(), root.path)) == inclusive
        assert set(descendants_of(Page.objects.all(), root, inclusive=True)) == (
            inclusive
        )
        assert set(descendants_of(Page.objects.all(), root)) == set(
            Page.objects.descendant_of(root)
        ), root.title


def test_review_filters_leave_out_a_series_restricted_since_the_process_started(
    client, book
):
    """The series choices read the view restrictions each time the form is
    built, not once when the module is first imported."""
    from tests.factories import make_series

    make_review(book=book, title="Open")
    make_series("The Hidden Cycle", [(book, 1)])
    index_url = review_index().url
    assert "The Hidden Cycle" in client.get(index_url).content.decode()

    from reviews.models import SeriesPage

    _restrict(SeriesPage.objects.get(title="The Hidden Cycle"))
    assert "The Hidden Cycle" not in client.get(index_url).content.decode()


@pytest.mark.parametrize(
    "address",
    [
        "{review_url}",
        "/api/v3/reviews/{review}/",
        "/api/v3/reviews/",
        "/api/v3/books/{book}/",
        "/api/v3/books/",
        "/api/v2/pages/{review}/",
    ],
)
def test_a_review_and_its_book_never_name_a_restricted_series(client, book, address):
    """A series page behind a view restriction is missing from the series
    listings and the book's page; the review of one of its books and the
    book's summary in every API named it, title, id and link, to anyone."""
    from tests.factories import make_series

    review = make_review(book=book, title="Open")
    series = make_series("The Hidden Cycle", [(book, 1)])
    path = address.format(review_url=review.url, review=review.pk, book=book.pk)
    assert "The Hidden Cycle" in client.get(path).content.decode()

    _restrict(series)

    answer = client.get(path)
    assert answer.status_code == 200
    assert "The Hidden Cycle" not in answer.content.decode()
    assert series.url not in answer.content.decode()
