"""The club's v2 page serializer gives what Wagtail's own gives, for every
``fields=`` shape, in listings and detail, for anonymous readers and
members."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group
from django.test import RequestFactory
from wagtail.api.v2.serializers import PageSerializer
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.models import Page, Site

from reviews.api.v2 import ClubPagesAPIViewSet, api_router
from reviews.models import ReviewIndexPage, ReviewPage
from tests.api.helpers import full_review, restrict
from tests.factories import UserFactory, make_discussion, make_series, site_root
from tests.fixtures.database import built_once

pytestmark = pytest.mark.django_db


class WagtailSerializerViewSet(ClubPagesAPIViewSet):
    """The club's endpoint with Wagtail's serializer, built afresh for every
    request as Wagtail does."""

    base_serializer_class = PageSerializer
    _get_serializer_class = PagesAPIViewSet._get_serializer_class


def _get(viewset, path: str, user=None, host: str = "testserver", **kwargs):
    request = RequestFactory().get(path, HTTP_HOST=host)
    request.wagtailapi_router = api_router
    request.session = {}
    if user is not None:
        request.user = user
    action = "detail_view" if kwargs else "listing_view"
    response = viewset.as_view({"get": action})(request, **kwargs)
    if hasattr(response, "render"):  # the club answers errors as problem+json
        response.render()
    return response.status_code, json.loads(response.content)


@pytest.fixture(scope="module")
def reviews(django_db_setup, django_db_blocker) -> Iterator[list[ReviewPage]]:
    """Built once for the module: every test only reads them."""
    with built_once(django_db_blocker):
        yield [full_review(n) for n in range(3)]


@pytest.mark.parametrize(
    "query",
    [
        "type=reviews.ReviewPage",
        "type=reviews.ReviewPage&fields=*",
        "type=reviews.ReviewPage&fields=_,title,rating,book,html_url",
        "type=reviews.ReviewPage&fields=-body,-detail_url,tags,reviewer",
        "type=reviews.ReviewPage&fields=*,-first_published_at&read=1:3",
        "fields=*&order=title",
        "child_of=3&fields=title,seo_title,show_in_menus",
        "type=reviews.ReviewPage&fields=locale(*)",
        "type=reviews.ReviewPage&fields=nonsense",
    ],
)
def test_listings_match_wagtails_serializer(client, reviews, query):
    path = f"/api/v2/pages/?{query}"
    for user in (None, UserFactory(username="reader")):
        for _ in range(2):  # the second time from the club's kept classes
            ours = _get(ClubPagesAPIViewSet, path, user)
            theirs = _get(WagtailSerializerViewSet, path, user)
            if theirs[0] == 200:
                assert ours == theirs
            else:  # the same refusal, in the API's one error shape
                assert ours[0] == theirs[0]
                assert {"type", "title", "status", "detail"} <= set(ours[1])
    status, body = ours
    if status == 200:
        assert body["items"]


@pytest.mark.parametrize("fields", ["", "?fields=*", "?fields=_,parent,title"])
def test_detail_matches_wagtails_serializer(reviews, fields):
    member = UserFactory(username="member")
    for user in (None, member):
        for page in reviews:
            path = f"/api/v2/pages/{page.pk}/{fields}"
            ours = _get(ClubPagesAPIViewSet, path, user, pk=page.pk)
            assert ours == _get(WagtailSerializerViewSet, path, user, pk=page.pk)
            assert ours[0] == 200


@pytest.mark.parametrize("change", ["unpublished", "restricted"])
def test_detail_parent_hidden_as_wagtail_hides_it(reviews, change):
    """A review still live under an index unpublished on its own, or seen by
    a member under an index restricted to a group: Wagtail shows no parent,
    and neither does the club."""
    index = reviews[0].get_parent().specific
    if change == "unpublished":
        index.unpublish()
        users = [None, UserFactory(username="member")]
    else:
        restrict(index, to_group=True)
        users = [UserFactory(username="member")]
    for user in users:
        path = f"/api/v2/pages/{reviews[0].pk}/"
        ours = _get(ClubPagesAPIViewSet, path, user, pk=reviews[0].pk)
        assert ours == _get(WagtailSerializerViewSet, path, user, pk=reviews[0].pk)
        assert ours[0] in (200, 404)
        if ours[0] == 200:
            assert ours[1]["meta"]["parent"] is None


def test_detail_names_its_parent_as_it_is_now(client, reviews):
    """The parent is kept per content version: renaming the index shows in
    the next detail of any review under it."""
    path = f"/api/v2/pages/{reviews[0].pk}/"
    assert client.get(path).json()["meta"]["parent"]["title"] == "Reviews"
    index = reviews[0].get_parent().specific
    index.title = "Every review"
    index.save_revision().publish()
    for page in reviews:
        shown = client.get(f"/api/v2/pages/{page.pk}/").json()
        assert shown["meta"]["parent"]["title"] == "Every review"


def _same_as_wagtail(page: Page, user=None, host: str = "testserver") -> dict | None:
    """The club's detail of ``page`` for ``user`` on ``host``, checked
    against Wagtail's; its ``meta.parent``, or None for a 404."""
    path = f"/api/v2/pages/{page.pk}/"
    ours = _get(ClubPagesAPIViewSet, path, user, host, pk=page.pk)
    assert ours == _get(WagtailSerializerViewSet, path, user, host, pk=page.pk)
    assert ours[0] in (200, 404)
    if ours[0] == 404:
        return None
    return ours[1]["meta"]["parent"] or {}


