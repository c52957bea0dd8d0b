"""Members as other people see them: a display name, never a login or email."""

from __future__ import annotations

from django.utils.translation import gettext as _


def display_name(user) -> str:
    """The public name of a member: their full name, else their first name."""
    if user is None:
        return _("A former member")
    name = user.get_full_name().strip() or (user.first_name or "").strip()
    return name or _("A club member")
