"""What each hot URL costs to rebuild right after a review is published.

A publish must never be served late, so the readers of the listings it
retires wait for one rebuild of each (``reviews.response_cache``): under
writes, the hot set's throughput and p99 follow these rebuilds. Run in
process against a database ``benchmarks run --keep`` seeded, with the
benchmark's settings::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bookclub_bench \\
        .venv/bin/python -m benchmarks run --database postgresql --reviews 20000 \\
        --only bare --duration 1 --keep
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bookclub_bench \\
        .venv/bin/python -m benchmarks rebuilds

For each of ``rounds`` recently published reviews it publishes a new
revision of it (what an editor's publish of an edit does, the benchmark's
mixed load too), then requests each hot URL once: the time, the time in SQL,
the query count, and the slowest queries over all rounds.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from .endpoints import HOT_PATHS


@dataclass
class Rebuild:
    path: str
    status: list[int] = field(default_factory=list)
    total_ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)


def measure(rounds: int = 3) -> tuple[list[Rebuild], Counter[tuple[str, str]]]:
    """Each hot URL's rebuilds, and the SQL (by URL and statement, cut to 200
    characters) by milliseconds spent in it, over ``rounds`` publishes."""
    from django.db import connection
    from django.test import Client

    from reviews.models import ReviewPage

    client = Client(HTTP_HOST="127.0.0.1")
    for path in HOT_PATHS:  # warm: what a publish does not retire stays kept
        client.get(path)
    rebuilds = [Rebuild(path) for path in HOT_PATHS]
    statements: Counter[tuple[str, str]] = Counter()
    published = ReviewPage.objects.live().order_by("-first_published_at")[:rounds]
    for page in published:
        page.save_revision().publish()
        for rebuild in rebuilds:
            timed: list[tuple[float, str]] = []

            def timing(execute, sql, params, many, context, timed=timed):
                started = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    timed.append((time.perf_counter() - started, sql))

            started = time.perf_counter()
            with connection.execute_wrapper(timing):
                response = client.get(rebuild.path)
            rebuild.total_ms.append((time.perf_counter() - started) * 1000)
            rebuild.status.append(response.status_code)
            rebuild.sql_ms.append(sum(seconds for seconds, _ in timed) * 1000)
            rebuild.queries.append(len(timed))
            for seconds, sql in timed:
                statements[(rebuild.path, sql[:200])] += seconds * 1000
    return rebuilds, statements


def main(rounds: int) -> int:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookclub.settings.bench")
    if not os.environ.get("DATABASE_URL"):
        print("Set DATABASE_URL to the database `benchmarks run --keep` seeded.")
        return 2
    django.setup()
    rebuilds, statements = measure(rounds)
    print("| URL | status | ms | ms in SQL | queries |")
    print("|---|---|---|---|---|")
    for rebuild in rebuilds:
        print(
            f"| `{rebuild.path}` | {', '.join(map(str, sorted(set(rebuild.status))))} "
            f"| {' / '.join(f'{ms:.0f}' for ms in rebuild.total_ms)} "
            f"| {' / '.join(f'{ms:.0f}' for ms in rebuild.sql_ms)} "
            f"| {max(rebuild.queries, default=0)} |"
        )
    print("\nSlowest SQL, summed over the rounds:")
    for (path, sql), ms in statements.most_common(10):
        print(f"{ms:8.1f} ms  {path}  {sql}")
    return 0
