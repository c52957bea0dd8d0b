"""``python -m benchmarks run``: seed, serve with gunicorn, load, report."""

from __future__ import annotations

import json
import os
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from .endpoints import CACHES_OFF_ENV
from .load import LoadResult, run_requests
from .runtime import (
    ROOT,
    Gunicorn,
    Varnish,
    base_env,
    drop_postgres,
    machine_facts,
    recreate_postgres,
    run_django,
)
from .summary import add_ratios, format_table, ms
from .writer import WriteLog, Writer
from .wrk import ensure_wrk, run_wrk

RESULTS = ROOT / "benchmarks" / "results"


@dataclass
class Options:
    sizes: list[int]
    duration: float
    warmup: float
    rounds: int
    concurrency: int
    workers: int
    databases: list[str]
    postgres_url: str | None
    redis_url: str | None
    keep: bool
    only: set[str] | None = None
    #: Instead of wrk's load for ``duration``: this many requests a row, one
    #: at a time (a check that every row answers, not a measure).
    requests: int = 0


def measure_size(options: Options, database: str, reviews: int, workdir: Path):
    if database == "postgresql":
        url = options.postgres_url
        recreate_postgres(url)
    else:
        url = f"sqlite:///{workdir / f'bench-{reviews}.sqlite3'}"
    blob = workdir / f"blob-{database}-{reviews}.json"
    prepared_path = workdir / f"prepared-{database}-{reviews}.json"
    extra = {"BENCH_BLOB_PATH": str(blob), "STATIC_ROOT": str(workdir / "static")}
    if options.only:
        # The static row's bytes are the v2 list's: probe it whatever is asked.
        extra["BENCH_ONLY"] = ",".join(sorted(options.only | {"v2_list"}))
    if options.redis_url:
        import redis

        # A scratch database: what the last run cached would be stale here.
        redis.Redis.from_url(options.redis_url).flushdb()
        extra["REDIS_URL"] = options.redis_url
    env = base_env(url, **extra)
    print(f"\n== {database}: seeding {reviews:,} reviews", flush=True)
    run_django(
        ["-m", "benchmarks.prepare", str(reviews), str(prepared_path), str(blob)],
        env,
    )
    prepared = json.loads(prepared_path.read_text())
    log = workdir / f"gunicorn-{database}-{reviews}.log"
    edge = Varnish.available()
    measured = [
        e
        for e in prepared["endpoints"]
        if e.get("paths")
        and (not options.only or e["key"] in options.only)
        and (edge or e["via"] != "varnish")
    ]
    if not edge:
        print("  varnishd with xkey is missing: no Varnish rows", flush=True)
    results = {e["key"]: LoadResult() for e in measured}
    # Where each fresh endpoint's next unused path is (see endpoints.py).
    cursor = {
        e["key"]: int(e["fresh_start"] * len(e["paths"]))
        for e in measured
        if e.get("fresh")
    }
    started_at = dict(cursor)
    writes: dict[str, WriteLog] = {}

    def port_for(endpoint: dict) -> int:
        if endpoint["via"] in baselines:
            return baselines[endpoint["via"]].port
        if endpoint["via"] == "varnish":
            assert varnish is not None
            return varnish.port
        return servers[endpoint["cached"]].port

    def load(endpoint: dict, seconds: float, measured: bool = True) -> LoadResult:
        key = endpoint["key"]
        port = port_for(endpoint)
        with ExitStack() as writing:
            if endpoint["writes"] and measured:
                writer = writers.setdefault(port, Writer(port, prepared["writes"]))
                writer.log = writes.setdefault(key, WriteLog())
                writing.enter_context(writer)
            if options.requests:
                part = run_requests(
                    port,
                    endpoint["paths"],
                    options.requests,
                    fresh_from=cursor.get(key),
                )
                reached = part.requests
            else:
                part = run_wrk(
                    port,
                    endpoint["paths"],
                    concurrency=options.concurrency,
                    seconds=seconds,
                    fresh_from=cursor.get(key),
                )
                reached = options.concurrency * part.most_by_one_client
        if key in cursor:
            cursor[key] += reached
        return part

    def measure_rounds(endpoints: list[dict]) -> None:
        for endpoint in endpoints:
            if options.warmup:
                load(endpoint, options.warmup, measured=False)
                wait_until_idle(port_for(endpoint))
        # Endpoints take turns, round after round, so that a burst of
        # background load on a shared machine is spread over all of them.
        slice_seconds = options.duration / options.rounds
        for _ in range(options.rounds):
            for endpoint in endpoints:
                part = load(endpoint, slice_seconds)
                part.seconds = part.seconds or slice_seconds
                total = results[endpoint["key"]]
                seconds = total.seconds + part.seconds
                total.merge(part)
                total.seconds = seconds
                wait_until_idle(port_for(endpoint))

    writers: dict[int, Writer] = {}
    with ExitStack() as stack:
        club = Gunicorn(env, options.workers, log)
        varnish = None
        if edge and any(e["via"] == "varnish" for e in measured):
            varnish = Varnish([club.port], workdir / f"varnish-{database}-{reviews}")
            club.env |= {"VARNISH_URLS": varnish.url("")}
        servers = {True: stack.enter_context(club)}
        if varnish is not None:
            stack.enter_context(varnish)
        if not all(e["cached"] for e in measured):
            # The same code with the response caches off, for the "caches
            # off" rows; idle while the other server is measured.
            servers[False] = stack.enter_context(
                Gunicorn(env | CACHES_OFF_ENV, options.workers, log)
            )
        # The baselines under the same gunicorn settings: the bare app, and the
        # servers of whichever ceiling rows are measured (benchmarks.endpoints).
        baselines = {
            "bare": stack.enter_context(
                Gunicorn(env, options.workers, log, app="benchmarks.bare:application")
            )
        }
        vias = {e["via"] for e in measured}
        if "bare_versions" in vias:
            baselines["bare_versions"] = stack.enter_context(
                Gunicorn(
                    env,
                    options.workers,
                    log,
                    app="benchmarks.bare:versions_application",
                )
            )
        for via, middleware in (
            ("django_bare", "none"),
            ("django_libraries", "libraries"),
        ):
            if via in vias:
                baselines[via] = stack.enter_context(
                    Gunicorn(
                        env | {"BENCH_MIDDLEWARE": middleware}, options.workers, log
                    )
                )
        for endpoint in measured:
            if endpoint["writes"]:
                port = port_for(endpoint)
                writers.setdefault(port, Writer(port, prepared["writes"]))
        measure_rounds([e for e in measured if not e["warm_of"]])
        # Warm rows: over the paths their cold row reached, now cached.
        warm = []
        for endpoint in measured:
            cold = endpoint["warm_of"]
            if cold in cursor:
                first, last = started_at[cold], cursor[cold]
                endpoint["paths"] = endpoint["paths"][first:last] or endpoint["paths"]
                endpoint["distinct_paths"] = len(endpoint["paths"])
                warm.append(endpoint)
        measure_rounds(warm)
    logged_errors = app_errors(log)
    if logged_errors:
        print(f"  the app logged {len(logged_errors)} errors, first:", flush=True)
        for line in logged_errors[:5]:
            print(f"    {line[:300]}", flush=True)
    for key, sent in cursor.items():
        paths = next(len(e["paths"]) for e in measured if e["key"] == key)
        if sent > paths:
            print(
                f"  {key}: {sent} requests over {paths} distinct paths; "
                "later ones may have been served from the cache",
                flush=True,
            )
    rows = []
    distinct = {e["key"]: e.get("distinct_paths") for e in measured}
    for endpoint in prepared["endpoints"]:
        row = {k: v for k, v in endpoint.items() if k != "paths"}
        result = results.get(endpoint["key"])
        if result is not None:
            row |= {
                "rps": round(result.rps, 1),
                "p50_ms": ms(result.percentile(50)),
                "p99_ms": ms(result.percentile(99)),
                "errors": result.failures,
                "requests": result.requests,
                "statuses": {str(k): v for k, v in result.statuses.items()},
            }
            if distinct.get(endpoint["key"]):
                row["distinct_paths"] = distinct[endpoint["key"]]
            if endpoint["key"] in writes:
                written = writes[endpoint["key"]]
                row["written"] = {
                    "acknowledged": written.acknowledged,
                    "per_second": round(written.acknowledged / result.seconds, 2),
                    "statuses": dict(written.statuses),
                    "checked": written.checked,
                    "stale": len(written.stale),
                    "stale_paths": written.stale[:10],
                }
            print(
                f"  {row['key']:<16} {row['rps']:>8.1f} req/s  "
                f"p50 {row['p50_ms']:>7.1f} ms  p99 {row['p99_ms']:>7.1f} ms  "
                f"errors {row['errors']}",
                flush=True,
            )
        rows.append(row)
    if database == "postgresql" and not options.keep:
        drop_postgres(url)
    return {
        "reviews": reviews,
        "timings": prepared["timings"],
        "endpoints": rows,
        "app_errors": len(logged_errors),
        # A check run's req/s say nothing: only its stale reads are judged.
        "check": bool(options.requests),
    }


