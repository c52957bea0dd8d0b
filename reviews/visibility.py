"""Wagtail's page view restrictions, without a query per listing.

``PageQuerySet.public()`` reads every restriction (one query) each time it
is called, and a home page calls it five times. :func:`public_pages` applies
the same rule — a page is private when it or an ancestor has a view
restriction — from the restricted paths read once per change of the site's
shape (:data:`reviews.cache_tags.SITE`: a restriction added, changed or
removed, a page moved, a Site changed, whether by the club's code, a
script's ``update()`` or SQL; the database's triggers retire it too). A
review's new revision, a comment or a vote leave them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http.request import split_domain_port
from wagtail.models import Page, PageViewRestriction, Site

from . import cache_tags
from .derived import for_tags_in_process, for_this_version_in_process

#: What the values worked out from the site's shape depend on (see the
#: module's docstring). Not which pages are unpublished branches: a live
#: page added below an unpublished one makes it one and retires only
#: :data:`~reviews.cache_tags.PAGES`, so :func:`unpublished_branch_paths`
#: stays under every change.
SITE_SHAPE = (cache_tags.SITE,)


def restricted_paths() -> list[str]:
    """Tree paths of the pages that carry a view restriction."""
    return for_tags_in_process(
        SITE_SHAPE,
        "restricted-paths",
        lambda: sorted(
            set(PageViewRestriction.objects.values_list("page__path", flat=True))
        ),
    )


def _private(field: str = "path") -> Q:
    """Pages that are, or are below, a restricted one; empty with none.
    ``field``: the page's tree path, as the queryset names it."""
    private = Q()
    for path in restricted_paths():
        private |= Q(**{f"{field}__startswith": path})
    return private


def public_pages(queryset: QuerySet, *, field: str = "path") -> QuerySet:
    """``queryset.public()``: no page that is, or is below, a restricted one.
    With no restriction at all the query gets no condition. ``field`` names
    the page's tree path for a queryset of rows that point to pages
    (``page__path``)."""
    private = _private(field)
    return queryset.exclude(private) if private else queryset


def unpublished_branch_paths() -> list[str]:
    """Tree paths of the unpublished pages that have pages below them."""
    return for_this_version_in_process(
        "unpublished-branches",
        lambda: sorted(
            set(
                Page.objects.filter(live=False, numchild__gt=0).values_list(
                    "path", flat=True
                )
            )
        ),
    )


def site_root_page_paths() -> list[str]:
    """The tree paths of every Site's root page, read once per change of
    the site's shape."""
    return for_tags_in_process(
        SITE_SHAPE,
        "site-root-page-paths",
        lambda: sorted(set(Site.objects.values_list("root_page__path", flat=True))),
    )


def outside_unpublished_branches(
    queryset: QuerySet, *, field: str = "path"
) -> QuerySet:
    """``queryset`` without the pages below an unpublished one.

    Wagtail unpublishes a page without its children unless the editor asks,
    and still routes to a live page whose ancestor was unpublished: a reader
    who has its address has reached it, so a lookup by address or id finds
    it. But an editor who unpublishes an index or a section takes what is
    below it away from readers: nothing that *lists* pages — a listing, a
    search, a count, a feed, a calendar, the sitemap, in HTML or either API
    — may name it. Every such output asks this (or :func:`reachable_pages`).
    ``field`` names the page's tree path for a queryset of rows that point to
    pages (``redirect_page__path``).

    A Site's tree below an unpublished page stays listed: Wagtail serves a
    site whatever lies above its root page (a folder holding it, another
    site's section), so only the rest of that page's branch is hidden. A
    site's root page itself unpublished hides its whole tree: the editor
    took the site away.
    """
    below = _below_unpublished_branches(field)
    return queryset.exclude(below) if below else queryset


def _hidden_branches() -> list[tuple[str, list[str]]]:
    """Each unpublished page with pages below it, with the Sites' trees
    carved out of its branch (:func:`outside_unpublished_branches`): the
    one statement of that rule, as a condition and for one page."""
    branches = unpublished_branch_paths()
    if not branches:
        return []
    roots = site_root_page_paths()
    return [
        (path, [root for root in roots if root != path and root.startswith(path)])
        for path in branches
    ]


