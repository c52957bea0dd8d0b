"""The club's checks before Wagtail's own v3 writes: page writes keep hidden
spoilers, leave the reviewer to editors and never land a page beside its
slug; a page the token may not see is missing, never forbidden; a snippet
key that is no key is a 400.

Each function wraps what a Wagtail router offers no hook for; should a
Wagtail upgrade rename what it wraps, it fails loudly at start-up.
:func:`reviews.api.v3.register` calls them once.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.contrib.admin.utils import unquote
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from wagtail.coreutils import resolve_model_string

from .operation_checks import WAGTAIL_PAGES_ROUTER, check_first
from .page_actions import slug_free_where_it_lands, unlocked_for_revert
from .page_writes import (
    keep_hidden_spoilers,
    reviewer_chosen_by_editors,
    visible_page_or_404,
)
from .slugs import slug_free_among_siblings


def _both_routers(module_name: str, risk: str) -> list[Any]:
    """A Wagtail v3 module's ``router`` and ``actions_router``; should an
    upgrade rename either, fail loudly at start-up, saying what would break
    (``risk``)."""
    module = import_module(module_name)
    routers = [getattr(module, name, None) for name in ("router", "actions_router")]
    if None in routers:
        raise ImproperlyConfigured(f"{module_name} lacks its routers: {risk}")
    return routers


def _check_before_page_operations(
    router_name: str,
    operation_ids: tuple[str, ...],
    check: Callable[[HttpRequest, dict], None],
    marker: str,
    risk: str,
) -> None:
    """Run ``check`` before each of these operations of Wagtail's pages
    router ``router_name`` (``router`` or ``actions_router``); should a
    Wagtail upgrade rename one, fail loudly at start-up, saying what would
    break (``risk``)."""
    router = getattr(import_module(WAGTAIL_PAGES_ROUTER), router_name)
    operations = [
        operation
        for path_view in router.path_operations.values()
        for operation in path_view.operations
        if operation.operation_id in operation_ids
    ]
    missing = set(operation_ids) - {operation.operation_id for operation in operations}
    if missing:
        raise ImproperlyConfigured(
            f"{WAGTAIL_PAGES_ROUTER}.{router_name} lacks {sorted(missing)}: {risk}"
        )
    for operation in operations:
        check_first(operation, check, marker)


def club_checks_before_page_writes() -> None:
    """Wagtail's page writes run the club's checks first: a PATCH keeps the
    content of a spoiler sent back hidden
    (:func:`reviews.api.page_writes.keep_hidden_spoilers`); only editors
    name a review's reviewer
    (:func:`reviews.api.page_writes.reviewer_chosen_by_editors`); a page
    created or renamed takes a slug free among its siblings
    (:func:`reviews.api.slugs.slug_free_among_siblings`); a copy, alias or
    move never lands beside a page with its slug, and a revert asks the
    page's lock as an edit does (:mod:`reviews.api.page_actions`).

    Installed before :func:`page_writes_hide_like_missing`, whose check then
    runs first: a page the token may not see is a 404 before anything about
    it is looked at."""
    _check_before_page_operations(
        "router",
        ("pages_update",),
        keep_hidden_spoilers,
        "keeps_hidden_spoilers",
        "a page PATCH would refuse spoilers sent back hidden.",
    )
    _check_before_page_operations(
        "router",
        ("pages_create", "pages_update"),
        reviewer_chosen_by_editors,
        "checks_reviewer",
        "a member could name another member as a review's reviewer.",
    )
    _check_before_page_operations(
        "router",
        ("pages_create", "pages_update"),
        slug_free_among_siblings,
        "checks_new_slugs",
        "a write would name a hidden page's slug, or refuse a slug it made.",
    )
    _check_before_page_operations(
        "actions_router",
        ("pages_actions_copy", "pages_actions_create_alias", "pages_actions_move"),
        slug_free_where_it_lands,
        "checks_slugs",
        "a page could land beside a page with its slug.",
    )
    _check_before_page_operations(
        "actions_router",
        ("pages_actions_revert",),
        unlocked_for_revert,
        "checks_revert_lock",
        "a member could revert a review waiting for moderation.",
    )


def page_writes_hide_like_missing() -> None:
    """Make Wagtail's v3 page writes answer a page the user may not know
    exists (another member's draft, a restricted page) exactly as a missing
    one, before Wagtail's own permission check could answer 403 and so
    confirm that it exists: the page in the path, and any page the body
    names (a new page's parent, where a copy, move or alias goes).

    Should a Wagtail upgrade rename the routers, this fails loudly at
    start-up rather than letting a token probe page ids again.
    """
    routers = _both_routers(
        WAGTAIL_PAGES_ROUTER,
        "a token could probe which page ids are drafts or restricted.",
    )

    def named_pages(kwargs: dict) -> list[Any]:
        data = kwargs.get("data")
        return [
            kwargs.get("page_id"),
            getattr(data, "destination_id", None),
            getattr(getattr(data, "meta", None), "parent_id", None),
        ]

    def visible_or_404(request: HttpRequest, kwargs: dict) -> None:
        for page_id in named_pages(kwargs):
            if page_id is None:
                continue
            page = visible_page_or_404(page_id, request.user)
            # Wagtail's copy, move and alias actions read the page's parent,
            # which the tree's root lacks (an AttributeError, a 500): no write
            # may take the root itself as its page.
            if page_id == kwargs.get("page_id") and page.is_root():
                raise HttpError(400, "The root of the page tree cannot be changed.")

    for router in routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                if "GET" not in operation.methods:
                    check_first(operation, visible_or_404, "hides_unseen_pages")


#: Wagtail's v3 snippet routers (mounted by ``wagtail.snippets``), whose
#: operations on one snippet take its primary key as a string.
_SNIPPETS_ROUTER = "wagtail.snippets.api.v3.router"


def snippet_ids_checked_first() -> None:
    """Make Wagtail's v3 operations on one snippet answer a ``pk`` its model's
    key cannot hold (``/snippets/reviews.Book/abc/``) with a 400 naming
    ``pk``, as ``/pages/abc/`` does, instead of failing inside the database
    lookup (a 500, only for a token whose user may see the snippet type).

    Should a Wagtail upgrade rename the routers, this fails loudly at
    start-up.
    """
    routers = _both_routers(
        _SNIPPETS_ROUTER, "a snippet id that is no id would fail in the database."
    )

    def key_or_400(request: HttpRequest, kwargs: dict) -> None:
        if kwargs.get("pk") is None or kwargs.get("type") is None:
            return
        key = resolve_model_string(kwargs["type"])._meta.pk
        try:
            key.to_python(unquote(kwargs["pk"]))
        except ValidationError as error:
            raise NinjaValidationError(
                [
                    {"type": "invalid", "loc": ["path", "pk"], "msg": message}
                    for message in error.messages
                ]
            ) from error

    for router in routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                check_first(operation, key_or_400, "checks_snippet_pk")
