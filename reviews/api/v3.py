"""The club's additions to Wagtail 8's API v3 (django-ninja).

:func:`register` must run before ``api.urls`` is first read; the project's
``urls.py`` calls it right before mounting the API. The club's routers sit
beside Wagtail's own ``pages``, ``sites``, ``images``, ``documents`` and
``schema`` routers in the same OpenAPI document; the images and documents
routers follow the club's media rule (:mod:`reviews.media_visibility`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI
from ninja.errors import HttpError

from ..media_visibility import visible_media
from .errors import install_v3_handlers
from .exports import router as exports_router
from .filtering import check_filters_and_ordering
from .openapi import ClubSwagger, serve_valid_document
from .page_actions import slug_free_where_it_lands
from .page_writes import (
    keep_hidden_spoilers,
    reviewer_chosen_by_editors,
    visible_page_or_404,
)

_registered: set[int] = set()

#: Wagtail's own v3 media routers (mounted by ``wagtail.images`` and
#: ``wagtail.documents`` themselves), the function each reads its public
#: queryset from (list and detail), its model, and the path parameter naming
#: one item.
_MEDIA_ROUTERS = (
    ("wagtail.images.api.v3.router", "get_images_queryset", "Image", "image_id"),
    (
        "wagtail.documents.api.v3.router",
        "get_documents_queryset",
        "Document",
        "document_id",
    ),
)


def _check_first(
    operation: Any, check: Callable[[HttpRequest, dict], None], marker: str
) -> None:
    """Make ``operation`` run ``check(request, kwargs)`` before its view;
    ``check`` refuses by raising. ``marker`` is set on the wrapper so that
    building the API twice (tests, reloads) wraps each view once."""
    view = operation.view_func
    if getattr(view, marker, False):
        return

    @functools.wraps(view)
    def checked(request: HttpRequest, *args, **kwargs):
        check(request, kwargs)
        return view(request, *args, **kwargs)

    setattr(checked, marker, True)
    operation.view_func = checked


def _hidden_like_missing(model, id_name: str):
    """An operation decorator: an item the user may not see answers every
    method exactly as a missing one (404), before Wagtail's own permission
    check could answer 403 and so confirm that it exists."""

    def decorator(view_func):
        @functools.wraps(view_func)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if id_name in kwargs:
                get_object_or_404(
                    visible_media(model.objects.all(), request.user),
                    pk=kwargs[id_name],
                )
            return view_func(request, *args, **kwargs)

        return wrapper

    return decorator


def _apply_media_rule() -> None:
    """Put Wagtail's v3 images and documents endpoints under the media rule
    (:mod:`reviews.media_visibility`), as API v2's viewsets are.

    Those routers offer no hook for their queryset, so their module-level
    queryset function is wrapped, and every operation on one item gets a
    decorator. Should a Wagtail upgrade rename either, this fails loudly at
    start-up rather than letting the endpoints leak again.
    """
    for module_name, function_name, model_name, id_name in _MEDIA_ROUTERS:
        module = import_module(module_name)
        original = getattr(module, function_name, None)
        router = getattr(module, "router", None)
        model = getattr(module, model_name, None)
        if original is None or router is None or model is None:
            raise ImproperlyConfigured(
                f"{module_name}.{function_name} is gone: API v3 would list "
                "media its readers may not see."
            )
        if getattr(original, "applies_media_rule", False):
            continue

        def visible_queryset(request: HttpRequest, _original=original):
            return visible_media(_original(request), request.user)

        visible_queryset.applies_media_rule = True  # type: ignore[attr-defined]
        setattr(module, function_name, visible_queryset)
        router.add_decorator(_hidden_like_missing(model, id_name))


#: Wagtail's v3 page listing, which filters and orders by any database field
#: a page type exposes.
_PAGE_LISTING = ("wagtail.api.v3.routers.pages", "pages_list")


def _no_content_queries_in_page_listing() -> None:
    """Make Wagtail's ``GET /pages/`` refuse filters and orderings on content
    columns, as API v2 does (:mod:`reviews.api.filtering`).

    Its field filter and ordering schemas are built into the operation and
    offer no hook, so the operation's view is wrapped; the check runs after
    Ninja has parsed ``type=`` and before any query. Should a Wagtail upgrade
    rename the operation, this fails loudly at start-up.
    """
    from importlib import import_module

    from django.core.exceptions import ImproperlyConfigured
    from wagtail.models import Page

    module_name, operation_id = _PAGE_LISTING
    router = import_module(module_name).router
    operations = [
        operation
        for path_view in router.path_operations.values()
        for operation in path_view.operations
        if operation.operation_id == operation_id
    ]
    if not operations:
        raise ImproperlyConfigured(
            f"{module_name} has no '{operation_id}' operation: API v3 would "
            "filter and order pages by their content."
        )

    def refuse_content_queries(request: HttpRequest, kwargs: dict) -> None:
        page_types = getattr(kwargs.get("filters"), "type", None) or [Page]
        check_filters_and_ordering(page_types, request.GET)

    for operation in operations:
        _check_first(operation, refuse_content_queries, "refuses_content_queries")


#: Wagtail's v3 redirect reads (mounted by ``wagtail.contrib.redirects``):
#: the module, and the operation ids of its listing, detail and find.
_REDIRECT_ROUTER = "wagtail.contrib.redirects.api.v3.router"
_REDIRECT_READS = ("redirects_list", "redirects_detail", "redirects_find")


def _redirects_to_visible_pages_only() -> None:
    """Make Wagtail's v3 redirect reads follow :mod:`reviews.redirects`: a
    redirect to a page the reader may not see is neither listed nor found,
    exactly like a missing one.

    The router reads ``Redirect.objects.all()`` inside its operations and
    offers no hook, so the listing's own function is wrapped inside its
    pagination, and detail and find check the redirect they would answer.
    Should a Wagtail upgrade rename them, this fails loudly at start-up.
    """
    from django.apps import apps
    from django.http import Http404
    from ninja.pagination import paginate

    if not apps.is_installed("wagtail.contrib.redirects"):
        return
    from wagtail.api.v3.pagination import WagtailLimitOffsetPagination
    from wagtail.contrib.redirects.middleware import get_redirect
    from wagtail.contrib.redirects.models import Redirect

    from ..redirects import leads_to_visible_page, visible_redirects

    router = import_module(_REDIRECT_ROUTER).router
    operations = {
        operation.operation_id: operation
        for path_view in router.path_operations.values()
        for operation in path_view.operations
        if operation.operation_id in _REDIRECT_READS
    }
    if set(operations) != set(_REDIRECT_READS):
        raise ImproperlyConfigured(
            f"{_REDIRECT_ROUTER} lacks {set(_REDIRECT_READS) - set(operations)}: "
            "API v3 would list redirects to pages its readers may not see."
        )
    listing = operations["redirects_list"]
    if not getattr(listing.view_func, "follows_visibility", False):
        listed = listing.view_func.__wrapped__

        @functools.wraps(listed)
        def visible_listing(request: HttpRequest, *args, **kwargs):
            return visible_redirects(listed(request, *args, **kwargs), request.user)

        view = paginate(
            WagtailLimitOffsetPagination,
            pass_parameter="pagination_info",  # noqa: S106
        )(visible_listing)
        view.follows_visibility = True  # type: ignore[attr-defined]
        listing.view_func = view

    def visible_or_404(request: HttpRequest, kwargs: dict) -> None:
        redirect = None
        if kwargs.get("redirect_id") is not None:
            redirect = Redirect.objects.filter(pk=kwargs["redirect_id"]).first()
        else:
            if kwargs.get("html_path"):
                redirect = get_redirect(request, kwargs["html_path"])
            if redirect is None and kwargs.get("id"):
                redirect = Redirect.objects.filter(pk=kwargs["id"]).first()
        if redirect is not None and not leads_to_visible_page(redirect, request.user):
            raise Http404("No Redirect matches the given query.")

    for operation_id in ("redirects_detail", "redirects_find"):
        _check_first(operations[operation_id], visible_or_404, "follows_visibility")


#: Wagtail's v3 pages router, and the function every page read there takes
#: its queryset from.
_PAGES_ROUTER = "wagtail.api.v3.routers.pages"
_PAGES_QUERYSET = "get_pages_queryset"


def _tokens_read_public_pages() -> None:
    """Make a valid token never narrow what Wagtail's v3 page reads show.

    Wagtail lists, finds and reads for a token only the pages its user may
    edit, so a member's token got a 404 for a public review an anonymous
    client reads. With a token, those reads now see the pages the user may
    edit (as before) and every page an anonymous client sees (live, in the
    site, under no view restriction), and nothing more: another member's
    draft and a restricted page stay missing. The draft version of a page
    (``version=draft``) is only for those who may edit it; others get the
    live one. Revisions keep Wagtail's own permission check.

    The router reads the module-level function at request time, so it is
    replaced, as the media rule does; should a Wagtail upgrade rename it,
    this fails loudly at start-up.
    """
    from django.db.models import Q
    from wagtail.models import Page

    from ..visibility import in_subtree, public_pages, site_root_path

    module = import_module(_PAGES_ROUTER)
    original = getattr(module, _PAGES_QUERYSET, None)
    if original is None:
        raise ImproperlyConfigured(
            f"{_PAGES_ROUTER}.{_PAGES_QUERYSET} is gone: a token would hide "
            "public pages from Wagtail's v3 page reads."
        )
    if getattr(original, "reads_public_pages", False):
        return

    def pages_for_request(request: HttpRequest, model=Page):
        editable = original(request, model)
        if not request.user.is_authenticated:
            return editable
        root_path = site_root_path(request)
        if root_path is None:
            return editable
        public = public_pages(in_subtree(model._default_manager.live(), root_path))
        return (
            model._default_manager.filter(
                Q(pk__in=editable.values("pk")) | Q(pk__in=public.values("pk"))
            )
            .select_related("content_type", "locale")
            .order_by("pk")
        )

    pages_for_request.reads_public_pages = True  # type: ignore[attr-defined]
    pages_for_request.editable_pages = original  # type: ignore[attr-defined]
    setattr(module, _PAGES_QUERYSET, pages_for_request)

    for path_view in module.router.path_operations.values():
        for operation in path_view.operations:
            if operation.operation_id != "pages_detail":
                continue
            view = operation.view_func
            if getattr(view, "drafts_for_editors_only", False):
                continue

            @functools.wraps(view)
            def live_unless_editable(request: HttpRequest, *args, _view=view, **kw):
                page_id = kw.get("page_id")
                if (
                    kw.get("version") == "draft"
                    and request.user.is_authenticated
                    and not original(request).filter(pk=page_id).exists()
                ):
                    kw["version"] = "live"
                return _view(request, *args, **kw)

            live_unless_editable.drafts_for_editors_only = True  # type: ignore[attr-defined]
            operation.view_func = live_unless_editable


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
    router = getattr(import_module(_PAGES_ROUTER), router_name)
    operations = [
        operation
        for path_view in router.path_operations.values()
        for operation in path_view.operations
        if operation.operation_id in operation_ids
    ]
    missing = set(operation_ids) - {operation.operation_id for operation in operations}
    if missing:
        raise ImproperlyConfigured(
            f"{_PAGES_ROUTER}.{router_name} lacks {sorted(missing)}: {risk}"
        )
    for operation in operations:
        _check_first(operation, check, marker)


def _club_checks_before_page_writes() -> None:
    """Wagtail's page writes run the club's checks first: a PATCH keeps the
    content of a spoiler sent back hidden
    (:func:`reviews.api.page_writes.keep_hidden_spoilers`); only editors
    name a review's reviewer
    (:func:`reviews.api.page_writes.reviewer_chosen_by_editors`); a copy,
    alias or move never lands beside a page with its slug
    (:mod:`reviews.api.page_actions`).

    Installed before :func:`_page_writes_hide_like_missing`, whose check then
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
        "actions_router",
        ("pages_actions_copy", "pages_actions_create_alias", "pages_actions_move"),
        slug_free_where_it_lands,
        "checks_slugs",
        "a page could land beside a page with its slug.",
    )


