"""Wagtail's own /api/v3/pages/ endpoints with a token: a valid token never
narrows what its holder sees (public pages stay readable), and never widens it
(drafts, other members' drafts and restricted pages stay hidden)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reviews.models import ReviewPage
from reviews.roles import MEMBERS, ensure_groups
from tests.api.helpers import restrict
from tests.factories import (
    BookFactory,
    make_review,
    paragraph,
    review_index,
    token_client,
    user_in,
)
from tests.fixtures.database import built_once

pytestmark = pytest.mark.django_db

DRAFT_TEXT = "XYZZY-UNPUBLISHED-CHANGE"


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker) -> Iterator[dict[str, int]]:
    """Another member's public review, draft and restricted review, built
    once for the module (their ids by name); what a test writes (a
    restriction, a revision) rolls back after it."""
    with built_once(django_db_blocker):
        groups = ensure_groups(review_index())
        owner = user_in(groups[MEMBERS], "carl", first_name="Carl", last_name="Noor")
        book = BookFactory(title="The Siege", chapter_count=30)
        public = make_review(book=book, owner=owner, title="Public review")
        draft = make_review(book=book, owner=owner, live=False, title="Draft")
        restricted = make_review(book=book, owner=owner, title="Committee only")
        restrict(restricted)
        yield {"public": public.pk, "draft": draft.pk, "restricted": restricted.pk}


@pytest.fixture
def public_review(built) -> ReviewPage:
    """The other member's public review, read afresh."""
    return ReviewPage.objects.get(pk=built["public"])


@pytest.fixture
def hidden_pages(built) -> dict[str, int]:
    """Another member's draft and a restricted review: ids a member's token
    may not learn exist."""
    return {"draft": built["draft"], "restricted": built["restricted"]}


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_a_member_token_reads_a_public_review(member_api, public_review):
    response = member_api.get(f"/api/v3/pages/{public_review.pk}/")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Public review"


def test_a_member_token_lists_what_an_anonymous_client_lists(
    client, member_api, public_review
):
    url = "/api/v3/pages/?type=reviews.ReviewPage"
    assert public_review.pk in _ids(client.get(url))
    assert _ids(client.get(url)) <= _ids(member_api.get(url))


def test_a_member_token_finds_a_public_review(member_api, public_review):
    response = member_api.get(f"/api/v3/pages/find/?id={public_review.pk}")
    assert response.status_code == 302


def test_a_token_never_shows_another_members_draft(member_api, hidden_pages):
    draft = hidden_pages["draft"]
    assert member_api.get(f"/api/v3/pages/{draft}/").status_code == 404
    listed = _ids(member_api.get("/api/v3/pages/?type=reviews.ReviewPage"))
    assert draft not in listed


@pytest.mark.parametrize("to_group", [False, True])
def test_a_token_never_shows_a_restricted_page(member_api, public_review, to_group):
    restrict(public_review, to_group=to_group)
    response = member_api.get(f"/api/v3/pages/{public_review.pk}/")
    assert response.status_code == 404
    assert "Public review" not in response.content.decode()


def test_a_public_pages_draft_stays_with_those_who_may_edit_it(
    member_api, public_review, other_member
):
    public_review.body = [paragraph(DRAFT_TEXT)]
    public_review.save_revision(user=other_member)
    response = member_api.get(f"/api/v3/pages/{public_review.pk}/?version=draft")
    assert response.status_code == 200
    assert DRAFT_TEXT not in response.content.decode()
    revisions = member_api.get(f"/api/v3/pages/{public_review.pk}/revisions/")
    assert revisions.status_code in (403, 404)
    assert DRAFT_TEXT not in revisions.content.decode()


def test_an_editor_still_sees_drafts(moderator, hidden_pages):
    response = token_client(moderator).get(f"/api/v3/pages/{hidden_pages['draft']}/")
    assert response.status_code == 200