def _below_unpublished_branches(field: str = "path") -> Q:
    """Pages hidden by :func:`_hidden_branches`; empty with none."""
    below = Q()
    for path, carved in _hidden_branches():
        branch = Q(**{f"{field}__startswith": path})
        for root in carved:
            branch &= ~Q(**{f"{field}__startswith": root})
        below |= branch
    return below


def held_by_unpublished_page(page: Page) -> bool:
    """Does an unpublished page above ``page`` hide it from listings
    (:func:`outside_unpublished_branches`, for one page, without a query)?
    Whether ``page`` itself is live is not asked."""
    return any(
        path != page.path
        and page.path.startswith(path)
        and not any(page.path.startswith(root) for root in carved)
        for path, carved in _hidden_branches()
    )


def reachable_pages(queryset: QuerySet) -> QuerySet:
    """:func:`public_pages` without the pages below an unpublished one
    (:func:`outside_unpublished_branches`): what a listing may name to any
    reader."""
    return outside_unpublished_branches(public_pages(queryset))


def own_or_live_public_condition(user) -> Q:
    """:func:`own_or_live_public` as a condition, to combine with others."""
    hidden = _private() | _below_unpublished_branches()
    live_public = Q(live=True) & ~hidden if hidden else Q(live=True)
    if user is None or not user.is_authenticated:
        return live_public
    return Q(owner=user) | live_public


def own_or_live_public(queryset: QuerySet, user) -> QuerySet:
    """The pages of ``queryset`` a club member may know exist: those they
    own, and live pages that no view restriction covers and no unpublished
    page hides (:func:`outside_unpublished_branches`). Other members'
    drafts, login- or password-restricted pages and what an editor took
    away with a section are not among them."""
    return queryset.filter(own_or_live_public_condition(user))


PATH_MAX_LENGTH: int = Page._meta.get_field("path").max_length


def in_subtree(queryset: QuerySet, root_path: str) -> QuerySet:
    """``descendant_of(root, inclusive=True)`` as a range on ``path``.

    Treebeard's ``path LIKE 'root%'`` cannot use the ``path`` index on
    SQLite (its ``LIKE`` ignores case), so every listing scanned and sorted
    the whole page table. A path is made of the digits and upper-case
    letters, so every descendant of ``root_path`` sorts between it and
    ``root_path`` followed by ``Z``s up to the column's length; both
    databases walk the index for that.
    """
    highest = root_path + "Z" * (PATH_MAX_LENGTH - len(root_path))
    return queryset.filter(path__gte=root_path, path__lte=highest)


def descendants_of(
    queryset: QuerySet, page: Page, *, inclusive: bool = False
) -> QuerySet:
    """``queryset.descendant_of(page, inclusive)`` with :func:`in_subtree`'s
    range, which SQLite answers from the ``path`` index."""
    queryset = in_subtree(queryset, page.path)
    return queryset if inclusive else queryset.filter(depth__gt=page.depth)


