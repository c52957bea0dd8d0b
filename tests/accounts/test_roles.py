"""Members write and submit; editors publish; nobody touches another's review."""

import os

import pytest
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import WorkflowState
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from reviews.models import ReviewPage
from reviews.roles import EDITORS, MEMBERS, ensure_groups
from tests.factories import BookFactory, UserFactory, make_review, review_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups():
    return ensure_groups(review_index())


@pytest.fixture
def alice(groups):
    user = UserFactory(username="alice")
    user.groups.add(groups[MEMBERS])
    return user


@pytest.fixture
def bruno(groups):
    user = UserFactory(username="bruno")
    user.groups.add(groups[MEMBERS])
    return user


@pytest.fixture
def editor(groups):
    user = UserFactory(username="edith")
    user.groups.add(groups[EDITORS])
    return user


def test_member_can_create_a_review_but_not_publish_it(alice):
    assert review_index().permissions_for_user(alice).can_add_subpage()
    draft = make_review(owner=alice, live=False)
    draft_perms = draft.permissions_for_user(alice)
    assert draft_perms.can_edit()
    assert not draft_perms.can_publish()


def test_member_cannot_edit_another_members_review(alice, bruno, client):
    review = make_review(owner=bruno, live=False)
    assert not review.permissions_for_user(alice).can_edit()
    client.force_login(alice)
    edit_url = reverse("wagtailadmin_pages:edit", args=(review.pk,))
    response = client.get(edit_url)
    assert response.status_code in (302, 403, 404)
    response = client.post(edit_url, {"title": "Hijacked"})
    assert response.status_code in (302, 403, 404)
    review.refresh_from_db()
    assert review.title != "Hijacked"
    assert review.get_latest_revision().content["title"] != "Hijacked"


def test_member_submits_for_moderation_and_an_editor_approves(alice, editor, client):
    book = BookFactory()
    client.force_login(alice)
    url = reverse(
        "wagtailadmin_pages:add", args=("reviews", "reviewpage", review_index().pk)
    )
    data = nested_form_data(
        {
            "title": "My first review",
            "slug": "my-first-review",
            "book": book.pk,
            "summary": "Short and sweet.",
            "body": streamfield([("paragraph", rich_text("<p>Loved it.</p>"))]),
            "action-submit": "Submit for moderation",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302
    page = ReviewPage.objects.get(slug="my-first-review")
    assert not page.live
    assert page.reviewer == alice
    state = WorkflowState.objects.get(
        base_content_type__model="page", object_id=str(page.pk)
    )
    assert state.status == WorkflowState.STATUS_IN_PROGRESS

    task_state = state.current_task_state
    task = task_state.task.specific
    actions = [name for name, *_ in task.get_actions(page, editor)]
    assert "approve" in actions, "editors are among the approvers"
    assert task.get_actions(page, alice) == [], "a member cannot approve"
    task.on_action(task_state, editor, "approve")
    page.refresh_from_db()
    assert page.live, "the editor's approval publishes it"


def test_editor_can_publish_any_review(editor, alice):
    review = make_review(owner=alice, live=False)
    assert review.permissions_for_user(editor).can_publish()


def test_setup_roles_is_idempotent(capsys):
    review_index()
    call_command("setup_roles")
    call_command("setup_roles")
    assert "Members" in capsys.readouterr().out


def test_admin_login_printed_by_the_demo_works(client):
    from reviews.demo import DEMO_PASSWORDS

    with open(os.devnull, "w") as devnull:
        call_command("load_demo", stdout=devnull)
    assert client.login(username="admin", password=DEMO_PASSWORDS["admin"])
    assert client.get("/admin/").status_code == 200
    assert client.login(username="alice", password=DEMO_PASSWORDS["alice"])
    assert client.get("/admin/").status_code == 200
