"""Where the workers' time goes under the mixed load, from gunicorn's own
access log.

``benchmarks run`` gives the hot set's throughput with and without the
writes; ``benchmarks rebuilds`` what one write and each rebuild cost alone,
in process. This puts both together as the servers see them: the club
under wrk's hot-set load, with and without the benchmark's writer, each
request's time in its worker (gunicorn's ``%(D)s``), summed by kind:

- a hot URL answered quickly (a cached copy), or slowly (a rebuild, or a
  wait for another worker's rebuild of the same key);
- each write (the admin's publish, a comment, a vote, an RSVP);
- every other request (the writer's reads that check each write shows).

And, from the servers' own log (``reviews.response_cache`` at DEBUG), how
many times each hot URL was built, and how many requests took the copy
another one built meanwhile (a wait) or were served a late copy.

Against a database ``benchmarks run --keep`` seeded::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bookclub_bench \\
        .venv/bin/python -m benchmarks run --database postgresql --reviews 20000 \\
        --only bare --duration 1 --keep
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bookclub_bench \\
        .venv/bin/python -m benchmarks workers --redis-url redis://127.0.0.1:6379/3

The access log costs each request a line, so these servers are a little
slower than the benchmark's; the shares are what this is for.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .endpoints import HOT_PATHS
from .runtime import Gunicorn, base_env, run_django
from .writer import Writer
from .wrk import run_wrk

#: A request slower than this is taken for a rebuild or a wait for one.
SLOW_MS = 5.0
#: gunicorn's access line as :func:`serve` asks for it.
LOG_FORMAT = "%(m)s %(U)s?%(q)s %(s)s %(D)s"
_LINE = re.compile(r"^(?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}) (?P<us>\d+)$")


@dataclass
class Kind:
    """The requests of one kind: how many, and their time in a worker."""

    requests: int = 0
    seconds: float = 0.0
    slowest_ms: float = 0.0

    def add(self, ms: float) -> None:
        self.requests += 1
        self.seconds += ms / 1000
        self.slowest_ms = max(self.slowest_ms, ms)


@dataclass
class Account:
    kinds: dict[str, Kind] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return sum(kind.seconds for kind in self.kinds.values())

    def add(self, name: str, ms: float) -> None:
        self.kinds.setdefault(name, Kind()).add(ms)


def kind_of(method: str, path: str, ms: float, hot: Iterable[str]) -> str:
    """The kind of a request: a hot URL fast or slow, a write, or a read
    of something else, folded so that each kind is one row (numbers as
    ``N``; a page's own address below its section as ``…``)."""
    if method == "GET" and path in hot:
        return f"hot {'slow' if ms >= SLOW_MS else 'fast'}: {path}"
    path = re.sub(r"[0-9]+", "N", path.split("?")[0])
    if method == "GET" and not path.startswith("/api/"):
        section, _, rest = path.strip("/").partition("/")
        path = f"/{section}/…/" if rest else path
    return f"{method} {path}"


def account(lines: Iterable[str], hot: Iterable[str] = HOT_PATHS) -> Account:
    """The access ``lines`` (in :data:`LOG_FORMAT`) summed by kind."""
    hot = set(hot)
    result = Account()
    for line in lines:
        match = _LINE.match(line.strip())
        if match is None:
            continue
        path = match["path"].removesuffix("?")
        ms = int(match["us"]) / 1000
        result.add(kind_of(match["method"], path, ms, hot), ms)
    return result


#: What the servers log for each miss of a shared copy
#: (reviews.response_cache.middleware), in the order the table shows them.
MISSES = {
    "shared copy built": "built",
    "shared copy taken from another build": "took another's",
    "late copy served during another build": "served late",
}


def misses(lines: Iterable[str], hot: Iterable[str] = HOT_PATHS) -> Counter:
    """``(hot URL, what)`` counted from the servers' JSON log ``lines``."""
    hot = set(hot)
    counted: Counter = Counter()
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        what = MISSES.get(record.get("message", ""))
        if what and record.get("path") in hot:
            counted[(record["path"], what)] += 1
    return counted


def report_misses(counted: Counter, hot: Iterable[str] = HOT_PATHS) -> str:
    lines = [
        "| hot URL | " + " | ".join(MISSES.values()) + " |",
        "|---|" + "---|" * len(MISSES),
    ]
    for path in hot:
        row = " | ".join(str(counted[(path, what)]) for what in MISSES.values())
        lines.append(f"| {path} | {row} |")
    return "\n".join(lines)


def report(title: str, result: Account, seconds: float, workers: int) -> str:
    total = result.seconds
    lines = [
        f"{title}: {total:.1f} worker-seconds in {seconds:.0f} s "
        f"({total / (seconds * workers):.0%} of {workers} workers' time)",
        "| kind | requests | seconds | share | mean ms | slowest ms |",
        "|---|---|---|---|---|---|",
    ]
    ranked = sorted(result.kinds.items(), key=lambda item: -item[1].seconds)
    for name, kind in ranked:
        lines.append(
            f"| {name} | {kind.requests} | {kind.seconds:.2f} | "
            f"{kind.seconds / total:.1%} | {kind.seconds / kind.requests * 1000:.2f} "
            f"| {kind.slowest_ms:.1f} |"
        )
    return "\n".join(lines)


def _club(env: dict[str, str], workdir: Path) -> dict:
    """The writer's club (an editor, a member, a new open round) in the
    kept database; what ``run`` would hand its writer."""
    out = workdir / "club.json"
    code = (
        "import django, json; django.setup(); "
        "from benchmarks.edge import club_for_writes; "
        f"open({str(out)!r}, 'w').write(json.dumps(club_for_writes()))"
    )
    run_django(["-c", code], env)
    return json.loads(out.read_text())


def serve(
    env: dict[str, str], workdir: Path, seconds: float, workers: int, writes: bool
) -> tuple[float, Account, Counter]:
    """One server under the hot set for ``seconds`` (with the writer when
    ``writes``): its throughput, its access log accounted, and its misses
    of the hot set's shared copies (:func:`misses`)."""
    log = workdir / f"access-{int(writes)}.log"
    server_log = workdir / f"gunicorn-{int(writes)}.log"
    server = Gunicorn(env, workers, server_log)
    # Gunicorn() keeps the access log off; these servers want it.
    server.env |= {
        "ACCESS_LOG": str(log),
        "LOG_FORMAT": "text",
        "GUNICORN_CMD_ARGS": f"--access-logformat '{LOG_FORMAT}'",
        "CACHE_LOG_LEVEL": "DEBUG",
    }
    club = _club(env, workdir) if writes else {}
    with server:
        run_wrk(server.port, list(HOT_PATHS), seconds=2)  # warm
        writer = Writer(server.port, club) if writes else None
        log.write_bytes(b"")
        measured_from = server_log.stat().st_size
        if writer is None:
            result = run_wrk(server.port, list(HOT_PATHS), seconds=seconds)
        else:
            with writer:
                result = run_wrk(server.port, list(HOT_PATHS), seconds=seconds)
        time.sleep(1)  # the last lines
    with server_log.open("rb") as server_lines:
        server_lines.seek(measured_from)
        counted = misses(server_lines.read().decode(errors="replace").splitlines())
    return result.requests / seconds, account(log.read_text().splitlines()), counted


def main(seconds: float, workers: int, redis_url: str | None) -> int:
    database = os.environ.get("DATABASE_URL", "")
    if not database:
        raise SystemExit("DATABASE_URL must name a database `run --keep` seeded.")
    with tempfile.TemporaryDirectory(prefix="bookclub-workers-") as tmp:
        workdir = Path(tmp)
        extra = {"STATIC_ROOT": str(workdir / "static")}
        if redis_url:
            extra["REDIS_URL"] = redis_url
        env = base_env(database, **extra)
        quiet, quiet_account, _ = serve(env, workdir, seconds, workers, writes=False)
        busy, busy_account, busy_misses = serve(
            env, workdir, seconds, workers, writes=True
        )
    print(
        f"hot set: {quiet:.0f} req/s; with the writes: {busy:.0f} req/s "
        f"({busy / quiet:.0%})\n"
    )
    print(report("Without writes", quiet_account, seconds, workers), "\n")
    print(report("With the writes", busy_account, seconds, workers), "\n")
    print("With the writes, each hot URL's misses of its shared copy:")
    print(report_misses(busy_misses))
    return 0
