"""A redirect to a page the reader may not see gives nothing of it away.

Wagtail answers an old URL with a 301 whose ``Location`` is the target's
current URL, and lists redirects (old path, target page id) in API v3 to
anyone. When the target is a draft, an unpublished or a view-restricted page,
that URL and that old path are slugs a reader may not learn (a slug can be a
spoiler): such a redirect answers exactly like a path nobody redirects, for
everyone but those who may see the target.
"""

from collections.abc import Iterator

import pytest
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import PageViewRestriction

from reviews.models import ReviewPage
from tests.factories import UserFactory, make_review
from tests.fixtures.database import built_once

from .conftest import BuiltReview, shared_review
from .helpers import bearer

pytestmark = pytest.mark.django_db

# The redirected pages are built once for the module, on the conftest's
# books; the one test that reads no redirect builds its own page.
siege, betrayal, review = shared_review()

HIDDEN_SLUGS = {
    "draft": "draft-kolya-survives",
    "unpublished": "unpublished-anna-leaves",
    "restricted": "restricted-marina-dies",
}
OPEN_SLUG = "open-review-of-the-betrayal"


@pytest.fixture(scope="module")
def built_targets(
    django_db_blocker, built_review: BuiltReview
) -> Iterator[dict[str, int]]:
    with built_once(django_db_blocker):
        pages = _targets(built_review.betrayal)
        yield {name: page.pk for name, page in pages.items()}


@pytest.fixture
def targets(built_targets: dict[str, int]) -> dict[str, ReviewPage]:
    return {name: ReviewPage.objects.get(pk=pk) for name, pk in built_targets.items()}


def _targets(betrayal) -> dict[str, ReviewPage]:
    pages = {
        "draft": make_review(book=betrayal, slug=HIDDEN_SLUGS["draft"], live=False),
        "unpublished": make_review(book=betrayal, slug=HIDDEN_SLUGS["unpublished"]),
        "restricted": make_review(book=betrayal, slug=HIDDEN_SLUGS["restricted"]),
        "open": make_review(book=betrayal, slug=OPEN_SLUG),
    }
    pages["unpublished"].unpublish()
    PageViewRestriction.objects.create(
        page=pages["restricted"], restriction_type=PageViewRestriction.PASSWORD
    )
    for name, page in pages.items():
        Redirect.objects.create(old_path=f"/old-{name}", redirect_page=page)
    return pages


def _assert_no_hidden_slug(response) -> None:
    sent = (str(response.headers) + response.content.decode()).lower()
    for slug in HIDDEN_SLUGS.values():
        assert slug not in sent


@pytest.mark.parametrize("name", sorted(HIDDEN_SLUGS))
def test_an_old_url_of_a_hidden_page_answers_like_a_missing_one(client, targets, name):
    response = client.get(f"/old-{name}/")
    assert response.status_code == 404
    assert "Location" not in response.headers
    _assert_no_hidden_slug(response)
    Redirect.objects.filter(old_path=f"/old-{name}").delete()
    assert client.get(f"/old-{name}/").content == response.content


def test_a_member_who_cannot_edit_the_target_is_not_redirected(
    client, targets, reader_at_chapter_5
):
    client.force_login(reader_at_chapter_5)
    for name in HIDDEN_SLUGS:
        response = client.get(f"/old-{name}/")
        assert response.status_code == 404
        _assert_no_hidden_slug(response)


def test_an_old_url_of_an_open_page_still_redirects(client, targets):
    response = client.get("/old-open/")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/reviews/{OPEN_SLUG}/"


def test_the_owner_of_a_draft_is_still_redirected_to_it(client, targets):
    owner = UserFactory(username="drafter")
    targets["draft"].owner = owner
    targets["draft"].save(update_fields=["owner"])
    client.force_login(owner)
    response = client.get("/old-draft/")
    assert response.status_code == 301
    assert HIDDEN_SLUGS["draft"] in response.headers["Location"]


def test_a_review_moved_into_a_private_section_leaves_no_trail(client, betrayal):
    """Wagtail creates a redirect from the old URL when a live page moves; it
    must not tell a reader where the private section lives."""
    from reviews.models import ReviewIndexPage
    from tests.factories import review_index

    private = ReviewIndexPage(title="Circle", slug="private-readers-circle")
    review_index().get_parent().add_child(instance=private)
    private.save_revision().publish()
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    review = make_review(book=betrayal, slug="a-quiet-review")
    review.move(private, pos="last-child")
    assert Redirect.objects.filter(old_path="/reviews/a-quiet-review").exists()
    response = client.get("/reviews/a-quiet-review/")
    assert response.status_code == 404
    assert "private-readers-circle" not in str(response.headers) + (
        response.content.decode()
    )


@pytest.mark.parametrize("auth", ["anonymous", "member-token"])
def test_api_v3_lists_only_redirects_to_pages_the_reader_may_see(
    client, targets, reader_at_chapter_5, auth
):
    headers = bearer(reader_at_chapter_5) if auth == "member-token" else {}
    listing = client.get("/api/v3/redirects/", headers=headers)
    assert listing.status_code == 200
    paths = {item["old_path"] for item in listing.json()["items"]}
    assert paths == {"/old-open"}
    for name in HIDDEN_SLUGS:
        redirect = Redirect.objects.get(old_path=f"/old-{name}")
        detail = client.get(f"/api/v3/redirects/{redirect.pk}/", headers=headers)
        assert detail.status_code == 404
        found = client.get(
            f"/api/v3/redirects/find/?html_path=/old-{name}/", headers=headers
        )
        assert found.status_code == 404
    shown = Redirect.objects.get(old_path="/old-open")
    assert client.get(f"/api/v3/redirects/{shown.pk}/").status_code == 200


def test_api_v3_lists_every_redirect_to_an_editor(client, targets):
    editor = UserFactory(username="chief", is_superuser=True, is_staff=True)
    listing = client.get("/api/v3/redirects/", headers=bearer(editor))
    assert len(listing.json()["items"]) == len(targets)
