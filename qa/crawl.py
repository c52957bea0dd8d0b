"""Find one URL of every page type the site serves, by crawling it.

The HTML gates check "every page type", and a new page type must not slip
past them because nobody added it to a list: so the list is made by
following links from the home page, in-process with Django's test client,
as the reader given. A page type is a Wagtail page class (``ReviewPage``),
or the name of the URL pattern of any other view (``reviews:search``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urldefrag, urlsplit

from django.http import Http404
from django.test import Client
from django.urls import Resolver404, resolve
from wagtail.models import Site

#: Paths that are not pages for readers, or not HTML.
SKIPPED_PREFIXES = (
    "/admin/",
    "/api/",
    "/documents/",
    "/media/",
    "/static/",
    "/accounts/logout/",
)
SKIPPED_SUFFIXES = (".xml", ".ics", ".csv", ".json", ".txt", ".ico", ".svg")
#: Pages no link leads to, and states worth checking on their own.
EXTRA_PATHS = ("/search/?q=siege", "/no-such-page/", "/club/join/not-a-token/")
MAX_REQUESTS = 400
_HREF = re.compile(r'href="(/[^"#]*)')


def page_type(path: str, response) -> str:
    """What kind of page ``response`` is: its Wagtail page class, its URL
    pattern's name, or ``not-found``."""
    if response.status_code == 404:
        return "not-found"
    page = response.context.get("page") if response.context else None
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return "not-found"
    if page is None and match.url_name == "wagtail_serve":
        page = _routed_page(response.wsgi_request, urlsplit(path).path)
    if page is not None and hasattr(page, "specific_class"):
        return page.specific_class.__name__
    return match.view_name


def _routed_page(request, path: str):
    """The page Wagtail serves at ``path``, for a response that came from the
    page cache and so rendered no template to read it from."""
    site = Site.find_for_request(request)
    if site is None:
        return None
    components = [part for part in path.split("/") if part]
    try:
        return site.root_page.specific.route(request, components).page
    except Http404:
        return None


def _followable(path: str) -> bool:
    bare = urlsplit(path).path
    return not bare.startswith(SKIPPED_PREFIXES) and not bare.endswith(SKIPPED_SUFFIXES)


def page_types(client: Client, start: Iterable[str] = ("/",)) -> dict[str, str]:
    """``{page type: the first path found of it}`` for the pages ``client``
    can reach from ``start`` (plus :data:`EXTRA_PATHS`)."""
    queue = [*start, *EXTRA_PATHS]
    seen: set[str] = set(queue)
    found: dict[str, str] = {}
    requests = 0
    while queue and requests < MAX_REQUESTS:
        path = queue.pop(0)
        requests += 1
        response = client.get(path)
        if response.status_code not in (200, 404):
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        found.setdefault(page_type(path, response), path)
        if response.status_code != 200:
            continue
        html = response.content.decode(response.charset or "utf-8", "replace")
        for href in _HREF.findall(html):
            link = urldefrag(href.replace("&amp;", "&"))[0]
            # Query strings make new states (filters, pages of a list), not
            # new page types; the page itself is enough.
            link = link.split("?", 1)[0] if link not in EXTRA_PATHS else link
            if link not in seen and _followable(link):
                seen.add(link)
                queue.append(link)
    return found
