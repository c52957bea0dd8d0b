"""A page's slug among its siblings, in every API write.

A slug is unique among a page's siblings, and a sibling may be a page the
writer may not see: another member's draft, a restricted page, an
unpublished one, whose slug can give a plot away. So a taken slug is
answered alike whoever holds it, "not available here", naming neither the
slug nor the page that has it nor their parent; and a write that leaves
the slug out gets a free one made from the title (``title``, ``title-1``,
…), as Wagtail's own copy does.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.text import slugify
from ninja.errors import ValidationError as NinjaValidationError
from wagtail.models import Page

#: The error type of a taken slug, in every write.
NOT_AVAILABLE = "slug_not_available"

#: Where the write would make a page without its slug.
CHOOSE_ANOTHER = (
    "This slug is not available here: choose another, or leave it out to "
    "have a free one made."
)
#: Where the write changes a page's slug.
RENAME = "This slug is not available here: choose another."
#: Where the page would take its own slug elsewhere (a move).
MOVE = "This page's slug is not available where it would go: change it first."

#: Where Wagtail's page writes take a slug (Ninja's location: the view's
#: parameter, then the field).
WAGTAIL_SLUG = ("body", "data", "slug")


def is_available(parent: Page, slug: str, *, page_id: int | None = None) -> bool:
    """Whether no child of ``parent`` but ``page_id`` has ``slug``."""
    siblings = parent.get_children().filter(slug=slug)
    if page_id is not None:
        siblings = siblings.exclude(pk=page_id)
    return not siblings.exists()


def check_available(
    parent: Page,
    slug: str,
    loc: tuple[str, ...],
    message: str,
    *,
    page_id: int | None = None,
) -> None:
    """A 400 at ``loc`` saying ``message`` unless ``slug`` is free under
    ``parent`` (for ``page_id``, whose own slug it may be)."""
    if not is_available(parent, slug, page_id=page_id):
        raise NinjaValidationError(
            [{"type": NOT_AVAILABLE, "loc": list(loc), "msg": message}]
        )


#: The longest "-<n>" :func:`available_slug` adds: room for ten million pages
#: that share a title.
_LONGEST_SUFFIX = len("-9999999")


def free_slug(parent: Page, title: str, *, fallback: str = "") -> str:
    """A slug made from ``title`` (or ``fallback`` when the title makes
    none) that no child of ``parent`` has; empty when neither makes one."""
    allow_unicode = getattr(settings, "WAGTAIL_ALLOW_UNICODE_SLUGS", True)
    base = slugify(title, allow_unicode=allow_unicode) or fallback
    return available_slug(parent, base) if base else ""


def available_slug(parent: Page, base: str) -> str:
    """``base``, or ``base`` with "-1", "-2"… after it, whichever no child
    of ``parent`` has, shortened to fit the slug's column.

    A title of 255 characters made a slug of 255, and the next free one
    was longer than any slug may be (so was the slug of a title that NFKC
    lengthens, each ligature becoming two letters, and a copy's made from
    its page's). Wagtail's own ``find_available_slug`` does not shorten."""
    longest = Page._meta.get_field("slug").max_length or 255
    base = base[:longest]
    taken = set(
        parent.get_children()
        .filter(slug__startswith=base[: longest - _LONGEST_SUFFIX])
        .values_list("slug", flat=True)
    )
    slug, number = base, 1
    while slug in taken:
        suffix = f"-{number}"
        slug = base[: longest - len(suffix)].rstrip("-") + suffix
        number += 1
    return slug


def slug_free_among_siblings(request: HttpRequest, kwargs: dict[str, Any]) -> None:
    """Before Wagtail's page create and update (``kwargs`` their
    arguments): a slug sent is free among the page's siblings, or a 400 at
    :data:`WAGTAIL_SLUG`; a new page sent without one gets a free one
    made from its title. (Wagtail made one from the title without asking
    the siblings, and its form then refused it, naming it.)

    Whoever may not make the write gets Wagtail's own refusal, never a word
    about the slugs there."""
    data = kwargs.get("data")
    if data is None:
        return
    if kwargs.get("page_id") is not None:
        _renamed(request, kwargs["page_id"], getattr(data, "slug", None))
    else:
        _created(request, data)


def _renamed(request: HttpRequest, page_id: int, slug: str | None) -> None:
    page = Page.objects.filter(pk=page_id).first()
    if not slug or page is None or page.is_root():
        return
    if page.permissions_for_user(request.user).can_edit():
        check_available(page.get_parent(), slug, WAGTAIL_SLUG, RENAME, page_id=page.pk)


def _created(request: HttpRequest, data: Any) -> None:
    parent_id = getattr(getattr(data, "meta", None), "parent_id", None)
    parent = Page.objects.filter(pk=parent_id).first() if parent_id else None
    if (
        parent is None
        or not parent.permissions_for_user(request.user).can_add_subpage()
    ):
        return
    if data.slug:
        check_available(parent, data.slug, WAGTAIL_SLUG, CHOOSE_ANOTHER)
    elif data.title:
        data.slug = free_slug(parent, data.title)
