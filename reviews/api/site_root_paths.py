"""Wagtail's root paths of the sites, for the page URLs an API answer gives.

A page's ``full_url`` asks ``Site.get_site_root_paths()``, a cache round
trip on every request that builds one (once per request: Wagtail keeps the
answer on the request). They are kept per content version in this
process instead: a site added, changed or deleted, and a page saved or
moved (a site's root page among them), move the version on.

They are read from the database, as Wagtail reads them on a miss, not from
Wagtail's own copy: Wagtail clears that copy only in the cache of the
process that changed a site, so with each process's own memory as the
cache another process would keep the old paths under the new version.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from wagtail.models import Site
from wagtail.models.sites import SiteRootPath

from ..derived import for_this_version_in_process

#: Where Wagtail keeps the root paths on the object it is given
#: (``Page._get_site_root_paths``).
_ON_REQUEST = "_wagtail_cached_site_root_paths"


def read_site_root_paths(translated: bool) -> list[SiteRootPath]:
    """What ``Site.get_site_root_paths()`` answers, read from the database:
    most specific root first, a root for each translation of a site's root
    page when ``translated``."""
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


def keep_on(request: Any) -> None:
    """Give ``request`` the sites' root paths as read for this content
    version, unless it already has them."""
    if request is None or hasattr(request, _ON_REQUEST):
        return
    translated = getattr(settings, "WAGTAIL_I18N_ENABLED", False)
    setattr(
        request,
        _ON_REQUEST,
        for_this_version_in_process(
            f"site-root-paths:{translated}",
            lambda: read_site_root_paths(translated),
        ),
    )
