"""The club's rules on Wagtail's own v3 reads: images and documents follow
the media rule, the page listing refuses content filters, redirects lead
only to pages the reader may see, and a token never narrows the page reads.

Each function wraps what a Wagtail router offers no hook for; should a
Wagtail upgrade rename what it wraps, it fails loudly at start-up rather than
letting an endpoint leak. :func:`reviews.api.v3.register` calls them once.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from importlib import import_module

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja.errors import HttpError
from ninja.pagination import paginate
from wagtail.models import Page

from ..media_visibility import visible_media
from ..visibility import (
    held_by_unpublished_page,
    in_subtree,
    is_public_site_page,
    outside_unpublished_branches,
    public_pages,
    site_root_path,
)
from .filtering import check_filters_and_ordering
from .operation_checks import WAGTAIL_PAGES_ROUTER, check_first

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


def apply_media_rule() -> None:
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
_PAGE_LISTING = (WAGTAIL_PAGES_ROUTER, "pages_list")


def _operations(module_name: str, operation_id: str) -> list:
    """The router's operations named ``operation_id``; should a Wagtail
    upgrade rename it, this fails loudly at start-up rather than letting
    the club's rule lapse on it."""
    router = import_module(module_name).router
    operations = [
        operation
        for path_view in router.path_operations.values()
        for operation in path_view.operations
        if operation.operation_id == operation_id
    ]
    if not operations:
        raise ImproperlyConfigured(
            f"{module_name} has no '{operation_id}' operation: the club's rules "
            "would not apply to it."
        )
    return operations


def no_content_queries_in_page_listing() -> None:
    """Make Wagtail's ``GET /pages/`` refuse filters and orderings on content
    columns, as API v2 does (:mod:`reviews.api.filtering`).

    Its field filter and ordering schemas are built into the operation and
    offer no hook, so the operation's view is wrapped; the check runs after
    Ninja has parsed ``type=`` and before any query. Should a Wagtail upgrade
    rename the operation, this fails loudly at start-up.
    """
    module_name, operation_id = _PAGE_LISTING
    operations = _operations(module_name, operation_id)

    def refuse_content_queries(request: HttpRequest, kwargs: dict) -> None:
        page_types = getattr(kwargs.get("filters"), "type", None) or [Page]
        check_filters_and_ordering(page_types, request.GET)

    for operation in operations:
        check_first(operation, refuse_content_queries, "refuses_content_queries")


#: The largest port a ``site=host:port`` may name.
MAX_PORT = 65535


def refuse_malformed_site(request: HttpRequest, kwargs: dict) -> None:
    """``site=host:port`` with a port that is no number is a 400."""
    site = request.GET.get("site") or ""
    if ":" not in site:
        return
    port = site.split(":", 1)[1]
    if not (port.isascii() and port.isdigit() and int(port) <= MAX_PORT):
        raise HttpError(400, f"site: the port must be a number from 0 to {MAX_PORT}.")


def site_checked_before_find() -> None:
    """Wagtail's v3 ``GET /pages/find/`` builds a Site query from ``site=``
    as given, so a port that is no number answered 500 (its listing and
    API v2 answer 400). The operation offers no hook: it is wrapped."""
    for operation in _operations(WAGTAIL_PAGES_ROUTER, "pages_find"):
        check_first(operation, refuse_malformed_site, "checks_site_port")


#: Wagtail's v3 redirect reads (mounted by ``wagtail.contrib.redirects``):
#: the module, and the operation ids of its listing, detail and find.
_REDIRECT_ROUTER = "wagtail.contrib.redirects.api.v3.router"
_REDIRECT_READS = ("redirects_list", "redirects_detail", "redirects_find")


def redirects_to_visible_pages_only() -> None:
    """Make Wagtail's v3 redirect reads follow :mod:`reviews.redirects`: a
    redirect to a page the reader may not see is neither listed nor found,
    exactly like a missing one.

    The router reads ``Redirect.objects.all()`` inside its operations and
    offers no hook, so the listing's own function is wrapped inside its
    pagination, and detail and find check the redirect they would answer.
    Should a Wagtail upgrade rename them, this fails loudly at start-up.
    """
    if not apps.is_installed("wagtail.contrib.redirects"):
        return
    from wagtail.api.v3.pagination import WagtailLimitOffsetPagination
    from wagtail.contrib.redirects.middleware import get_redirect
    from wagtail.contrib.redirects.models import Redirect

    from ..redirects import leads_to_visible_page, listed_redirects

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
            return listed_redirects(listed(request, *args, **kwargs), request.user)

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
        check_first(operations[operation_id], visible_or_404, "follows_visibility")


#: The function every page read of Wagtail's v3 pages router takes its
#: queryset from.
_PAGES_QUERYSET = "get_pages_queryset"

