"""The club's panel on the Wagtail dashboard, the admin's listing columns
that speak members' language (display names, "Yes"/"No"), and a permission
policy that never offers some actions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.permission_policies import ModelPermissionPolicy

from .cards import open_round
from .members import display_name
from .models import CommentReport, DiscussionComment, DiscussionPage
from .visibility import reachable_pages

StrOrPromise = str | Promise


def yes_no(name: str, label: StrOrPromise) -> Column:
    """A column showing a boolean field as "Yes" or "No", not "True"/"False"."""
    return Column(
        name,
        label=label,
        accessor=lambda obj: _("Yes") if getattr(obj, name) else _("No"),
    )


def member_name(name: str, label: StrOrPromise) -> Column:
    """A column showing the member in field ``name`` by their display name."""
    return Column(
        name, label=label, accessor=lambda obj: display_name(getattr(obj, name))
    )


class PolicyWithout(ModelPermissionPolicy):
    """The model's permissions, except the actions in ``NEVER``: those are
    offered to nobody, not even to superusers."""

    NEVER: frozenset[str] = frozenset()

    def user_has_permission(self, user, action):
        return action not in self.NEVER and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        allowed = [action for action in actions if action not in self.NEVER]
        if not allowed:
            return get_user_model().objects.none()
        return super().users_with_any_permission(allowed)


class ClubPanel(Component):
    """Reports awaiting moderation (for those who moderate), the next
    meeting and the open next-book round."""

    name = "club"
    template_name = "reviews/admin/club_panel.html"
    order = 50

    def get_context_data(self, parent_context: Mapping[str, Any]) -> dict[str, Any]:
        request = parent_context["request"]
        context: dict[str, Any] = {
            "next_meeting": reachable_pages(
                DiscussionPage.objects.live().filter(starts_at__gte=timezone.now())
            )
            .select_related("book")
            .order_by("starts_at")
            .first(),
            "open_round": open_round(),
            "moderates": request.user.has_perm("reviews.change_discussioncomment"),
        }
        if context["moderates"]:
            context["reported_comments"] = (
                DiscussionComment.objects.filter(
                    reports__in=CommentReport.objects.filter(resolved_at__isnull=True)
                )
                .distinct()
                .count()
            )
            context["reports_url"] = (
                reverse("wagtailsnippets_reviews_discussioncomment:list")
                + "?reported=true"
            )
        if context["open_round"] is not None:
            context["round_url"] = reverse(
                "reviews:next_book_round", args=[context["open_round"].pk]
            )
        return context
