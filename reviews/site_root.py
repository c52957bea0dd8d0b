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
:func:`use_versioned_site_root_paths` makes it what Wagtail asks. Which
Site answers a request's host is kept the same way
(:func:`site_for_hostname`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.db import router
from django.http import HttpRequest
from django.http.request import split_domain_port
from wagtail.models import Page, Site
from wagtail.models import sites as wagtail_sites
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
    the scheme, the host name and the port the request came in on
    (``Site.find_for_request``). A response kept for reuse is kept under it,
    so that an ``https`` request never gets the links built for ``http``,
    nor one host another's.

    The host name as Django and Wagtail read it: in lower case, without a
    trailing dot or the port a client may add in its ``Host`` header, which
    chooses no Site (no URL the club sends comes from that header). Kept
    under the header as sent, ``LOCALHOST``, ``localhost.`` and
    ``localhost:1``, ``localhost:2``, … each filled the cache with a copy of
    its own."""
    hostname, _port = split_domain_port(request.get_host())
    return f"{request.scheme}://{hostname} {request.get_port()}"


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


#: Wagtail's own lookup of the Site for a hostname and port, as it was
#: before :func:`use_versioned_site_lookup`.
wagtails_site_for_hostname: Callable[[str, int], Site] = (
    wagtail_sites.get_site_for_hostname
)


def _site_row(hostname: str, port: int) -> dict[str, Any] | None:
    try:
        site = wagtails_site_for_hostname(hostname, port)
    except Site.DoesNotExist:
        return None
    return {
        field.attname: getattr(site, field.attname)
        for field in Site._meta.concrete_fields
    }


def site_for_hostname(hostname: str, port: int) -> Site:
    """The Site Wagtail answers a request for ``hostname`` and ``port`` as
    (``Site.find_for_request``), its row read once in each process after a
    change of the sites or the tree (:data:`ROOT_PATHS_DEPEND_ON`).

    Wagtail reads it on every request that is not a cached hit, with a query
    that costs about a millisecond to build and run, more than reading a
    page by its id. Each call returns a new instance with no root page
    loaded: a request reads the root page as it is now, and what it sets
    on its Site (Wagtail keeps the root page there) stays with it.
    Raises ``Site.DoesNotExist`` when no Site answers, as Wagtail's does.
    """
    # The hostname comes from the Host header: hashed, so no header names a
    # cache key.
    where = hashlib.sha256(f"{hostname}:{port}".encode()).hexdigest()[:24]
    row = for_tags_in_process(
        ROOT_PATHS_DEPEND_ON, f"site-for:{where}", lambda: _site_row(hostname, port)
    )
    if row is None:
        raise Site.DoesNotExist(f"No Site answers {hostname}:{port}.")
    return Site.from_db(router.db_for_read(Site), list(row), list(row.values()))


def use_versioned_site_lookup() -> None:
    """Make Wagtail's ``Site.find_for_request`` use :func:`site_for_hostname`."""
    wagtail_sites.get_site_for_hostname = site_for_hostname  # type: ignore[assignment]
