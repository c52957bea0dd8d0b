"""Absolute URLs from the site's configured root (its Wagtail ``Site``).

Feeds, calendars, link previews and the API hand out URLs that outlive the
request; they are built from the Site's hostname and port, never from the
request's ``Host`` header, which a client chooses.

Every page URL Wagtail builds starts from ``Site.get_site_root_paths()``.
Wagtail keeps that list in the cache for an hour and clears it when a Site
is saved, in the cache of the process that saved it only: with each
process's own memory as the cache (the embedded default), every other
process kept the old hostname, port or root; and a site changed without a
save (``update()``, SQL) was kept everywhere. :func:`site_root_paths` keeps
it per content version instead, which every change of a site or of the
page tree moves on, whatever wrote it (the database's triggers), and
:func:`use_versioned_site_root_paths` makes it what Wagtail asks.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urljoin

from django.conf import settings
from django.http import HttpRequest
from wagtail.models import Page, Site
from wagtail.models.sites import SiteRootPath

from . import cache_tags
from .derived import for_tags_in_process


def site_for(page: Page | None = None) -> Site | None:
    """The page's Site, or the default Site."""
    site = page.get_site() if page is not None else None
    return site or Site.objects.filter(is_default_site=True).first()


def site_root_url(page: Page | None = None) -> str:
    """``scheme://host[:port]`` of the page's Site (or the default one);
    empty when no Site is configured."""
    site = site_for(page)
    return site.root_url if site is not None else ""


def absolute_url(url: str, page: Page | None = None) -> str:
    """``url`` (site-relative, or already absolute as a CDN's storage gives
    it) as an absolute URL under the Site's root."""
    root = site_root_url(page)
    return urljoin(root + "/", url) if root else url


def site_hostname(page: Page | None = None) -> str:
    site = site_for(page)
    return site.hostname if site is not None else "localhost"


def answered_as(request: HttpRequest) -> str:
    """What decides which Site a request is answered as, and so the root of
    the links Wagtail builds from ``request.site`` (API v2's ``detail_url``):
    the scheme, the ``Host`` and the port (``Site.find_for_request``). A
    response kept for reuse is kept under it, so that an ``https`` request
    never gets the links built for ``http``, nor one host another's."""
    return f"{request.scheme}://{request.get_host()} {request.get_port()}"


def read_site_root_paths(translated: bool) -> list[SiteRootPath]:
    """What Wagtail's ``Site.get_site_root_paths()`` answers, read from the
    database: most specific root first, a root for each translation of a
    site's root page when ``translated``."""
    paths: list[SiteRootPath] = []
    sites = Site.objects.select_related("root_page", "root_page__locale").order_by(
        "-root_page__url_path", "-is_default_site", "hostname"
    )
    for site in sites:
        roots = (
            site.root_page.get_translations(inclusive=True).select_related("locale")
            if translated
            else [site.root_page]
        )
        paths.extend(
            SiteRootPath(
                site.id, root.url_path, site.root_url, root.locale.language_code
            )
            for root in roots
        )
    return paths


#: What the sites' root paths depend on: the sites and the tree's shape
#: (:data:`~reviews.cache_tags.SITE`: a Site, a move, an index or home page
#: published or edited) and any live page's URL path
#: (:data:`~reviews.cache_tags.LINKED`: the database's triggers retire it
#: when one changes, so a root page of any kind renamed is seen too).
ROOT_PATHS_DEPEND_ON = (cache_tags.SITE, cache_tags.LINKED)


def site_root_paths() -> list[SiteRootPath]:
    """The sites' root paths, read once in each process after a change of
    what they depend on (:data:`ROOT_PATHS_DEPEND_ON`), no cache round trip:
    a review's new revision, a comment or a vote leave them."""
    translated = getattr(settings, "WAGTAIL_I18N_ENABLED", False)
    return for_tags_in_process(
        ROOT_PATHS_DEPEND_ON,
        f"site-root-paths:{translated}",
        lambda: read_site_root_paths(translated),
    )


#: Wagtail's own ``Site.get_site_root_paths``, as it was before
#: :func:`use_versioned_site_root_paths` (tests compare the two).
wagtails_site_root_paths: Callable[[], list[SiteRootPath]] = Site.get_site_root_paths


def use_versioned_site_root_paths() -> None:
    """Make ``Site.get_site_root_paths`` answer :func:`site_root_paths`."""
    Site.get_site_root_paths = staticmethod(site_root_paths)  # type: ignore[method-assign,assignment]