#: True while Wagtail's v3 page listing runs: the pages it reads then are
#: listed, not looked up (:func:`page_listing_names_reachable_pages_only`).
_LISTING_PAGES: ContextVar[bool] = ContextVar("listing_pages", default=False)


def page_listing_names_reachable_pages_only() -> None:
    """Make Wagtail's ``GET /pages/`` leave out, for readers, the pages below
    an unpublished one, as every other listing does
    (:func:`reviews.visibility.outside_unpublished_branches`); detail and
    find still answer for them, as their addresses do. A page the token's
    user may edit stays listed.

    The listing and the lookups read their pages from one module-level
    function (:func:`tokens_read_public_pages` replaces it), so the
    listing's operation is wrapped to say that it is the one asking.
    """
    module_name, operation_id = _PAGE_LISTING
    for operation in _operations(module_name, operation_id):
        view = operation.view_func
        if getattr(view, "lists_reachable_pages", False):
            continue

        @functools.wraps(view)
        def listing(request: HttpRequest, *args, _view=view, **kwargs):
            token = _LISTING_PAGES.set(True)
            try:
                return _view(request, *args, **kwargs)
            finally:
                _LISTING_PAGES.reset(token)

        listing.lists_reachable_pages = True  # type: ignore[attr-defined]
        operation.view_func = listing


def tokens_read_public_pages() -> None:
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
    module = import_module(WAGTAIL_PAGES_ROUTER)
    original = getattr(module, _PAGES_QUERYSET, None)
    if original is None:
        raise ImproperlyConfigured(
            f"{WAGTAIL_PAGES_ROUTER}.{_PAGES_QUERYSET} is gone: a token would hide "
            "public pages from Wagtail's v3 page reads."
        )
    if getattr(original, "reads_public_pages", False):
        return

    def pages_for_request(request: HttpRequest, model=Page):
        editable = original(request, model)
        listing = _LISTING_PAGES.get()
        if not request.user.is_authenticated:
            return outside_unpublished_branches(editable) if listing else editable
        root_path = site_root_path(request)
        if root_path is None:
            return editable
        public = public_pages(in_subtree(model._default_manager.live(), root_path))
        if listing:
            public = outside_unpublished_branches(public)
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


#: The fields of Wagtail's v3 page detail (``meta``) that name another page.
_LINKED_PAGES = ("parent", "alias_of")


def linked_pages_readable_only() -> None:
    """Make Wagtail's v3 page detail name, in ``meta.parent`` and
    ``meta.alias_of``, only a page the reader may read.

    Wagtail names them whatever they are, so a live review below an
    unpublished index (which the detail still answers, as its address does)
    gave away that index's id, title and address, and an alias the original
    that a view restriction covers. A page is now named only where the
    page listing would list it to the reader (a field of a listed page is a
    listing's), else ``null``, as in API v2
    (reviews.api.serializers.readable_or_none).

    The schemas resolve these fields with django-ninja resolvers, which each
    schema class copies from its bases when it is built, so the resolver is
    replaced on Wagtail's ``PageMetaSchema`` and on every class built from it
    so far; classes built later copy the replacement. Should a Wagtail
    upgrade rename the schema, this fails loudly at start-up.
    """
    from ninja.schema import Resolver

    try:
        from wagtail.api.v3.schemas.pages import PageMetaSchema
    except ImportError as error:
        raise ImproperlyConfigured(
            "wagtail.api.v3.schemas.pages.PageMetaSchema is gone: Wagtail's v3 "
            "page detail would name pages the reader may not read."
        ) from error

    resolvers = {
        name: Resolver(staticmethod(_readable_link(name))) for name in _LINKED_PAGES
    }
    schemas = [PageMetaSchema]
    while schemas:
        schema = schemas.pop()
        schema._ninja_resolvers.update(resolvers)  # type: ignore[attr-defined]
        schemas.extend(schema.__subclasses__())


def _readable_link(field: str):
    def resolve(page: Page, context: dict) -> Page | None:
        linked = page.get_parent() if field == "parent" else page.alias_of
        if linked is None:
            return None
        request = context["request"]
        readable = is_public_site_page(request, linked)
        if readable is not None:
            readable = readable and not held_by_unpublished_page(linked)
        else:
            # Read as the listing reads them: a page below an unpublished
            # one is named only to a user who may edit it.
            listing = _LISTING_PAGES.set(True)
            try:
                pages = getattr(import_module(WAGTAIL_PAGES_ROUTER), _PAGES_QUERYSET)
                readable = pages(request).filter(pk=linked.pk).exists()
            finally:
                _LISTING_PAGES.reset(listing)
        return linked if readable else None

    resolve.__name__ = f"resolve_{field}"
    return resolve