def app_errors(log: Path) -> list[str]:
    """The app's log records at ERROR or above (bench settings log JSON
    lines): a purge the edge did not take, say, explains a stale read."""
    errors = []
    for line in log.read_text(errors="replace").splitlines() if log.exists() else ():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("level") in ("ERROR", "CRITICAL"):
            errors.append(f"{record.get('logger')}: {record.get('message')}")
    return errors


def wait_until_idle(port: int, timeout: float = 180) -> None:
    """Wait until both workers answer the static blob quickly again.

    A client that gave up on a very slow request (e.g. search over 20,000
    reviews on SQLite) leaves it queued in gunicorn's backlog; without this
    the next endpoint would be measured behind those orphans."""
    import http.client

    deadline = time.monotonic() + timeout
    fast = 0
    while fast < 4 and time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        start = time.perf_counter()
        try:
            conn.request("GET", "/bench/static.json")
            conn.getresponse().read()
        except (OSError, http.client.HTTPException):
            time.sleep(0.5)
            continue
        finally:
            conn.close()
        fast = fast + 1 if time.perf_counter() - start < 0.1 else 0


def failures(report_path: Path) -> int:
    """Requests that failed (non-2xx/3xx or connection errors), all runs."""
    report = json.loads(report_path.read_text())
    return sum(
        row.get("errors", 0)
        for database in report["databases"].values()
        for run in database["runs"]
        for row in run["endpoints"]
    )


