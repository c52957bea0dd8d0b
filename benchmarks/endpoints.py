"""What the benchmark measures. Data, not code: add a row to measure a new
endpoint. Each endpoint lists candidate paths; the first that answers 200
is used, and an endpoint none of whose candidates answers shows "n/a"
(e.g. the club's v3 routers before they exist).

Placeholders: ``{id}`` a review id, ``{url}`` a review's path, ``{term}``
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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote_plus

V2_FIELDS = "type=reviews.ReviewPage&fields=*&limit=20"

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
    #: False: measured on the server with the club's response caches off.
    cached: bool = True


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
)


def expand(
    template: str,
    *,
    ids: list[int],
    urls: list[str],
    term: str,
    terms: list[str] | None = None,
    reveals: list[str] | None = None,
) -> list[str]:
    """The concrete paths a template stands for, in rotation order."""
    if "{reveal}" in template:
        return list(reveals or [])
    if "{terms}" in template:
        return [template.replace("{terms}", quote_plus(t)) for t in terms or [term]]
    if "{id}" in template:
        return [template.replace("{id}", str(pk)) for pk in ids]
    if "{url}" in template:
        return [template.replace("{url}", url) for url in urls]
    return [template.replace("{term}", term)]
