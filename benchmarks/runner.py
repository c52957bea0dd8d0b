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
from .load import LoadResult, run_load
from .runtime import (
    ROOT,
    Gunicorn,
    base_env,
    drop_postgres,
    machine_facts,
    recreate_postgres,
    run_django,
)

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


def measure_size(options: Options, database: str, reviews: int, workdir: Path):
    if database == "postgresql":
        url = options.postgres_url
        recreate_postgres(url)
    else:
        url = f"sqlite:///{workdir / f'bench-{reviews}.sqlite3'}"
    blob = workdir / f"blob-{database}-{reviews}.json"
    prepared_path = workdir / f"prepared-{database}-{reviews}.json"
    extra = {"BENCH_BLOB_PATH": str(blob), "STATIC_ROOT": str(workdir / "static")}
    if options.redis_url:
        extra["REDIS_URL"] = options.redis_url
    env = base_env(url, **extra)
    print(f"\n== {database}: seeding {reviews:,} reviews", flush=True)
    run_django(
        ["-m", "benchmarks.prepare", str(reviews), str(prepared_path), str(blob)],
        env,
    )
    prepared = json.loads(prepared_path.read_text())
    log = workdir / f"gunicorn-{database}-{reviews}.log"
    measured = [
        e
        for e in prepared["endpoints"]
        if e.get("paths") and (not options.only or e["key"] in options.only)
    ]
    results = {e["key"]: LoadResult() for e in measured}
    # Where each fresh endpoint's next unused path is (see endpoints.py).
    cursor = {e["key"]: 0 for e in measured if e.get("fresh")}

    def load(endpoint: dict, seconds: float) -> LoadResult:
        key = endpoint["key"]
        part = run_load(
            servers[endpoint["cached"]].port,
            endpoint["paths"],
            concurrency=options.concurrency,
            seconds=seconds,
            fresh_from=cursor.get(key),
        )
        if key in cursor:
            cursor[key] += options.concurrency * part.most_by_one_client
        return part

    with ExitStack() as stack:
        servers = {True: stack.enter_context(Gunicorn(env, options.workers, log))}
        if not all(e["cached"] for e in measured):
            # The same code with the response caches off, for the "caches
            # off" rows; idle while the other server is measured.
            servers[False] = stack.enter_context(
                Gunicorn(env | CACHES_OFF_ENV, options.workers, log)
            )
        for endpoint in measured:
            server = servers[endpoint["cached"]]
            if options.warmup:
                load(endpoint, options.warmup)
                wait_until_idle(server.port)
        # Endpoints take turns, round after round, so that a burst of
        # background load on a shared machine is spread over all of them.
        slice_seconds = options.duration / options.rounds
        for _ in range(options.rounds):
            for endpoint in measured:
                server = servers[endpoint["cached"]]
                part = load(endpoint, slice_seconds)
                part.seconds = part.seconds or slice_seconds
                total = results[endpoint["key"]]
                seconds = total.seconds + part.seconds
                total.merge(part)
                total.seconds = seconds
                wait_until_idle(server.port)
    for key, sent in cursor.items():
        paths = next(len(e["paths"]) for e in measured if e["key"] == key)
        if sent > paths:
            print(
                f"  {key}: {sent} requests over {paths} distinct paths; "
                "later ones may have been served from the cache",
                flush=True,
            )
    rows = []
    for endpoint in prepared["endpoints"]:
        row = {k: v for k, v in endpoint.items() if k != "paths"}
        result = results.get(endpoint["key"])
        if result is not None:
            row |= {
                "rps": round(result.rps, 1),
                "p50_ms": _ms(result.percentile(50)),
                "p99_ms": _ms(result.percentile(99)),
                "errors": result.failures,
                "requests": result.requests,
                "statuses": {str(k): v for k, v in result.statuses.items()},
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
    return {"reviews": reviews, "timings": prepared["timings"], "endpoints": rows}


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


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def add_ratios(runs: list[dict]) -> None:
    """Each row against the two baselines of its own run, and the largest
    size's p50 against the smallest's."""
    for run in runs:
        by_kind = {row["kind"]: row for row in run["endpoints"]}
        stock = by_kind.get("stock", {}).get("rps")
        static = by_kind.get("static", {}).get("rps")
        for row in run["endpoints"]:
            if "rps" not in row:
                continue
            row["vs_stock"] = round(row["rps"] / stock, 2) if stock else None
            row["vs_static"] = round(row["rps"] / static, 4) if static else None
    if len(runs) > 1:
        small = {row["key"]: row for row in runs[0]["endpoints"]}
        for row in runs[-1]["endpoints"]:
            before = small.get(row["key"], {}).get("p50_ms")
            if before and row.get("p50_ms"):
                row["p50_vs_smallest"] = round(row["p50_ms"] / before, 2)


def format_table(database: str, version: str, runs: list[dict]) -> str:
    lines = []
    for run in runs:
        seeded = run["timings"].get("seed_total", 0)
        lines.append(
            f"\n{database} {version}: {run['reviews']:,} reviews "
            f"(seeded in {seeded:.1f} s)"
        )
        scaling = len(runs) > 1 and run is runs[-1]
        header = (
            f"{'endpoint':<44}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
            f"{'errors':>8}{'queries':>9}{'×stock':>8}{'%static':>9}"
        )
        if scaling:
            header += f"{'p50 ×' + str(runs[0]['reviews'] // 1000 or 1) + 'k':>9}"
            header = header.replace(
                f"p50 ×{runs[0]['reviews'] // 1000 or 1}k",
                f"p50/{_short(runs[0]['reviews'])}",
            )
        lines.append(header)
        lines.append("-" * len(header))
        for row in run["endpoints"]:
            if "rps" not in row:
                lines.append(f"{row['label']:<44}{'n/a':>9}")
                continue
            queries = f"{row.get('queries_cold', row['queries'])}/{row['queries']}"
            line = (
                f"{row['label']:<44}{row['rps']:>9.1f}{row['p50_ms']:>9.1f}"
                f"{row['p99_ms']:>9.1f}{row['errors']:>8}{queries:>9}"
                f"{_ratio(row.get('vs_stock')):>8}{_percent(row.get('vs_static')):>9}"
            )
            if scaling:
                line += f"{_ratio(row.get('p50_vs_smallest')):>9}"
            lines.append(line)
    return "\n".join(lines)


def _short(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 else str(n)


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}×"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


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
    print(
        f"\n{options.concurrency} clients, {options.workers} gunicorn sync workers, "
        f"{options.duration:g} s per endpoint; "
        "×stock = req/s over stock Wagtail's v2 list, "
        "%static = req/s as a share of the static JSON blob; "
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
        sizes, duration, warmup, rounds = [200], 3.0, 0.5, 1
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
    )
