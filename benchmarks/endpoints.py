"""What the benchmark measures. Data, not code: add a row to measure a new
endpoint. Each endpoint lists candidate paths; the first that answers 200
is used, and an endpoint none of whose candidates answers shows "n/a"
(e.g. the club's v3 routers before they exist).

Placeholders: ``{id}`` a review id, ``{url}`` a review's path (both from
the 100 newest reviews), ``{any_id}``/``{any_url}`` the same for every
review in a fixed shuffled order (the long tail), ``{hot}`` the hot set
(:data:`HOT_PATHS`), ``{term}``
the search term the seed put in some summaries, ``{terms}`` one of many
distinct search terms (the seeded books' titles), ``{reveal}`` the reveal
endpoint of one spoiler block of a review (what the reveal script fetches).
Endpoints with ``{id}``, ``{url}``, ``{terms}`` or ``{reveal}`` rotate
through many paths under load.

A ``fresh`` endpoint never repeats a path within a run (the load driver gives
every request the next unused one, across warm-up and rounds): the API keeps
anonymous responses in a server-side cache, so repeating a search would
measure the cache, not the search.

Rows with ``cached=False`` are served by a second gunicorn running the same
code with the club's API response and page caches turned off
(``CACHES_OFF_ENV``): what a request costs when nothing has been cached yet,
next to what a cached one costs.

``via`` says who answers: the club's gunicorn (``app``), the bare WSGI app
under the same gunicorn settings (``bare``, the physical limit), the bare app
that also reads a hit's tag versions (``bare_versions``), the club's code
with no middleware (``django_bare``) or with only Django's and the
libraries' middleware (``django_libraries``), or Varnish
with deploy/varnish/bookclub.vcl in front of the club's gunicorn
(``varnish``). ``writes`` rows run a writer beside the load: one comment,
one vote, one RSVP and one publish a second, each checked right away
through the same address for content older than the change. A ``warm_of``
row is measured after the others, over the paths its cold row reached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote_plus

V2_FIELDS = "type=reviews.ReviewPage&fields=*&limit=20"

#: The hot set: lists, the home page, the review index, series, books,
#: discussions (what the issue measured as "7 hot URLs").
HOT_PATHS = (
    "/",
    f"/api/v2/pages/?{V2_FIELDS}",
    "/api/v3/reviews/?limit=20",
    "/reviews/",
    "/series/",
    "/api/v3/books/?limit=20",
    "/discussions/",
)

#: The environment of the "caches off" server, and the same as settings for
#: counting its queries in-process.
CACHES_OFF_ENV = {"BOOKCLUB_API_RESPONSE_CACHE": "0", "BOOKCLUB_PAGE_CACHE": "0"}
CACHES_OFF_SETTINGS = {name: False for name in CACHES_OFF_ENV}


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    candidates: tuple[str, ...]
    #: "club" rows are compared with the two baselines.
    kind: str = "club"
    notes: str = ""
    extra: dict = field(default_factory=dict)
    fresh: bool = False
    #: Where in the paths a fresh rotation starts (a fraction), so that the
    #: cold long-tail rows of v2, v3 and HTML visit different reviews.
    fresh_start: float = 0.0
    #: False: measured on the server with the club's response caches off.
    cached: bool = True
    via: str = "app"
    writes: bool = False
    #: The key of the cold row whose reached paths this warm row rotates over.
    warm_of: str = ""


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "v2_list",
        "v2 review list (20, all fields)",
        (f"/api/v2/pages/?{V2_FIELDS}",),
    ),
    Endpoint(
        "v3_list",
        "v3 club review list (20)",
        ("/api/v3/reviews/?limit=20", "/api/v3/reviews?limit=20"),
    ),
    Endpoint(
        "v3_pages_list",
        "v3 Wagtail pages list (20, base fields)",
        ("/api/v3/pages/?type=reviews.ReviewPage&limit=20",),
    ),
    Endpoint("v2_detail", "v2 review detail", ("/api/v2/pages/{id}/",)),
    Endpoint(
        "v3_detail",
        "v3 club review detail",
        ("/api/v3/reviews/{id}/", "/api/v3/reviews/{id}"),
    ),
    Endpoint("html_review", "review HTML page", ("{url}",)),
    # Compare with v3_detail: a reveal must cost no more than a review detail.
    Endpoint("reveal", "reveal one spoiler (HTML fragment)", ("{reveal}",)),
    Endpoint(
        "search",
        "search (v2 search=)",
        ("/api/v2/pages/?type=reviews.ReviewPage&search={term}&limit=20",),
    ),
    Endpoint("search_html", "search HTML page", ("/search/?q={term}",)),
    Endpoint(
        "search_terms",
        "search (v2, a new book title each, uncached)",
        ("/api/v2/pages/?type=reviews.ReviewPage&search={terms}&limit=20",),
        fresh=True,
    ),
    Endpoint(
        "search_html_terms",
        "search HTML page (a new book title each)",
        ("/search/?q={terms}",),
        fresh=True,
    ),
    Endpoint("home", "home page", ("/",)),
    Endpoint(
        "v2_list_off",
        "v2 review list (20, all fields), caches off",
        (f"/api/v2/pages/?{V2_FIELDS}",),
        cached=False,
    ),
    Endpoint(
        "v3_list_off",
        "v3 club review list (20), caches off",
        ("/api/v3/reviews/?limit=20",),
        cached=False,
    ),
    Endpoint(
        "v2_detail_off",
        "v2 review detail, caches off",
        ("/api/v2/pages/{id}/",),
        cached=False,
    ),
    Endpoint(
        "v3_detail_off",
        "v3 club review detail, caches off",
        ("/api/v3/reviews/{id}/",),
        cached=False,
    ),
    Endpoint(
        "html_review_off",
        "review HTML page, caches off",
        ("{url}",),
        cached=False,
    ),
    Endpoint(
        "reveal_off",
        "reveal one spoiler (HTML fragment), caches off",
        ("{reveal}",),
        cached=False,
    ),
    Endpoint("home_off", "home page, caches off", ("/",), cached=False),
    Endpoint("hot", "hot set: 7 URLs in turn", ("{hot}",)),
    Endpoint(
        "hot_writes",
        "hot set + 1 comment, vote, RSVP, publish /s",
        ("{hot}",),
        writes=True,
    ),
    Endpoint(
        "tail_v2_cold",
        "long tail: v2 detail, any review, cold",
        ("/api/v2/pages/{any_id}/",),
        fresh=True,
    ),
    Endpoint(
        "tail_v3_cold",
        "long tail: v3 detail, any review, cold",
        ("/api/v3/reviews/{any_id}/",),
        fresh=True,
        fresh_start=1 / 3,
    ),
    Endpoint(
        "tail_html_cold",
        "long tail: review HTML, any review, cold",
        ("{any_url}",),
        fresh=True,
        fresh_start=2 / 3,
    ),
    Endpoint(
        "tail_v2_warm",
        "long tail: v2 detail, the same reviews, warm",
        ("/api/v2/pages/{any_id}/",),
        warm_of="tail_v2_cold",
    ),
    Endpoint(
        "tail_v3_warm",
        "long tail: v3 detail, the same reviews, warm",
        ("/api/v3/reviews/{any_id}/",),
        warm_of="tail_v3_cold",
    ),
    Endpoint(
        "tail_html_warm",
        "long tail: review HTML, the same reviews, warm",
        ("{any_url}",),
        warm_of="tail_html_cold",
    ),
    Endpoint(
        "edge_hot",
        "Varnish: hot set",
        ("{hot}",),
        via="varnish",
    ),
    Endpoint(
        "edge_hot_writes",
        "Varnish: hot set + the same writes",
        ("{hot}",),
        via="varnish",
        writes=True,
    ),
    Endpoint(
        "stock_v2_detail",
        "baseline: stock Wagtail v2 detail, any review",
        ("/bench/stock/v2/pages/{any_id}/",),
        kind="stock_detail",
    ),
    Endpoint(
        "stock_v2_list",
        "baseline: stock Wagtail v2 list (20, all fields)",
        (f"/bench/stock/v2/pages/?{V2_FIELDS}",),
        kind="stock",
    ),
    Endpoint(
        "static",
        "baseline: static JSON of the same size",
        ("/bench/static.json",),
        kind="static",
    ),
    Endpoint(
        "bare",
        "baseline: bare WSGI app, the same bytes",
        ("/bench/static.json",),
        kind="bare",
        via="bare",
    ),
    # Ceilings between the bare app and the club's stack, each adding one
    # cost (see docs/performance.md): the read of a hit's tag versions
    # outside Django, Django's handler with no middleware, with only the
    # middleware of Django and the libraries, and no middleware + the read.
    Endpoint(
        "bare_versions",
        "ceiling: bare WSGI app + a hit's version read",
        ("/bench/static.json",),
        kind="ceiling",
        via="bare_versions",
    ),
    Endpoint(
        "django_bare",
        "ceiling: Django's handler, no middleware",
        ("/bench/static.json",),
        kind="ceiling",
        via="django_bare",
    ),
    Endpoint(
        "django_libraries",
        "ceiling: Django's + libraries' middleware only",
        ("/bench/static.json",),
        kind="ceiling",
        via="django_libraries",
    ),
    Endpoint(
        "django_versions",
        "ceiling: no middleware + the version read",
        ("/bench/versions.json",),
        kind="ceiling",
        via="django_bare",
    ),
)


def expand(
    template: str,
    *,
    ids: list[int],
    urls: list[str],
    term: str,
    terms: list[str] | None = None,
    reveals: list[str] | None = None,
    any_ids: list[int] | None = None,
    any_urls: list[str] | None = None,
) -> list[str]:
    """The concrete paths a template stands for, in rotation order."""
    if template == "{hot}":
        return list(HOT_PATHS)
    if "{any_id}" in template:
        return [template.replace("{any_id}", str(pk)) for pk in any_ids or ids]
    if "{any_url}" in template:
        return [template.replace("{any_url}", url) for url in any_urls or urls]
    if "{reveal}" in template:
        return list(reveals or [])
    if "{terms}" in template:
        return [template.replace("{terms}", quote_plus(t)) for t in terms or [term]]
    if "{id}" in template:
        return [template.replace("{id}", str(pk)) for pk in ids]
    if "{url}" in template:
        return [template.replace("{url}", url) for url in urls]
    return [template.replace("{term}", term)]
