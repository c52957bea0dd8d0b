"""Runs inside Django (bench settings, scratch database): migrate, seed,
find which endpoints exist, count SQL queries per request, and write the
JSON the load runner reads. Started by ``python -m benchmarks run``."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROTATION = 100
#: Distinct search terms for the ``{terms}`` rows; more than a run sends.
SEARCH_TERMS = 5000


def main(reviews: int, out: Path, blob: Path, migrate: bool = True) -> None:
    import os

    import django

    os.environ["BENCH_BLOB_PATH"] = str(blob)

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from benchmarks.endpoints import CACHES_OFF_SETTINGS, ENDPOINTS, expand
    from benchmarks.migrate import migrate as migrated
    from benchmarks.seed import SEARCH_TERM, reveal_paths, search_terms, seed
    from reviews.models import ReviewPage

    def report(line: str) -> None:
        print(line, flush=True)

    timings: dict[str, float] = {}
    if migrate:
        start = time.perf_counter()
        how = migrated()
        timings["migrate"] = time.perf_counter() - start
        report(f"  migrate: {timings['migrate']:.1f} s" + (f" ({how})" if how else ""))
    start = time.perf_counter()
    timings |= seed(reviews, report=report)
    timings["seed_total"] = time.perf_counter() - start
    report(f"  seeded {reviews} reviews in {timings['seed_total']:.1f} s")

    reviews_qs = ReviewPage.objects.live().order_by("-first_published_at", "pk")
    sample = list(reviews_qs[:ROTATION])
    ids = [page.pk for page in sample]
    urls = [page.url for page in sample]
    terms = search_terms(SEARCH_TERMS)
    reveals = reveal_paths(sample)
    any_ids, any_urls = long_tail()
    from benchmarks.edge import club_for_writes

    writes = club_for_writes()

    client = Client()
    endpoints = []
    # ``--only``: the other rows are not measured, so not probed either.
    only = {key for key in os.environ.get("BENCH_ONLY", "").split(",") if key}
    for endpoint in ENDPOINTS:
        if only and endpoint.key not in only:
            continue
        row = {
            "key": endpoint.key,
            "label": endpoint.label,
            "kind": endpoint.kind,
            "cached": endpoint.cached,
            "fresh": endpoint.fresh,
            "fresh_start": endpoint.fresh_start,
            "via": endpoint.via,
            "writes": endpoint.writes,
            "warm_of": endpoint.warm_of,
        }
        switch = override_settings(**({} if endpoint.cached else CACHES_OFF_SETTINGS))
        for template in endpoint.candidates:
            paths = expand(
                template,
                ids=ids,
                urls=urls,
                term=SEARCH_TERM,
                terms=terms,
                reveals=reveals,
                any_ids=any_ids,
                any_urls=any_urls,
            )
            if template == "{hot}":
                paths = [path for path in paths if client.get(path).status_code == 200]
            if not paths:
                continue
            response = client.get(paths[0])
            if response.status_code != 200:
                continue
            if endpoint.key == "v2_list":
                blob.write_bytes(response.content)
            # Cold: nothing cached (the site's own caches emptied); warm: the
            # same request again, as gunicorn's warm workers mostly see it.
            cache.clear()
            with switch, CaptureQueriesContext(connection) as cold:
                client.get(paths[0])
            with switch, CaptureQueriesContext(connection) as queries:
                response = client.get(paths[0])
            row |= {
                "template": template,
                "paths": paths,
                "queries_cold": len(cold.captured_queries),
                "queries": len(queries.captured_queries),
                "bytes": len(response.content),
                "status": response.status_code,
            }
            if endpoint.key == "html_review":
                row["writes_per_100_views"] = _writes_per_100(client, paths[0])
            break
        endpoints.append(row)
        shown = f"{row['queries_cold']}/{row['queries']}" if "queries" in row else "n/a"
        report(f"  {endpoint.key}: {row.get('template', 'n/a')} queries={shown}")
    out.write_text(
        json.dumps(
            {
                "reviews": reviews,
                "timings": timings,
                "endpoints": endpoints,
                "vendor": connection.vendor,
                "writes": writes,
            },
            indent=2,
        )
    )


def long_tail(rng_seed: int = 3) -> tuple[list[int], list[str]]:
    """Every live review's id and path, in one fixed shuffled order."""
    import random

    from wagtail.models import Site

    from reviews.models import ReviewPage

    root = Site.objects.get(is_default_site=True).root_page.url_path
    rows = list(ReviewPage.objects.live().order_by("pk").values_list("pk", "url_path"))
    random.Random(rng_seed).shuffle(rows)
    return [pk for pk, _ in rows], ["/" + path[len(root) :] for _, path in rows]


def _writes_per_100(client, path: str) -> int:
    """View counting must not write to the database on every request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        for _ in range(100):
            client.get(path)
    return sum(
        1
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
