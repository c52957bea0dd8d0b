"""Front-end cache backends: purging by URL within a time bound, and by
surrogate key (Varnish with varnish-modules' xkey), and which kinds of
edge the settings configure."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from http.client import HTTPException
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from wagtail import __version__
from wagtail.contrib.frontend_cache.backends.http import HTTPBackend, PurgeRequest
from wagtail.contrib.frontend_cache.utils import (
    get_backends,
)

from ..conf import from_settings

logger = logging.getLogger("wagtail.frontendcache")

#: Varnish refuses request headers over 8 KB by default (``http_req_hdr_len``).
MAX_HEADER_LENGTH = 4000
PURGE_HEADER = "xkey-purge"
USER_AGENT = "Wagtail-frontendcache/" + __version__


class URLPurgeBackend(HTTPBackend):
    """Wagtail's HTTP ``PURGE`` backend, each purge bounded in time: for a
    proxy purged by URL only (nginx, or any that takes ``PURGE``).

    ``LOCATION`` is the edge cache's address as the app nodes reach it (e.g.
    ``http://proxy.internal:8080``); ``TIMEOUT`` (seconds, default 5) bounds
    how long each purge may hold the request that triggered it (Wagtail's
    own waits for as long as the edge does).
    """

    def __init__(self, params: dict[str, Any]) -> None:
        self.timeout = float(params.pop("TIMEOUT", 5))
        super().__init__(params)

    def purge(self, url: str) -> None:
        """Wagtail's purge of one URL, within ``TIMEOUT``: Wagtail's own
        waits for as long as the edge does, and a reset connection ended the
        purges still to come."""
        self._purge_url(url)

    def purge_batch(self, urls: Iterable[str]) -> None:
        """Purge ``urls`` one by one. Once the edge lets a purge time out,
        each of the others would wait as long (a subtree's purges are
        thousands): they are logged as not sent."""
        urls = list(urls)
        for sent, url in enumerate(urls, start=1):
            if not self._purge_url(url) and sent < len(urls):
                logger.error(
                    "%s does not answer: %d more URLs not purged",
                    self.cache_netloc,
                    len(urls) - sent,
                )
                return

    def _purge_url(self, url: str) -> bool:
        parsed = urlsplit(url)
        host = parsed.hostname or ""
        if parsed.port:
            host += f":{parsed.port}"
        location = [self.cache_scheme, self.cache_netloc]
        request = PurgeRequest(
            url=urlunsplit([*location, parsed.path, parsed.query, parsed.fragment]),
            headers={"Host": host, "User-Agent": USER_AGENT},
        )
        return self._send(request, repr(url))

    def _send(self, request: PurgeRequest, what: str) -> bool:
        """Send one purge; an error or a silent edge is logged, never raised.
        False when the edge did not answer within ``TIMEOUT``."""
        try:
            # The scheme comes from the configured LOCATION, not from input.
            urlopen(request, timeout=self.timeout).close()  # noqa: S310
        except HTTPError as error:
            logger.error(
                "Couldn't purge %s from %s: HTTP %d %s",
                what,
                self.cache_netloc,
                error.code,
                error.reason,
            )
        except (URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            logger.error(
                "Couldn't purge %s from %s: %s", what, self.cache_netloc, reason
            )
            return not isinstance(reason, TimeoutError)
        except HTTPException as error:
            # An answer that is not HTTP (BadStatusLine…): not an OSError.
            logger.error(
                "Couldn't purge %s from %s: %r", what, self.cache_netloc, error
            )
        return True


class XkeyBackend(URLPurgeBackend):
    """:class:`URLPurgeBackend` plus purging by surrogate key (Varnish with
    deploy/varnish/'s VCL): ``TIMEOUT`` bounds each purge, by URL or by key.

    ``REPURGE_AFTER`` (seconds, default 0: off): send the same keys once
    more that much later, from a thread of their own. Varnish files a new
    answer under its keys (xkey learns of it as it is inserted) only after
    the VCL has checked that no purge came in during its fetch, so a purge
    that arrives in that gap misses an answer built before the change,
    which would then be served until its ``max-age`` ran out. The gap is
    Varnish's own work on one answer, short but longer on a loaded machine;
    the second purge closes it to ``REPURGE_AFTER``. The timer is not a
    daemon: a process that ends sooner (``publish_scheduled`` from cron, an
    import, a shell) waits for it before it exits, rather than leave the
    answer in place.
    """

    def __init__(self, params: dict[str, Any]) -> None:
        self.repurge_after = float(params.pop("REPURGE_AFTER", 0))
        super().__init__(params)

    def purge_keys(self, keys: Iterable[str]) -> None:
        headers = _header_values(keys)
        self._purge_key_headers(headers)
        if headers and self.repurge_after > 0:
            again = threading.Timer(
                self.repurge_after, self._purge_key_headers, [headers]
            )
            # Not a daemon: the interpreter waits for it at exit.
            again.daemon = False
            again.start()

    def _purge_key_headers(self, headers: list[str]) -> None:
        for header in headers:
            request = PurgeRequest(
                url=urlunsplit([self.cache_scheme, self.cache_netloc, "/", "", ""]),
                headers={PURGE_HEADER: header, "User-Agent": USER_AGENT},
            )
            self._send(request, f"keys {header!r}")


def _header_values(keys: Iterable[str]) -> list[str]:
    """The keys as few ``xkey-purge`` header values as fit Varnish's limit."""
    values: list[str] = []
    current = ""
    for key in dict.fromkeys(k for k in keys if k):
        if current and len(current) + 1 + len(key) > MAX_HEADER_LENGTH:
            values.append(current)
            current = ""
        current = f"{current} {key}" if current else key
    if current:
        values.append(current)
    return values


@from_settings
def configured() -> bool:
    """Is a front-end cache configured? By ``WAGTAILFRONTENDCACHE``, or by
    the older ``WAGTAILFRONTENDCACHE_LOCATION`` that Wagtail still reads (an
    HTTP purger): the club takes Wagtail's own purges off the signals
    (:func:`defer_wagtails_page_purges`) and must send them to either."""
    return bool(
        getattr(settings, "WAGTAILFRONTENDCACHE", None)
        or getattr(settings, "WAGTAILFRONTENDCACHE_LOCATION", None)
    )


@from_settings
def _backend_classes() -> dict[str, type | None]:
    """The configured backends' classes by name, read as Wagtail reads the
    settings, without building any: a backend checks its credentials as it
    is built (Cloudflare's raises without a token) and CloudFront's opens a
    client, and this is asked on every answer. None: an entry without a
    ``BACKEND`` or one that does not import as a class (Wagtail's purges
    fail on it and are logged; the club's answers must not): such an edge
    counts as purged by URL only, the safe side. Read once per settings."""
    backends = getattr(settings, "WAGTAILFRONTENDCACHE", None)
    if backends is None:
        if getattr(settings, "WAGTAILFRONTENDCACHE_LOCATION", None) is None:
            return {}
        return {"default": HTTPBackend}
    classes: dict[str, type | None] = {}
    for name, backend in backends.items():
        try:
            found = import_string(backend["BACKEND"])
        except (ImportError, KeyError, TypeError):
            found = None
        classes[name] = found if isinstance(found, type) else None
    return classes


def key_backends() -> list[XkeyBackend]:
    """The configured front-end cache backends that purge by key (only
    those are built)."""
    if not configured():
        return []
    names = [
        name
        for name, backend in _backend_classes().items()
        if backend is not None and issubclass(backend, XkeyBackend)
    ]
    if not names:
        return []
    return [
        b for b in get_backends(backends=names).values() if isinstance(b, XkeyBackend)
    ]


def purges_by_url_only() -> bool:
    """Is an edge configured that is purged by URL alone (any backend but
    :class:`XkeyBackend`: Cloudflare, a plain HTTP purger)? Such an edge can
    get a change's purge before a response built while the change committed,
    and keep that response (Varnish's VCL refuses to store it)."""
    if not configured():
        return False
    return any(
        backend is None or not issubclass(backend, XkeyBackend)
        for backend in _backend_classes().values()
    )


def purge_keys(keys: Iterable[str]) -> None:
    """Purge ``keys`` from every edge cache once the transaction commits.

    An outage of the edge is logged and never fails the change itself.
    """
    backends = key_backends()
    if not backends:
        return
    keys = list(keys)

    def purge() -> None:
        for backend in backends:
            try:
                backend.purge_keys(keys)
            except Exception:  # an edge outage must not undo a publish
                logger.exception("Could not purge keys from the edge cache")

    transaction.on_commit(purge)
