"""The club's v2 page serializer gives what Wagtail's own gives, for every
``fields=`` shape, in listings and detail, for anonymous readers and
members."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.test import RequestFactory
from wagtail.api.v2.serializers import PageSerializer
from wagtail.api.v2.views import PagesAPIViewSet

from reviews.api.v2 import ClubPagesAPIViewSet, api_router
from reviews.models import ReviewPage
from tests.api.helpers import full_review, restrict
from tests.factories import UserFactory
from tests.fixtures.database import built_once

pytestmark = pytest.mark.django_db


class WagtailSerializerViewSet(ClubPagesAPIViewSet):
    """The club's endpoint with Wagtail's serializer, built afresh for every
    request as Wagtail does."""

    base_serializer_class = PageSerializer
    _get_serializer_class = PagesAPIViewSet._get_serializer_class


def _get(viewset, path: str, user=None, **kwargs):
    request = RequestFactory().get(path)
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