def _page_writes_hide_like_missing() -> None:
    """Make Wagtail's v3 page writes answer a page the user may not know
    exists (another member's draft, a restricted page) exactly as a missing
    one, before Wagtail's own permission check could answer 403 and so
    confirm that it exists: the page in the path, and any page the body
    names (a new page's parent, where a copy, move or alias goes).

    Should a Wagtail upgrade rename the routers, this fails loudly at
    start-up rather than letting a token probe page ids again.
    """
    routers = _both_routers(
        _PAGES_ROUTER, "a token could probe which page ids are drafts or restricted."
    )

    def named_pages(kwargs: dict) -> list[object]:
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
                    _check_first(operation, visible_or_404, "hides_unseen_pages")


#: Wagtail's v3 snippet routers (mounted by ``wagtail.snippets``), whose
#: operations on one snippet take its primary key as a string.
_SNIPPETS_ROUTER = "wagtail.snippets.api.v3.router"


def _snippet_ids_checked_first() -> None:
    """Make Wagtail's v3 operations on one snippet answer a ``pk`` its model's
    key cannot hold (``/snippets/reviews.Book/abc/``) with a 400 naming
    ``pk``, as ``/pages/abc/`` does, instead of failing inside the database
    lookup (a 500, only for a token whose user may see the snippet type).

    Should a Wagtail upgrade rename the routers, this fails loudly at
    start-up.
    """
    from django.contrib.admin.utils import unquote
    from django.core.exceptions import ValidationError
    from ninja.errors import ValidationError as NinjaValidationError
    from wagtail.coreutils import resolve_model_string

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
                _check_first(operation, key_or_400, "checks_snippet_pk")