def test_an_editors_generic_discussion_create_is_never_a_500(moderator, book):
    from tests.factories import discussion_index

    response = token_client(moderator).post(
        "/api/v3/pages/",
        {
            "meta": {
                "type": "reviews.DiscussionPage",
                "parent_id": discussion_index().pk,
            },
            "title": "Generic",
            "slug": "generic",
        },
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"


#: Wagtail's v3 page writes on one page, with a body that passes validation.
PAGE_WRITES = [
    ("patch", "/api/v3/pages/{id}/", {"title": "x"}),
    ("delete", "/api/v3/pages/{id}/", None),
    ("post", "/api/v3/pages/{id}/actions/publish/", {}),
    ("post", "/api/v3/pages/{id}/actions/unpublish/", {}),
    ("post", "/api/v3/pages/{id}/actions/copy/", {}),
    ("post", "/api/v3/pages/{id}/actions/move/", {"destination_id": 1}),
    ("delete", "/api/v3/pages/{id}/actions/delete/", None),
    ("post", "/api/v3/pages/{id}/actions/revert/", {"revision_id": 1}),
    ("post", "/api/v3/pages/{id}/actions/convert_alias/", {}),
    ("post", "/api/v3/pages/{id}/actions/create_alias/", {}),
]
#: Writes that name another page in their body.
PAGES_IN_BODY = [
    (
        "post",
        "/api/v3/pages/",
        lambda id: {
            "meta": {"type": "reviews.ReviewPage", "parent_id": id},
            "title": "x",
        },
    ),
    ("post", "/api/v3/pages/{public}/actions/copy/", lambda id: {"destination_id": id}),
    ("post", "/api/v3/pages/{public}/actions/move/", lambda id: {"destination_id": id}),
    (
        "post",
        "/api/v3/pages/{public}/actions/create_alias/",
        lambda id: {"destination_id": id},
    ),
]


def _send(api, method: str, url: str, body) -> tuple[int, str]:
    kwargs = {} if body is None else {"data": body, "content_type": "application/json"}
    response = getattr(api, method)(url, **kwargs)
    return response.status_code, response.content.decode()


@pytest.mark.parametrize("method,url,body", PAGE_WRITES)
def test_a_write_on_a_hidden_page_answers_as_on_a_missing_one(
    member_api, hidden_pages, method, url, body
):
    missing = _send(member_api, method, url.format(id=999_999), body)
    assert missing[0] == 404
    for name, page_id in hidden_pages.items():
        assert _send(member_api, method, url.format(id=page_id), body) == missing, name


@pytest.mark.parametrize("body", [{"summary": 5}, {"body": "not blocks"}])
def test_a_patch_its_page_type_refuses_answers_on_a_hidden_page_as_on_a_missing_one(
    member_api, hidden_pages, body
):
    # The PATCH's input schema is the page's own type: validated before the
    # view, its errors named the type of another member's draft.
    missing = _send(member_api, "patch", "/api/v3/pages/999999/", body)
    assert missing[0] == 404
    for name, page_id in hidden_pages.items():
        sent = _send(member_api, "patch", f"/api/v3/pages/{page_id}/", body)
        assert sent == missing, name


@pytest.mark.parametrize("method,url,body", PAGES_IN_BODY)
def test_a_hidden_page_named_in_a_write_answers_as_a_missing_one(
    member_api, hidden_pages, public_review, method, url, body
):
    url = url.format(public=public_review.pk)
    missing = _send(member_api, method, url, body(999_999))
    for name, page_id in hidden_pages.items():
        assert _send(member_api, method, url, body(page_id)) == missing, name


@pytest.mark.parametrize("method,url,body", PAGE_WRITES)
def test_a_write_on_the_tree_root_is_a_problem_not_a_500(member_api, method, url, body):
    # Wagtail's copy, move and alias read the page's parent, which the root
    # lacks: they raised AttributeError for a token allowed to add pages.
    from wagtail.models import Page

    root = Page.get_first_root_node()
    for sent in (body, {}, {"destination_id": root.pk}):
        status, text = _send(member_api, method, url.format(id=root.pk), sent)
        assert 400 <= status < 500, (sent, text[:300])
