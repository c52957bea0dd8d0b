"""Edge cache configurations for tests (``override_settings(**EDGE)``).

Nothing listens at their addresses: a purge is refused at once and logged,
and a test that commits nothing sends none."""

from __future__ import annotations

from typing import Any

#: An edge purged by URL only.
URL_EDGE: dict[str, Any] = {
    "WAGTAILFRONTENDCACHE": {
        "cdn": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": "http://127.0.0.1:9",
        }
    }
}
#: The same edge, named by Wagtail's older setting (which Wagtail still reads).
OLDER_URL_EDGE: dict[str, Any] = {"WAGTAILFRONTENDCACHE_LOCATION": "http://127.0.0.1:9"}
#: Cloudflare without its token (bookclub.settings.production builds this when
#: CLOUDFLARE_API_TOKEN is missing): its purges fail and are logged, but the
#: club must go on answering.
CLOUDFLARE_WITHOUT_TOKEN: dict[str, Any] = {
    "WAGTAILFRONTENDCACHE": {
        "cloudflare": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
            "BEARER_TOKEN": "",
            "ZONEID": "zone",
        }
    }
}
#: Varnish purged by surrogate key.
KEY_EDGE: dict[str, Any] = {
    "WAGTAILFRONTENDCACHE": {
        "varnish": {
            "BACKEND": "reviews.frontend_cache.XkeyBackend",
            "LOCATION": "http://127.0.0.1:9",
        }
    }
}
#: Varnish purged by key, and a CDN in front of it purged by URL.
BOTH_EDGES: dict[str, Any] = {
    "WAGTAILFRONTENDCACHE": {
        **KEY_EDGE["WAGTAILFRONTENDCACHE"],
        **URL_EDGE["WAGTAILFRONTENDCACHE"],
    }
}
