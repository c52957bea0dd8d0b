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
from .load import LoadResult
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
        if endpoint["via"] == "bare":
            return bare.port
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
            part = run_wrk(
                port,
                endpoint["paths"],
                concurrency=options.concurrency,
                seconds=seconds,
                fresh_from=cursor.get(key),
            )
        if key in cursor:
            cursor[key] += options.concurrency * part.most_by_one_client
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
        bare = stack.enter_context(
            Gunicorn(env, options.workers, log, app="benchmarks.bare:application")
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
                "p50_ms": _ms(result.percentile(50)),
                "p99_ms": _ms(result.percentile(99)),
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
    """Each row against the baselines of its own run, and the largest
    size's p50 against the smallest's."""
    for run in runs:
        by_kind = {row["kind"]: row for row in run["endpoints"]}
        stock = by_kind.get("stock", {}).get("rps")
        static = by_kind.get("static", {}).get("rps")
        bare = by_kind.get("bare", {}).get("rps")
        for row in run["endpoints"]:
            if "rps" not in row:
                continue
            row["vs_stock"] = round(row["rps"] / stock, 2) if stock else None
            row["vs_static"] = round(row["rps"] / static, 4) if static else None
            row["vs_bare"] = round(row["rps"] / bare, 4) if bare else None
        run["targets"] = targets(run)
    if len(runs) > 1:
        small = {row["key"]: row for row in runs[0]["endpoints"]}
        for row in runs[-1]["endpoints"]:
            before = small.get(row["key"], {}).get("p50_ms")
            if before and row.get("p50_ms"):
                row["p50_vs_smallest"] = round(row["p50_ms"] / before, 2)


#: The issue's targets: (what, numerator row, denominator row, how, target).
#: "ratio" rows compare req/s; "p99" reads one row's p99 in ms.
TARGETS = (
    ("static bytes through Django vs bare WSGI", "static", "bare", "≥", 0.60),
    ("cached hot list (v2) vs bare WSGI", "v2_list", "bare", "≥", 0.50),
    (
        "long tail v2, warm, vs stock v2 detail",
        "tail_v2_warm",
        "stock_v2_detail",
        "≥",
        10,
    ),
    (
        "long tail v3, warm, vs stock v2 detail",
        "tail_v3_warm",
        "stock_v2_detail",
        "≥",
        10,
    ),
    (
        "long tail v2, cold, vs stock v2 detail",
        "tail_v2_cold",
        "stock_v2_detail",
        "≥",
        2,
    ),
    (
        "long tail v3, cold, vs stock v2 detail",
        "tail_v3_cold",
        "stock_v2_detail",
        "≥",
        2,
    ),
    ("hot set under writes vs without", "hot_writes", "hot", "≥", 0.80),
    ("p99 of the mixed load (ms)", "hot_writes", "", "<", 100),
    ("hot set through Varnish vs bare WSGI", "edge_hot", "bare", "≥", 0.80),
    ("stale reads after a committed write", "", "", "=", 0),
)


def targets(run: dict) -> list[dict]:
    rows = {row["key"]: row for row in run["endpoints"] if "rps" in row}
    out = []
    for what, top, bottom, how, goal in TARGETS:
        value: float | None = None
        if how == "=":
            stale = [r["written"]["stale"] for r in rows.values() if "written" in r]
            value = sum(stale) if stale else None
        elif how == "<":
            value = rows.get(top, {}).get("p99_ms")
        elif top in rows and bottom in rows and rows[bottom]["rps"]:
            value = rows[top]["rps"] / rows[bottom]["rps"]
        met = None
        if value is not None:
            met = {"≥": value >= goal, "<": value < goal, "=": value == goal}[how]
        out.append(
            {"what": what, "value": value, "target": f"{how} {goal:g}", "met": met}
        )
    return out


def format_targets(run: dict) -> str:
    lines = [f"\nTargets (issue 15), {run['reviews']:,} reviews, this run:"]
    for target in run.get("targets", []):
        value = target["value"]
        if value is None:
            shown = "n/a"
        elif "ms" in target["what"] or target["target"].startswith("="):
            shown = f"{value:g}"
        else:
            # Shown in the target's own terms: a multiple, or a share.
            multiple = float(target["target"].split()[1]) >= 2
            shown = f"{value:.2f}×" if multiple else f"{value * 100:.0f}%"
        verdict = {True: "met", False: "MISSED", None: "n/a"}[target["met"]]
        goal = target["target"]
        if not ("ms" in target["what"] or goal.startswith("=")):
            number = float(goal.split()[1])
            goal = goal.split()[0] + (
                f" {number:g}×" if number >= 2 else f" {number * 100:.0f}%"
            )
        lines.append(f"  {target['what']:<44}{shown:>10}   target {goal:<8} {verdict}")
    return "\n".join(lines)


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
            f"{'endpoint':<46}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
            f"{'errors':>8}{'queries':>9}{'×stock':>10}{'%static':>9}{'%bare':>8}"
        )
        if scaling:
            header += f"{'p50/' + _short(runs[0]['reviews']):>9}"
        lines.append(header)
        lines.append("-" * len(header))
        for row in run["endpoints"]:
            if "rps" not in row:
                lines.append(f"{row['label']:<46}{'n/a':>9}")
                continue
            queries = f"{row.get('queries_cold', row['queries'])}/{row['queries']}"
            line = (
                f"{row['label']:<46}{row['rps']:>9.1f}{row['p50_ms']:>9.1f}"
                f"{row['p99_ms']:>9.1f}{row['errors']:>8}{queries:>9}"
                f"{_ratio(row.get('vs_stock')):>10}{_percent(row.get('vs_static')):>9}"
                f"{_percent(row.get('vs_bare')):>8}"
            )
            if scaling:
                line += f"{_ratio(row.get('p50_vs_smallest')):>9}"
            lines.append(line)
        lines.append(format_targets(run))
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
        f"{options.duration:g} s per endpoint, load from wrk; "
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
    )