def test_detail_parent_shown_to_a_member_who_may_see_it(reviews):
    """An index restricted to members, or to a group: a member who may see
    it gets the review and its parent, as from Wagtail; a visitor gets
    neither (a 404, not a review without its parent)."""
    index = reviews[0].get_parent().specific
    restrict(index)
    member = UserFactory(username="member")
    assert _same_as_wagtail(reviews[0]) is None
    assert _same_as_wagtail(reviews[0], member)["title"] == "Reviews"

    index.view_restrictions.all().delete()
    restrict(index, to_group=True)
    member.groups.add(Group.objects.get(name="Committee"))
    assert _same_as_wagtail(reviews[0]) is None
    assert _same_as_wagtail(reviews[0], member)["title"] == "Reviews"


def test_detail_parent_of_a_moved_review_is_its_new_index(reviews):
    """The parent is kept per content version and found by the page's path:
    a review moved to another index names that one at once, and the reviews
    left behind keep theirs."""
    for page in reviews:  # kept under the version before the move
        assert _same_as_wagtail(page)["title"] == "Reviews"
    other = ReviewIndexPage(title="Older reviews", slug="older")
    site_root().add_child(instance=other)
    other.save_revision().publish()
    Page.objects.get(pk=reviews[0].pk).move(other, pos="last-child")
    member = UserFactory(username="member")
    for user in (None, member):
        assert _same_as_wagtail(reviews[0], user)["title"] == "Older reviews"
        for page in reviews[1:]:
            assert _same_as_wagtail(page, user)["title"] == "Reviews"


def test_detail_parent_of_every_kind_of_page(reviews):
    """Discussions, series and the indexes themselves come through the same
    field: each names its index, or the home page, as Wagtail does."""
    discussion = make_discussion()
    series = make_series("Leningrad", [])
    index = reviews[0].get_parent()
    for user in (None, UserFactory(username="member")):
        assert _same_as_wagtail(discussion, user)["title"] == "Discussions"
        assert _same_as_wagtail(series, user)["title"] == "Series"
        assert _same_as_wagtail(index, user)["title"] == site_root().title
        assert _same_as_wagtail(site_root(), user) == {}


def test_detail_parent_on_a_site_rooted_below_the_home_page(reviews):
    """On a site whose root is the review index, a review's parent is that
    root and is shown, while the index's own parent lies outside the site
    and is not: which pages a visitor sees is decided per site."""
    index = reviews[0].get_parent()
    Site.objects.create(hostname="127.0.0.1", port=80, root_page=index)
    for user in (None, UserFactory(username="member")):
        shown = _same_as_wagtail(reviews[0], user, host="127.0.0.1")
        assert shown["title"] == "Reviews"
        assert _same_as_wagtail(index, user, host="127.0.0.1") == {}
        assert _same_as_wagtail(index, user)["title"] == site_root().title


def test_each_serializer_binds_fields_of_its_own():
    """The fields are copied from a prototype kept per class: each
    serializer binds its own copies, so two requests never share a bound
    field (its parent holds the request's context), and a field that holds
    another field (a list of a child field) gets a child of its own too."""
    from rest_framework import fields as drf_fields

    from reviews.api.serializers import FieldsOnceMixin

    class Probe(FieldsOnceMixin, PageSerializer):
        tags = drf_fields.ListField(child=drf_fields.CharField())

        class Meta:
            model = Page
            fields = ["id", "title", "tags"]

    first, second = Probe(context={"n": 1}), Probe(context={"n": 2})
    first_fields, second_fields = first.fields, second.fields
    for name in ("id", "title", "tags"):
        assert first_fields[name] is not second_fields[name]
        assert first_fields[name].parent is first
        assert second_fields[name].parent is second
        assert first_fields[name].context == {"n": 1}
        assert second_fields[name].context == {"n": 2}
    assert first_fields["tags"].child is not second_fields["tags"].child
    assert first_fields["tags"].child.context == {"n": 1}
    assert second_fields["tags"].child.context == {"n": 2}
