"""A member in the admin sees their own pages and live public pages only:
other members' drafts, pending titles and restricted pages are absent from
every listing, search, chooser, report and the admin's API."""

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from reviews.roles import ensure_groups
from tests.factories import review_index
from tests.fixtures.database import built_once

from .conftest import (
    DRAFT_TITLE,
    HIDDEN_TITLES,
    LIVE_TITLE,
    OWN_DRAFT_TITLE,
    PENDING_TITLE,
    AdminPages,
    assert_hides_others,
    build_pages,
    make_alice,
    make_bruno,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def club(
    django_db_setup, django_db_blocker
) -> Iterator[tuple[dict[str, Group], User, User, AdminPages]]:
    """The groups, Alice, Bruno and their pages, built once for the module:
    every test here reads them, and what a test writes rolls back after it."""
    with built_once(django_db_blocker):
        groups = ensure_groups(review_index())
        alice, bruno = make_alice(groups), make_bruno(groups)
        yield groups, alice, bruno, build_pages(alice, bruno)


@pytest.fixture
def groups(club) -> dict[str, Group]:
    return {name: Group.objects.get(pk=group.pk) for name, group in club[0].items()}


@pytest.fixture
def alice(club) -> User:
    return User.objects.get(pk=club[1].pk)


@pytest.fixture
def bruno(club) -> User:
    return User.objects.get(pk=club[2].pk)


@pytest.fixture
def pages(club) -> AdminPages:
    return club[3].from_database()


@pytest.fixture
def as_alice(client, alice):
    client.force_login(alice)
    return client


def _get(client, url: str, **params) -> bytes:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content


def test_explorer_lists_own_and_live_public_pages_only(as_alice, pages):
    body = _get(as_alice, reverse("wagtailadmin_explore", args=[pages.index.pk]))
    assert OWN_DRAFT_TITLE.encode() in body
    assert LIVE_TITLE.encode() in body
    assert_hides_others(body)


@pytest.mark.parametrize("query", ["Bruno", "bilby", "dingo", "quokka", "wombat"])
def test_explorer_search_finds_no_hidden_page(as_alice, pages, query):
    url = reverse("wagtailadmin_explore", args=[pages.index.pk])
    assert_hides_others(_get(as_alice, url, q=query))
    assert_hides_others(_get(as_alice, url, q=query, search_all=1))
    assert_hides_others(_get(as_alice, reverse("wagtailadmin_pages:search"), q=query))


def test_page_search_still_finds_own_draft(as_alice, pages):
    body = _get(as_alice, reverse("wagtailadmin_pages:search"), q="platypus")
    assert OWN_DRAFT_TITLE.encode() in body


def test_chooser_browse_lists_own_and_live_public_pages_only(as_alice, pages):
    url = reverse("wagtailadmin_choose_page_child", args=[pages.index.pk])
    body = _get(as_alice, url)
    assert LIVE_TITLE.encode() in body
    assert_hides_others(body)


@pytest.mark.parametrize("query", ["Bruno", "bilby", "dingo", "quokka", "wombat"])
def test_chooser_search_finds_no_hidden_page(as_alice, pages, query):
    url = reverse("wagtailadmin_choose_page_search")
    assert_hides_others(_get(as_alice, url, q=query))


def test_admin_api_lists_no_hidden_page(as_alice, pages):
    url = reverse("wagtailadmin_api:pages:listing")
    for params in (
        {"child_of": pages.index.pk},
        {"child_of": pages.index.pk, "for_explorer": 1},
        {"descendant_of": pages.index.pk, "limit": 50},
        {"search": "Bruno"},
    ):
        body = _get(as_alice, url, **params)
        assert_hides_others(body)
    body = _get(as_alice, url, child_of=pages.index.pk)
    assert LIVE_TITLE.encode() in body


@pytest.mark.parametrize("name", ["draft", "login_only", "password_only"])
def test_admin_api_detail_of_hidden_page_is_missing(as_alice, pages, name):
    page = getattr(pages, name)
    url = reverse("wagtailadmin_api:pages:detail", args=[page.pk])
    response = as_alice.get(url)
    assert response.status_code == 404
    assert_hides_others(response.content)


def test_site_history_shows_no_hidden_page(as_alice, pages, bruno):
    for page in (pages.draft, pages.login_only, pages.password_only):
        page.save_revision(user=bruno, log_action=True)
    assert_hides_others(_get(as_alice, reverse("wagtailadmin_reports:site_history")))


def test_page_types_usage_names_no_hidden_page(as_alice, pages, bruno):
    pages.draft.save_revision(user=bruno)  # the last edited review
    body = _get(as_alice, reverse("wagtailadmin_reports:page_types_usage"))
    assert_hides_others(body)


@pytest.mark.parametrize("name", ["draft", "login_only", "password_only"])
def test_exploring_or_choosing_under_a_hidden_page_is_missing(as_alice, pages, name):
    page = getattr(pages, name)
    for url in (
        reverse("wagtailadmin_explore", args=[page.pk]),
        reverse("wagtailadmin_choose_page_child", args=[page.pk]),
    ):
        response = as_alice.get(url)
        assert response.status_code in (302, 404), url
        assert_hides_others(response.content)


def test_editor_still_sees_every_page(client, editor, pages):
    client.force_login(editor)
    body = _get(client, reverse("wagtailadmin_explore", args=[pages.index.pk]))
    for title in HIDDEN_TITLES:
        assert title.encode() in body, title
    assert DRAFT_TITLE.encode() in _get(
        client, reverse("wagtailadmin_choose_page_child", args=[pages.index.pk])
    )


def test_an_editor_may_see_a_page_below_theirs_for_one_query(
    editor, alice, pages, django_assert_num_queries
):
    """The admin asks before every view of a page (the publish of an edit
    too) whether the user may know it exists: for an editor, the permission
    that shows them everything below settles it in one query, none about
    view restrictions or others' drafts. The answers stay the same."""
    from reviews.page_permissions import club_page_policy

    list(club_page_policy.get_cached_permissions_for_user(editor))  # Wagtail reads them
    for page in (pages.draft, pages.login_only, pages.pending, pages.index):
        with django_assert_num_queries(1):
            assert club_page_policy.may_see(editor, page.pk)
    assert not club_page_policy.may_see(editor, pages.index.pk + 10_000)
    assert not club_page_policy.may_see(alice, pages.draft.pk)
    assert club_page_policy.may_see(alice, pages.own_draft.pk)


def test_live_page_shows_its_live_title_not_a_pending_one(as_alice, pages):
    for url, params in (
        (reverse("wagtailadmin_pages:search"), {"q": "numbat"}),
        (reverse("wagtailadmin_explore", args=[pages.index.pk]), {"q": "numbat"}),
        (reverse("wagtailadmin_choose_page_search"), {"q": "numbat"}),
        (
            reverse("wagtailadmin_api:pages:listing"),
            {"child_of": pages.index.pk, "fields": "admin_display_title"},
        ),
    ):
        body = _get(as_alice, url, **params)
        assert LIVE_TITLE.encode() in body, url
        assert_hides_others(body)


def test_editor_sees_the_pending_title(client, editor, pages):
    client.force_login(editor)
    body = _get(client, reverse("wagtailadmin_explore", args=[pages.index.pk]))
    assert PENDING_TITLE.encode() in body


def test_site_history_keeps_the_members_own_entries(as_alice, pages, alice):
    pages.own_draft.save_revision(user=alice, log_action=True)
    body = _get(as_alice, reverse("wagtailadmin_reports:site_history"))
    assert OWN_DRAFT_TITLE.encode() in body


@pytest.mark.parametrize(
    "suffix", ["history/", "usage/", "view_draft/", "workflow_history/", "edit/"]
)
def test_per_page_views_of_a_hidden_page_are_missing(as_alice, pages, suffix):
    for page in (pages.draft, pages.login_only, pages.password_only):
        response = as_alice.get(f"/admin/pages/{page.pk}/{suffix}")
        assert response.status_code == 404
        assert_hides_others(response.content)


def test_breadcrumbs_of_own_review_name_no_hidden_page(as_alice, pages):
    body = _get(as_alice, reverse("wagtailadmin_pages:edit", args=[pages.own_draft.pk]))
    assert OWN_DRAFT_TITLE.encode() in body
    assert_hides_others(body)


@pytest.mark.parametrize(
    "url", ["/admin/tag-autocomplete/", "/admin/tag-autocomplete/taggit/tag/"]
)
def test_tag_autocomplete_offers_no_tag_of_a_hidden_page_or_image(
    as_alice, pages, bruno, url
):
    """A tag can name a spoiler: the tag field's suggestions come only from
    pages and media the member may see (their own included)."""
    from tests.factories import make_image

    pages.draft.tags.add("zebra-on-the-ice")
    pages.draft.save()
    make_image("A secret picture").tags.add("zebra-in-the-snow")
    live = pages.index.get_children().live().public().first().specific
    live.tags.add("zebra-at-dawn")
    live.save()
    own = pages.index.get_children().filter(title=OWN_DRAFT_TITLE).get().specific
    own.tags.add("zebra-of-my-own")
    own.save()
    response = as_alice.get(url, {"term": "zebra"})
    assert response.status_code == 200
    assert response.json() == ["zebra-at-dawn", "zebra-of-my-own"]
