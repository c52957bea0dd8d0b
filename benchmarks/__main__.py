"""``python -m benchmarks``: the benchmark and the resilience scripts."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    commands = parser.add_subparsers(dest="command", required=True)

    bench = commands.add_parser(
        "run",
        help="seed, serve with gunicorn and measure every endpoint",
        description="Seeds N reviews into a scratch database (SQLite in a temp "
        "dir; also PostgreSQL when DATABASE_URL names a scratch database), "
        "serves it with gunicorn on 127.0.0.1 and prints one table.",
    )
    bench.add_argument("--reviews", default="1000,20000", help="sizes, e.g. 1000,20000")
    bench.add_argument("--duration", type=float, default=20.0, help="seconds each")
    bench.add_argument(
        "--warmup",
        type=float,
        default=2.0,
        help="seconds each, 0 for none (wrk runs whole seconds: 0.5 is 1)",
    )
    bench.add_argument(
        "--rounds", type=int, default=4, help="endpoints take turns this many times"
    )
    bench.add_argument("--concurrency", type=int, default=8)
    bench.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    bench.add_argument(
        "--database",
        action="append",
        choices=["sqlite", "postgresql"],
        help="default: sqlite, and postgresql when DATABASE_URL is set",
    )
    bench.add_argument("--redis-url", help="serve with the Redis cache at this URL")
    bench.add_argument(
        "--only",
        help="measure only these endpoint keys (comma-separated, see endpoints.py)",
    )
    bench.add_argument("--quick", action="store_true", help="200 reviews, 2 s each")
    bench.add_argument(
        "--requests",
        type=int,
        help="a check, not a measure: this many requests a row, one at a time, "
        "instead of wrk's load (CI's smoke run)",
    )
    bench.add_argument("--keep", action="store_true", help="keep the PostgreSQL db")
    bench.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 if any request failed (implied by --quick)",
    )

    resilience = commands.add_parser(
        "resilience", help="load, Redis-outage and database-restart scripts"
    )
    resilience.add_argument(
        "scenario", choices=["mixed", "redis", "postgres", "all"], default="all"
    )
    resilience.add_argument("--short", action="store_true", help="a short CI form")
    resilience.add_argument("--seconds", type=float, help="override the run length")
    resilience.add_argument(
        "--pause",
        type=float,
        help="seconds each reader waits between reads (default: none; --short: 0.05)",
    )

    edge = commands.add_parser(
        "edge",
        help="serve two app nodes behind Varnish on 127.0.0.1 until Ctrl-C",
        description="Seeds a scratch database (SQLite in a temp dir, or the "
        "PostgreSQL database DATABASE_URL names if it has 'bench' or 'scratch' "
        "in its name), starts two gunicorns on it and varnishd with "
        "deploy/varnish/bookclub.vcl in front, and prints the addresses.",
    )
    edge.add_argument("--reviews", type=int, default=200)
    edge.add_argument("--redis-url", help="share this Redis between the nodes")

    profile = commands.add_parser(
        "profile",
        help="count what one request costs: queries, cache calls, instructions",
        description="Seeds a scratch database and sends each row's request "
        "through the WSGI application in-process, anonymously: SQL queries and "
        "cache operations per request, CPU instructions under valgrind "
        "(--callgrind) and a cProfile breakdown (--cprofile).",
    )
    profile.add_argument("--reviews", type=int, default=200)
    profile.add_argument("--requests", type=int, default=200, help="per row")
    profile.add_argument(
        "--rows", default="static,v2_list,home,login", help="comma-separated"
    )
    profile.add_argument("--redis-url", help="use the Redis cache at this URL")
    profile.add_argument("--callgrind", action="store_true")
    profile.add_argument("--cprofile", action="store_true")
    profile.add_argument("--json", help="also write the counts to this file")

    middleware = commands.add_parser(
        "middleware",
        help="count what each middleware costs a request no cache answers",
        description="Under valgrind, sends the static row's request through "
        "Django's handler with every middleware, with none, and with each left "
        "out in turn: instructions per request, and each middleware's share.",
    )
    middleware.add_argument("--requests", type=int, default=200, help="per line")
    middleware.add_argument("--path", default="/bench/static.json")

    rebuilds = commands.add_parser(
        "rebuilds",
        help="what a write costs, and each hot URL's rebuild after it, in process",
        description="Against the database DATABASE_URL names, seeded by "
        "`run --keep`: makes a write (--write) and requests each hot URL once, "
        "--rounds times; the write's time, CPU and queries, and each rebuild's.",
    )
    rebuilds.add_argument("--rounds", type=int, default=3)
    rebuilds.add_argument(
        "--write",
        choices=["revision", "publish", "comment", "vote", "rsvp"],
        default="revision",
        help="publish: the admin's edit view; comment, vote, rsvp: a member's "
        "forms; revision (default): a new revision published from code",
    )
    rebuilds.add_argument("--sql", action="store_true", help="the write's SQL")
    rebuilds.add_argument(
        "--cprofile", action="store_true", help="where the writes' time goes"
    )
    rebuilds.add_argument(
        "--callgrind",
        action="store_true",
        help="count each write's and rebuild's CPU instructions under valgrind",
    )

    workers = commands.add_parser(
        "workers",
        help="where the workers' time goes under the hot set, with and without "
        "the writes",
        description="Against the database DATABASE_URL names, seeded by "
        "`run --keep`: serves the hot set with wrk, then again with the "
        "benchmark's writer, and sums each request's time in its worker "
        "(gunicorn's access log) by kind: cached answers, rebuilds, writes.",
    )
    workers.add_argument("--duration", type=float, default=20, help="seconds each")
    workers.add_argument("--workers", type=int, default=2)
    workers.add_argument("--redis-url", help="use the Redis cache at this URL")

    args = parser.parse_args(argv)
    if args.command == "workers":
        from .workers import main as workers_main

        return workers_main(args.duration, args.workers, args.redis_url)
    if args.command == "rebuilds":
        from .rebuilds import main as rebuilds_main

        return rebuilds_main(
            args.rounds, args.write, args.sql, args.cprofile, args.callgrind
        )
    if args.command == "middleware":
        from .middleware import main as middleware_main

        return middleware_main(args)
    if args.command == "profile":
        from .profile import main as profile_main

        return profile_main(args)
    if args.command == "edge":
        from .edge import serve

        return serve(args.reviews, args.redis_url)
    if args.command == "run":
        from .runner import failures, options_from_args, run

        failed = failures(run(options_from_args(args)))
        if failed:
            print(f"{failed} requests failed (see the errors column).", file=sys.stderr)
        return 1 if failed and (args.strict or args.quick) else 0
    from .resilience import main as resilience_main

    return resilience_main(args)


if __name__ == "__main__":
    sys.exit(main())
