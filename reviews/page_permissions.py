"""Which pages a user may know exist in the admin.

Wagtail's page permissions let a user with "add" on the review index explore
the whole index: every member saw the titles of other members' drafts and of
restricted pages. :class:`ClubPagePermissionPolicy` keeps Wagtail's rules and
narrows what a member may explore to :func:`~reviews.visibility.own_or_live_public`.
Users who edit or publish pages (editors) see everything below the pages they
hold that permission on, and superusers see everything, as before.

Wagtail 8 asks the registered page policy (``policy_registry``) for the
explorer, its search, the admin API, site history and breadcrumbs, so one
policy registered in ``wagtail_hooks`` covers them all.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db.models import Q, QuerySet
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from .visibility import own_or_live_public_condition

#: Who a permission question is about: a signed-in user or the anonymous one.
AnyUser = AbstractUser | AnonymousUser

if TYPE_CHECKING:
    from wagtail.models import Page as _PageBase
else:
    _PageBase = object

#: Holding any of these on a page shows every page below it, drafts included.
SEES_ALL_BELOW = frozenset({"change", "publish", "lock", "unlock", "bulk_delete"})


class ClubPagePermissionPolicy(PagePermissionPolicy):
    """Wagtail's page policy, with members seeing their own pages and live,
    public ones only."""

    def visible_instances(self, queryset: QuerySet, user: AnyUser) -> QuerySet:
        """The pages of ``queryset`` that ``user`` may know exist."""
        if not user.is_active:
            return queryset.none()
        if user.is_superuser:
            return queryset
        return queryset.filter(
            self._sees_all_below(user) | own_or_live_public_condition(user)
        )

    def with_visible_drafts(self, queryset: QuerySet, user: AnyUser) -> QuerySet:
        """The pages of ``queryset`` whose drafts ``user`` may see: their
        own, and all below a page they change or publish."""
        if user.is_superuser:
            return queryset
        return queryset.filter(self._sees_all_below(user) | Q(owner=user))

    def _sees_all_below(self, user: AnyUser) -> Q:
        codenames = self._get_permission_codenames(SEES_ALL_BELOW)
        sees_all = Q()
        for perm in self.get_cached_permissions_for_user(user):
            if perm.permission.codename in codenames:
                sees_all |= Q(path__startswith=perm.page.path)
        return sees_all

    def sees_drafts_of(self, user: AnyUser, page: Page) -> bool:
        """Whether ``user`` sees other people's drafts of ``page``: they
        own it, or hold a permission that shows everything below it."""
        if user.is_superuser or page.owner_id == user.pk:
            return True
        codenames = self._get_permission_codenames(SEES_ALL_BELOW)
        return any(
            perm.permission.codename in codenames
            and page.path.startswith(perm.page.path)
            for perm in self.get_cached_permissions_for_user(user)
        )

    def may_see(self, user: AnyUser, page_id: int) -> bool:
        """Whether ``user`` may know the page ``page_id`` exists.

        Asked before every admin view of a page: for an editor, the pages
        below theirs are answered first, without working out which pages
        are public (the content version, the view restrictions)."""
        pages = self.model._default_manager.filter(pk=page_id)
        if user.is_active and not user.is_superuser:
            sees_all = self._sees_all_below(user)
            if sees_all and pages.filter(sees_all).exists():
                return True
        return self.visible_instances(pages, user).exists()

    def explorable_instances(self, user: AnyUser) -> QuerySet:
        return self.visible_instances(super().explorable_instances(user), user)


#: Registered for every page type in ``reviews.wagtail_hooks``.
club_page_policy = ClubPagePermissionPolicy()


#: The user an admin request is for, while it is served (set by
#: ``reviews.admin_privacy``); Wagtail gives page titles no request to ask.
#: A context variable: every request resets it, and setting one costs a
#: twentieth of setting an ``asgiref.local.Local`` attribute.
_admin_user: ContextVar[AnyUser | None] = ContextVar("admin_user", default=None)


def serving_admin_for(user: AnyUser | None) -> None:
    """Page titles follow :func:`shows_live_title` for ``user`` until
    :func:`admin_served`."""
    _admin_user.set(user)


def admin_served() -> None:
    _admin_user.set(None)


def shows_live_title(page: Page) -> bool:
    """Whether the admin names ``page`` by its live title rather than by its
    latest draft's: for a viewer who may not see other people's drafts of
    it (a member looking at another member's review with a pending change).
    """
    user = _admin_user.get()
    if user is None or not page.live:
        return False
    return not club_page_policy.sees_drafts_of(user, page)


class LiveTitleForMembersMixin(_PageBase):
    """Page types whose admin title is the live one for viewers who may not
    see someone else's pending draft (:func:`shows_live_title`)."""

    def get_admin_display_title(self) -> str:
        if shows_live_title(self):
            return self.title
        return super().get_admin_display_title()
