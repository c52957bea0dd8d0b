"""``python -m benchmarks profile``: what one request costs inside the
Django stack, counted rather than timed.

Seeds a scratch database (SQLite in a temp dir, or the PostgreSQL database
``DATABASE_URL`` names if it is a scratch one), then, in a fresh process
with the benchmark's settings (production behaviour), sends each row's
request through the WSGI application many times, in-process, anonymously,
after one warm-up request, and reports per request:

* SQL queries and cache operations (each a round trip with Redis);
* on a PostgreSQL server on this machine, the CPU time its backend spent
  per request (what the database's side of the round trips costs);
* with ``--callgrind``, CPU instructions, counted by valgrind: the same
  requests are sent twice as many times in a second run, and the
  difference is divided by the extra requests, so start-up cancels out.
  Instruction counts do not move with the load of a shared machine;
* with ``--cprofile``, where the time goes, by package and by function.

Rows: ``static`` (the benchmark's fixed bytes through every middleware),
``v2_list`` and ``home`` (a cached hit of the v2 list and of the home
page), ``login`` (a page that is never shared), and the long tail cold:
``tail_v2_cold`` and ``tail_v3_cold`` (a review detail never asked for
before: each request, warm-up included, names a review no other request of
the run names, and the cache is emptied before the rows) beside
``stock_v2_detail`` (stock Wagtail's v2 detail, which keeps nothing).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .counting import (
    callgrind_prefix,
    counted_window,
    cprofile_report,
    total_instructions,
)
from .endpoints import V2_FIELDS
from .runtime import ROOT, base_env, recreate_postgres, run_django

ROWS: dict[str, str] = {
    "static": "/bench/static.json",
    "v2_list": f"/api/v2/pages/?{V2_FIELDS}",
    "home": "/",
    "login": "/accounts/login/",
    "tail_v2_cold": "/api/v2/pages/{id}/",
    "tail_v3_cold": "/api/v3/reviews/{id}/",
    "stock_v2_detail": "/bench/stock/v2/pages/{id}/",
}
#: Rows whose every request names a review of its own, never asked for before.
COLD = frozenset({"tail_v2_cold", "tail_v3_cold", "stock_v2_detail"})
CACHE_OPERATIONS = (
    "get",
    "get_many",
    "set",
    "set_many",
    "add",
    "delete",
    "delete_many",
    "incr",
    "touch",
    "has_key",
)


def main(args) -> int:
    rows = [row for row in args.rows.split(",") if row]
    unknown = set(rows) - set(ROWS)
    if unknown:
        print(f"unknown rows: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    # Each cold request names a review no other request names (see
    # _review_ids): say so before seeding, not after.
    cold = len(COLD.intersection(rows))
    need = cold * (2 + args.requests * (2 if args.cprofile else 1))
    if need > args.reviews:
        print(
            f"{cold} cold rows of {args.requests} requests need at least {need} "
            f"reviews; seed more (--reviews {need * 2})",
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory(prefix="bookclub-profile-") as workdir:
        work = Path(workdir)
        database_url = os.environ.get("DATABASE_URL", "")
        if database_url.startswith("postgres"):
            recreate_postgres(database_url)
        else:
            database_url = f"sqlite:///{work / 'profile.sqlite3'}"
        extra = {
            "BENCH_BLOB_PATH": str(work / "blob.json"),
            "STATIC_ROOT": str(work / "static"),
            "PYTHONHASHSEED": "0",
        }
        if args.redis_url:
            import redis

            redis.Redis.from_url(args.redis_url).flushdb()
            extra["REDIS_URL"] = args.redis_url
        env = base_env(database_url, **extra)
        print(f"seeding {args.reviews} reviews …", flush=True)
        run_django(["-m", "benchmarks.profile", "prepare", str(args.reviews)], env)
        out = work / "counted.json"
        command = ["-m", "benchmarks.profile", "measure", args.rows]
        command += [str(args.requests), str(out)]
        try:
            run_django([*command, *(["--cprofile"] if args.cprofile else [])], env)
        except subprocess.CalledProcessError as error:
            # The measuring process said why (too few reviews for the cold
            # rows, a row that failed); a traceback here would add nothing.
            return error.returncode or 1
        results = json.loads(out.read_text())
        if args.callgrind:
            for row, instructions in _instructions(env, work, command).items():
                results[row]["instructions"] = instructions
        _print_table(results)
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


def _instructions(env: dict[str, str], work: Path, command: list[str]) -> dict:
    """Instructions per request of each row, counted by callgrind in the
    measured stretches only (start-up and warm-up requests excluded)."""
    log = work / "callgrind.out"
    subprocess.run(
        [*callgrind_prefix(log), sys.executable, *command, "--callgrind"],
        cwd=ROOT,
        env=env | {"BENCH_CALLGRIND_OUT": str(log)},
        check=True,
        stderr=subprocess.DEVNULL,
        timeout=3600,
    )
    requests = int(command[4])
    dumps = json.loads(Path(command[5]).read_text())
    return {
        row: total_instructions(Path(dump)) / requests for row, dump in dumps.items()
    }


def _print_table(results: dict[str, dict]) -> None:
    print()
    print(
        "| row | path | status | SQL queries | cache operations | instructions"
        " | database CPU |"
    )
    print("|---|---|---|---|---|---|---|")
    for row, counted in results.items():
        instructions = counted.get("instructions")
        shown = f"{instructions / 1000:,.0f} k" if instructions else "—"
        server = counted.get("database_cpu_us")
        server_shown = f"{server:,.0f} µs" if server is not None else "—"
        operations = ", ".join(
            f"{name} {count:g}" for name, count in counted["cache"].items()
        )
        print(
            f"| {row} | `{ROWS[row]}` | {counted['status']} | "
            f"{counted['queries']:g} | {operations or '0'} | {shown} | {server_shown} |"
        )
    for row, counted in results.items():
        if counted.get("profile"):
            print(f"\n{row}: where the time goes, per package (cProfile)\n")
            print(counted["profile"])


# -- inside Django -----------------------------------------------------------


def prepare(reviews: int) -> None:
    import django

    django.setup()
    from django.test import Client

    from benchmarks.migrate import migrate
    from benchmarks.seed import seed

    migrate()
    seed(reviews, report=lambda line: None)
    response = Client().get(ROWS["v2_list"])
    Path(os.environ["BENCH_BLOB_PATH"]).write_bytes(response.content)


def _environ(path: str) -> dict:
    import io

    path_info, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT": "*/*",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def measure(
    rows: list[str], requests: int, out: Path, *, callgrind: bool, cprofile: bool
) -> None:
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    results: dict[str, Any] = {}
    fresh = _review_ids(rows, 2 + requests * (2 if cprofile else 1))
    for row in rows:
        statuses: list[str] = []

        def start_response(status, headers, exc_info=None):
            statuses.append(status)  # noqa: B023

        ids = fresh.get(row)

        def one_request(template: str = ROWS[row], ids=ids) -> None:
            path = template.replace("{id}", str(next(ids))) if ids else template
            body = application(_environ(path), start_response)  # noqa: B023
            try:
                for _chunk in body:
                    pass
            finally:
                close = getattr(body, "close", None)
                if close:
                    close()

        one_request()  # warm: imports, templates, the cached copy
        one_request()
        if callgrind:

            def run(one_request=one_request) -> None:
                for _ in range(requests):
                    one_request()

            results[row] = counted_window(run)
            continue
        results[row] = _count(one_request, requests) | {"status": statuses[-1]}
        if cprofile:
            results[row]["profile"] = _cprofile(one_request, requests)
    out.write_text(json.dumps(results, indent=2))


def _review_ids(rows: list[str], each: int) -> dict[str, Any]:
    """For each cold row, an iterator over review ids no other row uses,
    with the cache emptied: another process of this run (the count before
    valgrind's) may have kept what these requests build."""
    cold = [row for row in rows if row in COLD]
    if not cold:
        return {}
    from django.core.cache import cache

    from reviews.models import ReviewPage

    cache.clear()
    ids = list(
        ReviewPage.objects.live().public().order_by("pk").values_list("pk", flat=True)
    )
    share = len(ids) // len(cold)
    if share < each:
        raise SystemExit(
            f"{len(cold)} cold rows of {each} requests need {each * len(cold)} "
            f"reviews; seed more (--reviews)"
        )
    return {row: iter(ids[i * share : (i + 1) * share]) for i, row in enumerate(cold)}


def _count(one_request, requests: int) -> dict:
    """SQL queries and cache operations per request."""
    from django.core.cache import caches
    from django.db import connection

    queries: list[str] = []
    operations: dict[str, int] = {}
    backend = caches["default"]

    def counting(name: str):
        original = getattr(backend, name)

        def call(*args, **kwargs):
            operations[name] = operations.get(name, 0) + 1
            return original(*args, **kwargs)

        return call

    for name in CACHE_OPERATIONS:
        setattr(backend, name, counting(name))

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    server_before = _server_cpu_ns(connection)
    try:
        with connection.execute_wrapper(record):
            for _ in range(requests):
                one_request()
    finally:
        for name in CACHE_OPERATIONS:
            delattr(backend, name)
    server_after = _server_cpu_ns(connection)
    counted: dict[str, Any] = {
        "queries": len(queries) / requests,
        "cache": {name: n / requests for name, n in sorted(operations.items())},
        "sql": sorted({sql[:120] for sql in queries}),
    }
    if server_before is not None and server_after is not None:
        counted["database_cpu_us"] = (server_after - server_before) / requests / 1000
    return counted


def _server_cpu_ns(connection) -> int | None:
    """Nanoseconds the PostgreSQL backend serving ``connection`` has spent on
    a CPU (``/proc/<pid>/schedstat``), where the server runs on this machine;
    ``None`` for SQLite or a server elsewhere. The query that asks for the
    pid runs between the two readings' requests, not inside them."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/schedstat") as stat:
            return int(stat.read().split()[0])
    except OSError:
        return None


def _cprofile(one_request, requests: int) -> str:
    """Own time by package, then the functions that cost most in all."""

    def run() -> None:
        for _ in range(requests):
            one_request()

    return cprofile_report(run, 40)[1]


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "prepare":
        prepare(int(sys.argv[2]))
    elif command == "measure":
        measure(
            sys.argv[2].split(","),
            int(sys.argv[3]),
            Path(sys.argv[4]),
            callgrind="--callgrind" in sys.argv,
            cprofile="--cprofile" in sys.argv,
        )
