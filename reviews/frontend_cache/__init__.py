"""Purging the edge caches in front of the club when content changes.

Responses the club lets a shared cache keep carry a ``Surrogate-Key`` header
(the keys of everything they show). :class:`XkeyBackend` is a
``wagtail.contrib.frontend_cache`` backend that, besides Wagtail's own
per-URL purges, removes every stored response tagged with given keys: one
``PURGE`` request with an ``xkey-purge: key key …`` header, which the VCL in
``deploy/varnish/`` hands to ``xkey.purge``. An edge purged by URL only
(Cloudflare, a plain HTTP purger: :class:`URLPurgeBackend`) is sent the
addresses a change shows on instead.

:func:`purge_keys` sends keys to every configured backend that can take them,
once the current transaction commits, so the edge never drops a response
before the change it reflects is visible to the app nodes; the URL purges of
a changed page (:func:`purge_page_urls`) wait for the commit too.

The package, by responsibility:

- ``backends``: the backends, and which kinds of edge the settings configure;
- ``routes``: which answers a change purges by URL, at which addresses
  (:data:`PURGED_BY_URL`, :func:`is_purged_by_url`): the rule an edge purged
  by URL only is held to (reviews.response_cache.policy);
- ``urls``: the URLs that show a page, a book or a series;
- ``purges``: when to purge, the signal receivers.
"""

from .backends import (
    PURGE_HEADER,
    URLPurgeBackend,
    XkeyBackend,
    configured,
    key_backends,
    purge_keys,
    purges_by_url_only,
)
from .purges import (
    comment_changed,
    comment_saving,
    defer_wagtails_page_purges,
    media_changing,
    page_changed,
    page_moving,
    purge_page_urls,
    purge_retired,
    purge_subtree_urls,
    purge_urls_showing,
    restriction_changed,
)
from .routes import PURGED_BY_URL, is_host_as_purged, is_purged_by_url
from .urls import pages_showing_books, urls_for_page, urls_showing_books

__all__ = [
    "PURGED_BY_URL",
    "PURGE_HEADER",
    "URLPurgeBackend",
    "XkeyBackend",
    "comment_changed",
    "comment_saving",
    "configured",
    "defer_wagtails_page_purges",
    "is_host_as_purged",
    "is_purged_by_url",
    "key_backends",
    "media_changing",
    "page_changed",
    "page_moving",
    "pages_showing_books",
    "purge_keys",
    "purge_page_urls",
    "purge_retired",
    "purge_subtree_urls",
    "purge_urls_showing",
    "purges_by_url_only",
    "restriction_changed",
    "urls_for_page",
    "urls_showing_books",
]
