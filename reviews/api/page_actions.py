"""Checks the club runs before Wagtail's v3 page actions (``copy``,
``create_alias``, ``move``, ``revert``), where Wagtail's own check comes too
late, names no field, or is not made.

A revert saves a new revision as an edit does, and Wagtail's PATCH refuses
a page locked for the user (above all one waiting for moderation), while
its revert asked nothing: :func:`unlocked_for_revert`.

A page's slug is unique among its siblings, and no database constraint says
so: Wagtail's move checks it only when saving the moved page (inside the
tree move, after the ``pre_page_move`` signal went out), and its copy and
alias answer a taken slug with an error that names no field. Here each is a
400 naming ``slug`` before anything moves, saying what every write says of a
taken slug (:mod:`reviews.api.slugs`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.errors import ValidationError as NinjaValidationError
from wagtail.models import Page

from . import slugs

#: Move positions that make the destination the page's parent; the others
#: make the page its sibling.
CHILD_POSITIONS = ("first-child", "last-child", "sorted-child")


def _landing(page: Page, data: Any) -> tuple[Page | None, str | None, bool]:
    """Where the action puts the page (its new parent), under which slug, and
    whether the page itself leaves its old place (a move)."""
    destination_id = getattr(data, "destination_id", None)
    destination = (
        Page.objects.filter(pk=destination_id).first() if destination_id else None
    )
    if hasattr(data, "position"):
        if destination is None:
            return None, None, True
        if data.position in CHILD_POSITIONS:
            return destination, page.slug, True
        if destination.is_root():
            # Wagtail's permission check reads the new parent, which a
            # sibling of the tree's root lacks (an AttributeError, a 500).
            raise NinjaValidationError(
                [
                    {
                        "type": "no_parent",
                        "loc": ["body", "data", "position"],
                        "msg": "The root of the page tree has no siblings: move "
                        "a page under it (first-child or last-child).",
                    }
                ]
            )
        return destination.get_parent(), page.slug, True
    # Copy and alias: without a slug, a free one is made from the page's.
    return destination or page.get_parent(), getattr(data, "slug", None), False


def slug_free_where_it_lands(request: HttpRequest, kwargs: dict[str, Any]) -> None:
    """Before a copy, alias or move (``kwargs`` its arguments): the page lands
    under a parent (a move beside the tree's root is a 400 naming
    ``position``), and the slug it will have is free among its new
    siblings, or the action is a 400 naming ``slug``."""
    page = Page.objects.filter(pk=kwargs.get("page_id")).first()
    if page is None or kwargs.get("data") is None:
        return
    data = kwargs["data"]
    parent, slug, moves = _landing(page, data)
    if parent is None:
        return
    # Whoever may not do this gets Wagtail's own 403, never a word about
    # the slugs under that parent.
    permissions = page.permissions_for_user(request.user)
    if not (
        permissions.can_move_to(parent) if moves else permissions.can_copy_to(parent)
    ):
        return
    if not slug:
        if not moves and hasattr(data, "slug"):
            # Wagtail's would be its page's with "-1" after it, past the
            # slug's length for a long one.
            data.slug = slugs.available_slug(parent, page.slug)
        return
    if moves:
        loc = ("path", "page_id", "slug")
        slugs.check_available(parent, slug, loc, slugs.MOVE, page_id=page.pk)
    else:
        slugs.check_available(parent, slug, slugs.WAGTAIL_SLUG, slugs.CHOOSE_ANOTHER)


def unlocked_for_revert(request: HttpRequest, kwargs: dict[str, Any]) -> None:
    """A 403 for a revert of a page locked for the user, as Wagtail's own
    PATCH answers an edit of it. (What a moderator approves is published
    whatever came after it: reviews/moderation.py.)"""
    page = Page.objects.filter(pk=kwargs.get("page_id")).first()
    lock = page.get_lock() if page is not None else None
    if lock is not None and lock.for_user(request.user):
        raise PermissionDenied("The page could not be reverted as it is locked.")