def register(api: NinjaAPI) -> NinjaAPI:
    """Add the club's routers and error handlers to ``api`` (once)."""
    from .routers.books import router as books_router
    from .routers.comments import router as comments_router
    from .routers.discussions import router as discussions_router
    from .routers.preview import router as preview_router
    from .routers.progress import router as progress_router
    from .routers.review_writes import router as reviews_router  # adds writes
    from .routers.rounds import router as rounds_router
    from .routers.rsvps import router as rsvps_router
    from .routers.series import router as series_router

    if id(api) in _registered:
        return api
    _registered.add(id(api))

    serve_valid_document(api)
    api.docs = ClubSwagger()
    _apply_media_rule()
    _no_content_queries_in_page_listing()
    _redirects_to_visible_pages_only()
    _tokens_read_public_pages()
    _club_checks_before_page_writes()
    _page_writes_hide_like_missing()
    _snippet_ids_checked_first()
    install_v3_handlers(api)
    api.add_router("/books/", books_router)
    api.add_router("/reviews/", reviews_router)
    api.add_router("/series/", series_router)
    api.add_router("/discussions/", discussions_router)
    api.add_router("/progress/", progress_router)
    api.add_router("/preview/", preview_router)
    api.add_router("/", comments_router)
    api.add_router("/", rounds_router)
    api.add_router("/", rsvps_router)
    api.add_router("/", exports_router)
    return api
