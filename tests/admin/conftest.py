"""Members, an editor, and pages a member may or may not see in the admin."""

from dataclasses import dataclass, fields

import pytest
from django.contrib.auth.models import Group, User
from wagtail.models import Page, PageViewRestriction

from reviews.roles import MEMBERS
from tests.factories import make_review, review_index, user_in

DRAFT_TITLE = "Bruno draft quokka"
PENDING_TITLE = "Bruno pending wombat"
LIVE_TITLE = "Bruno live numbat"
LOGIN_TITLE = "Login-only bilby"
PASSWORD_TITLE = "Password-only dingo"
OWN_DRAFT_TITLE = "Alice draft platypus"

HIDDEN_TITLES = (DRAFT_TITLE, PENDING_TITLE, LOGIN_TITLE, PASSWORD_TITLE)


@dataclass
class AdminPages:
    index: Page
    draft: Page
    pending: Page
    login_only: Page
    password_only: Page
    own_draft: Page

    def from_database(self) -> "AdminPages":
        """The same pages read afresh (for a test that shares them)."""
        return AdminPages(
            **{
                field.name: Page.objects.get(pk=getattr(self, field.name).pk).specific
                for field in fields(self)
            }
        )


def make_alice(groups: dict[str, Group]) -> User:
    return user_in(groups[MEMBERS], "alice", first_name="Alice", last_name="Marsh")


def make_bruno(groups: dict[str, Group]) -> User:
    return user_in(groups[MEMBERS], "bruno", first_name="Bruno", last_name="Keller")


@pytest.fixture
def alice(groups) -> User:
    return make_alice(groups)


@pytest.fixture
def bruno(groups) -> User:
    return make_bruno(groups)


@pytest.fixture
def pages(alice, bruno) -> AdminPages:
    return build_pages(alice, bruno)


def build_pages(alice: User, bruno: User) -> AdminPages:
    """Bruno's draft, his live review with a pending retitle, two restricted
    reviews, and Alice's own draft."""
    draft = make_review(owner=bruno, live=False, title=DRAFT_TITLE)
    pending = make_review(owner=bruno, title=LIVE_TITLE)
    pending.title = PENDING_TITLE
    pending.save_revision(user=bruno, log_action=True)
    login_only = make_review(owner=bruno, title=LOGIN_TITLE)
    PageViewRestriction.objects.create(
        page=login_only, restriction_type=PageViewRestriction.LOGIN
    )
    password_only = make_review(owner=bruno, title=PASSWORD_TITLE)
    PageViewRestriction.objects.create(
        page=password_only,
        restriction_type=PageViewRestriction.PASSWORD,
        password="club",  # noqa: S106
    )
    own_draft = make_review(owner=alice, live=False, title=OWN_DRAFT_TITLE)
    return AdminPages(
        index=review_index(),
        draft=draft,
        pending=pending,
        login_only=login_only,
        password_only=password_only,
        own_draft=own_draft,
    )


def assert_hides_others(body: bytes) -> None:
    """None of the titles a member may not see is anywhere in ``body``."""
    for title in HIDDEN_TITLES:
        assert title.encode() not in body, title
