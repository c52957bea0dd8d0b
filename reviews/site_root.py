"""Absolute URLs from the site's configured root (its Wagtail ``Site``).

Feeds, calendars, link previews and the API hand out URLs that outlive the
request; they are built from the Site's hostname and port, never from the
request's ``Host`` header, which a client chooses.
"""

from __future__ import annotations

from urllib.parse import urljoin

from django.http import HttpRequest
from wagtail.models import Page, Site


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