def sees_public_pages_only(request) -> bool:
    """True when Wagtail's view restrictions hide every restricted page from
    ``request``: an anonymous visitor who has passed no page password."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    session = getattr(request, "session", None)
    key = PageViewRestriction.passed_view_restrictions_session_key
    return not (session is not None and session.get(key))


def site_root_path(request) -> str | None:
    """The tree path of the root page of the site Wagtail serves ``request``
    from (``Site.find_for_request``), or None when no site matches.

    Wagtail looks the site up with a query on every request; the answer
    only changes with the sites and the tree, which retire
    :data:`SITE_SHAPE`.
    """
    hostname = split_domain_port(request.get_host())[0]
    port = request.get_port()

    def find() -> str | None:
        site = Site.find_for_request(request)
        return site.root_page.path if site is not None else None

    return for_tags_in_process(SITE_SHAPE, f"site-root:{hostname}:{port}", find)


def public_site_pages(request, model: type[Page] = Page) -> QuerySet | None:
    """What ``wagtail.api.querysets.get_public_pages_queryset(request)``
    lists for an anonymous visitor, as ``model``'s own queryset, without its
    three lookups per request (restrictions, site, the pages' ids).

    None when the shortcut does not apply and Wagtail's own rule must run: a
    member or a visitor with a passed password (restrictions may let them
    in), a ``site=`` parameter, or localized page trees.
    """
    if not public_site_pages_apply(request):
        return None
    root_path = site_root_path(request)
    if root_path is None:
        return model.objects.none()
    return public_pages(in_subtree(model.objects.live(), root_path))


def is_public_site_page(request, page: Page) -> bool | None:
    """Is ``page`` among :func:`public_site_pages` for ``request``? Decided
    from the paths read once per content version, without a query; None
    where that function is None (Wagtail's own rule must be asked)."""
    if not public_site_pages_apply(request):
        return None
    root_path = site_root_path(request)
    return (
        root_path is not None
        and page.live
        and page.path.startswith(root_path)
        and not is_restricted(page)
    )


def public_site_pages_apply(request) -> bool:
    """Does :func:`public_site_pages` give a queryset (not None) for
    ``request``? Asked without building one."""
    return not (
        "site" in request.GET
        or getattr(settings, "WAGTAIL_I18N_ENABLED", False)
        or not sees_public_pages_only(request)
    )


def is_restricted(page: Page) -> bool:
    """Does a view restriction sit on ``page`` or one of its ancestors?"""
    return any(page.path.startswith(path) for path in restricted_paths())


def is_listed(page: Page) -> bool:
    """May a listing name ``page``, or an announcement (an email to a book's
    followers, a digest entry) tell of it? The same rule as
    :func:`reachable_pages`, for one page: it is live, no view restriction
    covers it and no unpublished page holds it. Reads no page: the paths
    the rule compares are kept per content version."""
    return page.live and not is_restricted(page) and not held_by_unpublished_page(page)


def can_view_page(page: Page, user) -> bool:
    """May ``user`` (None: an anonymous reader) learn that ``page`` exists,
    its URL included? Yes when it is live and public, or when they own it or
    can edit it; a draft, an unpublished or a restricted page is nobody
    else's."""
    return (page.live and not is_restricted(page)) or _owns_or_edits(page, user)


def may_name_page(page: Page, user) -> bool:
    """May something shown beside another page (a link in its rich text)
    name ``page`` to ``user``? :func:`can_view_page`, by the listing rule
    (:func:`is_listed`): a page below an unpublished section is served at
    its address, which carries that section's slug, but only those who own
    it or may edit it are told of it."""
    return is_listed(page) or _owns_or_edits(page, user)


def _owns_or_edits(page: Page, user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if page.owner_id is not None and page.owner_id == user.pk:
        return True
    return page.permissions_for_user(user).can_edit()


#: The request being answered, for code Wagtail calls without one (rich text
#: link handlers). Unset means nobody is known: the anonymous reader.
_current_request: ContextVar = ContextVar("reviews_current_request", default=None)


@contextmanager
def reading_request(request) -> Iterator[None]:
    """Make ``request`` the one :func:`current_user` answers for."""
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)


@dataclass(frozen=True)
class _Recipient:
    """Stands in for a request when content is written for one member
    outside (or inside somebody else's) request: an email."""

    user: object


@contextmanager
def reading_as(user) -> Iterator[None]:
    """Make ``user`` the one :func:`current_user` answers for, whoever's
    request is being answered (an email sent while an editor publishes is
    written for its recipient, not for the editor)."""
    token = _current_request.set(_Recipient(user))
    try:
        yield
    finally:
        _current_request.reset(token)


def current_user():
    """The user of the request being answered, read when asked (APIs
    authenticate inside their views), or None outside a request."""
    request = _current_request.get()
    return getattr(request, "user", None) if request is not None else None
