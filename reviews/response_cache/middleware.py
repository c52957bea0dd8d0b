"""The one lookup, build and serve path of the shared copies, for every kind.

A request of a kind (:mod:`.pages`, :mod:`.api`) that its policy gives a key
is answered from the fresh shared copy under that key if there is one
(:func:`reviews.response_cache.store.find`), else built by one client at a
time (:func:`reviews.response_cache.builds.build_once`) and kept if the
policy shares the response. Any other request goes through untouched, but
for what the policy adds to every response of its kind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from . import builds, store
from .api import API
from .pages import PAGES
from .policy import Policy, for_edges, members_copy

#: At DEBUG, one line for each miss of a shared copy: whether this request
#: built it, took the copy another client built meanwhile, or was served
#: the late copy (``path``: the request's). What ``benchmarks workers``
#: counts to tell rebuilds from waits; off (WARNING) unless asked for.
logger = logging.getLogger(__name__)
BUILT = "shared copy built"
TAKEN = "shared copy taken from another build"
LATE = "late copy served during another build"


def _log_miss(request: HttpRequest, what: str) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(what, extra={"path": request.get_full_path()})


class ResponseCacheMiddleware:
    """Serves and stores the shared copies of the kinds in :attr:`policies`;
    the first policy that applies to a request decides for it.

    Sits before the session, CORS, CSRF, authentication, messages and
    clickjacking middleware, right after Django's ``SecurityMiddleware``
    (and WhiteNoise): a request that may get a shared copy has no session,
    no message and no token (the policies' keys), so a hit needs none of
    them and skips their cost. A copy is stored as it leaves them all, so a
    hit carries exactly the headers the full stack gave (``Vary``,
    ``X-Frame-Options``, ``Content-Length``, CORS for the key's origin),
    and whatever they added that makes a response personal (a CSRF or
    session cookie, a queued message) keeps it from being stored;
    ``SecurityMiddleware`` adds its own headers to both alike. On the way
    out it sees the response after :class:`reviews.middleware.ReaderMiddleware`
    marked it private because it depended on the reader, and says last
    which edge caches may keep it (:func:`.policy.for_edges`).
    """

    policies: tuple[Policy, ...] = (API, PAGES)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return for_edges(request, self._respond(request))

    def _respond(self, request: HttpRequest) -> HttpResponseBase:
        policy = next((p for p in self.policies if p.applies(request)), None)
        if policy is None:
            return members_copy(request, self.get_response(request))
        key = policy.key(request)
        if key is None:
            return self._unshared(request, policy)
        may_store = policy.may_store(request)
        if may_store:
            # A miss takes the build lock in the same round trip.
            entry, late, lock = builds.find_or_lock(key)
        else:
            (entry, late), lock = store.find(key), None
        if entry is None:
            if not may_store:
                return self._unshared(request, policy)
            built = builds.build_once(
                key,
                self._build(request, policy),
                policy.timeout(),
                late,
                tags=store.route_tags(request),
                lock=lock,
            )
            # A streamed file (FileResponse) is no HttpResponse: test for the entry.
            if not isinstance(built, store.Entry):
                _log_miss(request, BUILT)
                return built
            _log_miss(request, LATE if built.late else TAKEN)
            entry = built
        policy.served(entry)
        return policy.conditional(request, policy.copy(request, entry))

    def _unshared(self, request: HttpRequest, policy: Policy) -> HttpResponseBase:
        """The full stack's response to a request that gets no shared copy;
        one that may still go out public is built as a shared one is
        (:func:`reviews.response_cache.builds.build_unshared`)."""
        if not policy.public_unshared(request):
            return policy.unshared(request, self.get_response(request))
        return builds.build_unshared(
            request,
            lambda: for_edges(request, self.get_response(request)),
            lambda response: policy.unshared(request, response),
        )

    def _build(self, request: HttpRequest, policy: Policy) -> store.Build:
        def build(reading: store.Reading) -> store.Built:
            response = self.get_response(request)
            if not policy.shareable(request, response):
                return policy.unshared(request, response), None
            assert isinstance(response, HttpResponse)  # noqa: S101 (shareable says)
            tags = store.tags_of(request)
            policy.publish(response, tags)
            entry = builds.freeze(
                response, tags, reading, policy.counted_view(response)
            )
            # Marked for the edges before the build is checked for them: one
            # that no edge may keep needs no check.
            return for_edges(request, policy.conditional(request, response)), entry

        return build