def run(options: Options) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    ensure_wrk()
    facts = machine_facts(
        options.postgres_url if "postgresql" in options.databases else None
    )
    print(
        "Machine: " + ", ".join(f"{key} {value}" for key, value in facts.items()),
        flush=True,
    )
    report: dict = {
        "machine": facts,
        "settings": {
            "workers": options.workers,
            "concurrency": options.concurrency,
            "duration_s": options.duration,
            "requests_per_row": options.requests,
            "warmup_s": options.warmup,
            "rounds": options.rounds,
            "load_average_at_start": os.getloadavg(),
            "cache": "redis" if options.redis_url else "local memory",
        },
        "databases": {},
    }
    tables = []
    with tempfile.TemporaryDirectory(prefix="bookclub-bench-") as tmp:
        workdir = Path(tmp)
        for database in options.databases:
            runs = [
                measure_size(options, database, size, workdir) for size in options.sizes
            ]
            add_ratios(runs)
            version = str(
                facts.get(database if database != "postgresql" else "postgresql", "")
            )
            if database == "sqlite":
                version = str(facts["sqlite"])
            report["databases"][database] = {"version": version, "runs": runs}
            tables.append(format_table(database, version, runs))
    report["settings"]["load_average_at_end"] = os.getloadavg()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"bench-{stamp}.json"
    out.write_text(json.dumps(report, indent=2))
    print("\n".join(tables))
    load = (
        f"{options.requests} requests per endpoint, one at a time (a check, not a "
        "measure)"
        if options.requests
        else f"{options.concurrency} clients, {options.duration:g} s per endpoint, "
        "load from wrk"
    )
    print(
        f"\n{options.workers} gunicorn sync workers, {load}; "
        "×stock = req/s over stock Wagtail's v2 list, "
        "%static = req/s as a share of the static JSON blob through Django, "
        "%bare = the same bytes from a bare WSGI app under the same gunicorn; "
        "queries = SQL queries for one request with empty caches / warm. "
        f"Load average {report['settings']['load_average_at_start'][0]:.1f} at start, "
        f"{report['settings']['load_average_at_end'][0]:.1f} at end."
    )
    writes = [
        row["writes_per_100_views"]
        for database in report["databases"].values()
        for run in database["runs"]
        for row in run["endpoints"]
        if "writes_per_100_views" in row
    ]
    if writes:
        print(f"Database writes per 100 review page views: {max(writes)}")
    print(f"Results: {out.relative_to(ROOT)}")
    return out


def options_from_args(args) -> Options:
    sizes = [int(s) for s in str(args.reviews).split(",") if s]
    duration, warmup = args.duration, args.warmup
    if args.quick:
        sizes, duration, warmup, rounds = [200], 2.0, 1.0, 1
    else:
        rounds = max(1, args.rounds)
    postgres_url = os.environ.get("DATABASE_URL", "")
    postgres_url = postgres_url if postgres_url.startswith("postgres") else None
    databases = args.database or (
        ["sqlite", "postgresql"] if postgres_url else ["sqlite"]
    )
    if "postgresql" in databases and not postgres_url:
        raise SystemExit("Set DATABASE_URL to a scratch PostgreSQL database.")
    return Options(
        sizes=sizes,
        duration=duration,
        warmup=warmup,
        rounds=rounds,
        concurrency=args.concurrency,
        workers=args.workers,
        databases=databases,
        postgres_url=postgres_url,
        redis_url=args.redis_url,
        keep=args.keep,
        only=set(args.only.split(",")) if args.only else None,
        requests=max(0, args.requests or 0),
    )
