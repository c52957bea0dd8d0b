"""Wagtail's root paths of the sites, for the page URLs an API answer gives.

A page's ``full_url`` asks ``Site.get_site_root_paths()``, a cache round
trip on every request that builds one (once per request: Wagtail keeps the
answer on the request). They are kept per content version in this
process instead: a site added, changed or deleted, and a page saved or
moved (a site's root page among them), move the version on.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from wagtail.models import Site

from ..content_version import for_this_version_in_process

#: Where Wagtail keeps the root paths on the object it is given
#: (``Page._get_site_root_paths``).
_ON_REQUEST = "_wagtail_cached_site_root_paths"


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
            f"site-root-paths:{translated}", Site.get_site_root_paths
        ),
    )
