"""Members as other people see them (a display name, never a login or
email), and who a review may be attributed to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from wagtail.models import Page
from wagtail.permissions import policy_registry

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class MemberRequest(HttpRequest):
    """A request only a signed-in member reaches (behind ``login_required`` or
    a token-only API route), so ``user`` is never anonymous.

    For annotations only: Django still passes an ordinary ``HttpRequest``.
    """

    user: User


#: A member's columns no output shows: a password hash and an email are
#: never loaded where a review's reviewer is read to be shown.
_UNSHOWN_COLUMNS = ("password", "email")


def shown_member(queryset: QuerySet, relation: str) -> QuerySet:
    """``queryset`` with the member at ``relation`` (``"reviewer"``, or a
    longer path) joined in, without the columns no output shows: what is
    not loaded can reach no representation, template or cached value. The
    user model's own fields decide (a custom one may have no email)."""
    fields = {field.name for field in get_user_model()._meta.concrete_fields}
    unshown = [f"{relation}__{name}" for name in _UNSHOWN_COLUMNS if name in fields]
    return queryset.select_related(relation).defer(*unshown)


def member_id(request: HttpRequest) -> int | None:
    """The id of the member ``request`` is signed in as, or None."""
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def _own_name(user) -> str:
    """The member's full name, else their first name; "" without either."""
    return user.get_full_name().strip() or (user.first_name or "").strip()


def display_name(user) -> str:
    """The public name of a member: their full name, else their first name."""
    if user is None:
        return _("A former member")
    return _own_name(user) or _("A club member")


def member_names() -> list[str]:
    """Every active member's name as the club shows it (:func:`display_name`),
    each once, in alphabetical order: what an editor who names a member in
    text (a meeting's host) is offered, so the name matches every other
    page's. Members without a name are left out: nobody is "A club member"."""
    model = get_user_model()
    fields = {field.name for field in model._meta.concrete_fields}
    users = model.objects.defer(*(n for n in _UNSHOWN_COLUMNS if n in fields))
    if "is_active" in fields:
        users = users.filter(is_active=True)
    names = {name for name in map(_own_name, users) if name}
    return sorted(names, key=str.casefold)


def may_choose_reviewer(user, *, review: Page | None = None, parent=None) -> bool:
    """Whether ``user`` names a review's reviewer: those who may publish it
    (editors) do; for anyone else the reviewer is always themselves, so a
    member cannot put a review in another member's list and export.

    ``review`` is the saved review, or None for a new one under ``parent``.
    """
    if review is not None and review.pk:
        return review.permissions_for_user(user).can_publish()
    return (
        parent is not None and parent.permissions_for_user(user).can_publish_subpage()
    )


def reviewer_choices(review_index: Page, current_id: int | None = None) -> QuerySet:
    """The members an editor may name as reviewer: those who may write
    reviews under ``review_index``, and the current reviewer, if any."""
    writers = policy_registry.get_by_type(Page).users_with_permission_for_instance(
        "add", review_index, include_superusers=False
    )
    chosen = Q(pk__in=writers.values("pk"))
    if current_id is not None:
        chosen |= Q(pk=current_id)
    return get_user_model().objects.filter(chosen).order_by("first_name", "username")
