"""Members as other people see them: a display name, never a login or email."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class MemberRequest(HttpRequest):
    """A request only a signed-in member reaches (behind ``login_required`` or
    a token-only API route), so ``user`` is never anonymous.

    For annotations only: Django still passes an ordinary ``HttpRequest``.
    """

    user: User


def display_name(user) -> str:
    """The public name of a member: their full name, else their first name."""
    if user is None:
        return _("A former member")
    name = user.get_full_name().strip() or (user.first_name or "").strip()
    return name or _("A club member")
