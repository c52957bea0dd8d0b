"""What one write costs the worker that takes it, and what each hot URL
then costs to rebuild.

A publish must never be served late, so the readers of the listings it
retires wait for one rebuild of each (``reviews.response_cache``): under
writes, the hot set's throughput and p99 follow these rebuilds, and the
write itself runs in a serving worker too. Run in process against a
database ``benchmarks run --keep`` seeded, with the benchmark's settings::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bookclub_bench \\
        .venv/bin/python -m benchmarks run --database postgresql --reviews 20000 \\
        --only bare --duration 1 --keep
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bookclub_bench \\
        .venv/bin/python -m benchmarks rebuilds --write publish

For each of ``rounds`` writes it makes the write, then requests each hot URL
once. ``--write`` is what the benchmark's writer does once a second
(``benchmarks.writer``), through the same views: ``publish`` (an editor's
"Publish" in the admin's edit view of a recent review), ``comment``,
``vote`` and ``rsvp`` (a member's forms); ``revision`` (the default)
publishes a new revision of a recent review from code, without the admin.
Printed: the write's wall and CPU time and its queries (``--sql``: each
statement), each hot URL's rebuild (time, time in SQL, queries), the slowest
rebuild SQL, and with ``--cprofile`` where the writes' time goes (in extra
rounds, not in the times above). ``--callgrind`` runs it all under valgrind
and counts the CPU instructions of each write and each rebuild, which the
load of a shared machine does not move (the times are then valgrind's).
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .endpoints import HOT_PATHS

WRITES = ("revision", "publish", "comment", "vote", "rsvp")


@dataclass
class Rebuild:
    path: str
    status: list[int] = field(default_factory=list)
    total_ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    #: Millions of CPU instructions, with ``--callgrind``.
    instructions: list[float] = field(default_factory=list)


@dataclass
class Writes:
    kind: str
    status: list[int] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    #: The statements of the last round, in order, with their milliseconds.
    sql: list[tuple[float, str]] = field(default_factory=list)
    profile: str = ""
    #: Millions of CPU instructions, with ``--callgrind``.
    instructions: list[float] = field(default_factory=list)


def _timed_sql(timed: list[tuple[float, str]]):
    def timing(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append((time.perf_counter() - started, sql))

    return timing


class Club:
    """The benchmark writer's club (``benchmarks.edge.club_for_writes``, made
    by ``run --keep``): its editor and member signed in, each write kind as
    one call returning the HTTP status."""

    def __init__(self) -> None:
        from django.contrib.auth import get_user_model
        from django.test import Client

        from reviews.models import DiscussionPage, Nomination, ReviewPage

        User = get_user_model()
        editor = User.objects.filter(username="edge-editor").first()
        member = User.objects.filter(username="edge-member").first()
        nomination = Nomination.objects.order_by("-round__pk", "pk").first()
        if editor is None or member is None or nomination is None:
            from .edge import club_for_writes

            club_for_writes()
            editor = User.objects.get(username="edge-editor")
            member = User.objects.get(username="edge-member")
            nomination = Nomination.objects.order_by("-round__pk", "pk").first()
        assert nomination is not None  # noqa: S101 (club_for_writes made one)
        self.editor = Client(HTTP_HOST="127.0.0.1")
        self.editor.force_login(editor)
        self.member = Client(HTTP_HOST="127.0.0.1")
        self.member.force_login(member)
        self.round = nomination.round_id
        self.nominations = list(
            Nomination.objects.filter(round_id=self.round).values_list("pk", flat=True)
        )
        self.discussions = list(
            DiscussionPage.objects.live().order_by("pk").values_list("pk", flat=True)
        )
        self.reviews = list(
            ReviewPage.objects.live().order_by("-first_published_at", "pk")[:10]
        )
        self.count = 0

    def write(self, kind: str) -> Callable[[], int]:
        """The next write of ``kind``, ready to make."""
        from .writer import write_request

        n, self.count = self.count, self.count + 1
        marker = f"{kind}-{n}-{uuid.uuid4().hex[:8]}"
        discussion = self.discussions[n % len(self.discussions)]
        page = self.reviews[n % len(self.reviews)]
        if kind == "revision":

            def revision() -> int:
                page.summary = marker
                page.save_revision().publish()
                return 200

            return revision
        path, form = write_request(
            kind,
            n,
            marker,
            discussion=discussion,
            round_id=self.round,
            nominations=self.nominations,
            review={
                "id": page.pk,
                "title": page.title,
                "slug": page.slug,
                "book": page.book_id,
                "reviewer": page.reviewer_id or "",
            },
        )
        client = self.editor if kind == "publish" else self.member
        return lambda: client.post(path, form).status_code


def _run(run: Callable[[], Any], instructions: list[float] | None) -> Any:
    """``run()``; inside valgrind (``instructions`` given), counted into
    ``instructions`` (see :func:`benchmarks.counting.counted_window`)."""
    if instructions is None:
        return run()
    from pathlib import Path

    from .counting import counted_window, total_instructions

    result: list[Any] = []
    dump = counted_window(lambda: result.append(run()))
    instructions.append(total_instructions(Path(dump)) / 1e6)
    return result[0]


def measure(
    rounds: int = 3,
    write: str = "revision",
    cprofile: bool = False,
    callgrind: bool = False,
) -> tuple[Writes, list[Rebuild], Counter[tuple[str, str]]]:
    """The writes, each hot URL's rebuilds, and the SQL of the rebuilds (by
    URL and statement, cut to 200 characters) by milliseconds spent in it,
    over ``rounds`` writes of kind ``write``; ``callgrind``: inside valgrind,
    each write's and rebuild's instructions too."""
    from django.db import connection
    from django.test import Client

    club = Club()
    client = Client(HTTP_HOST="127.0.0.1")
    club.write(write)()  # warm: imports, templates, the admin's forms
    for path in HOT_PATHS:  # warm: what a write does not retire stays kept
        client.get(path)
    writes = Writes(write)
    rebuilds = [Rebuild(path) for path in HOT_PATHS]
    statements: Counter[tuple[str, str]] = Counter()
    for _ in range(rounds):
        make = club.write(write)
        timed: list[tuple[float, str]] = []
        wall, cpu = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(_timed_sql(timed)):
            status = _run(make, writes.instructions if callgrind else None)
        writes.cpu_ms.append((time.process_time() - cpu) * 1000)
        writes.wall_ms.append((time.perf_counter() - wall) * 1000)
        writes.status.append(status)
        writes.queries.append(len(timed))
        writes.sql = [(seconds * 1000, sql) for seconds, sql in timed]
        for rebuild in rebuilds:
            timed = []
            started = time.perf_counter()
            with connection.execute_wrapper(_timed_sql(timed)):
                response = _run(
                    lambda path=rebuild.path: client.get(path),
                    rebuild.instructions if callgrind else None,
                )
            rebuild.total_ms.append((time.perf_counter() - started) * 1000)
            rebuild.status.append(response.status_code)
            rebuild.sql_ms.append(sum(seconds for seconds, _ in timed) * 1000)
            rebuild.queries.append(len(timed))
            for seconds, sql in timed:
                statements[(rebuild.path, sql[:200])] += seconds * 1000
    if cprofile:
        writes.profile = _profile([club.write(write) for _ in range(rounds)])
    return writes, rebuilds, statements


def _profile(makes: list[Callable[[], Any]]) -> str:
    """The writes' own time by package, then the project's functions by
    their time in all (what the signal handlers and views add)."""
    from .counting import cprofile_report

    def run() -> None:
        for make in makes:
            make()

    total, report = cprofile_report(
        run,
        r"/(reviews|bookclub|home)/",
        40,
        title="The project's functions, by time in all:",
    )
    return f"per write: {total / len(makes) * 1000:.1f} ms under cProfile\n{report}"


def _ms(values: list[float]) -> str:
    return " / ".join(f"{ms:.0f}" for ms in values)


def _under_valgrind(rounds: int, write: str, sql: bool) -> int:
    """This command again, under callgrind, counting only inside the
    measured calls (:func:`benchmarks.counting.counted_window`)."""
    import os
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from .counting import callgrind_prefix
    from .runtime import ROOT

    with tempfile.TemporaryDirectory(prefix="bookclub-rebuilds-") as work:
        log = Path(work) / "callgrind.out"
        command = [
            *callgrind_prefix(log),
            f"--log-file={Path(work) / 'valgrind.log'}",
            sys.executable,
            *("-m", "benchmarks", "rebuilds", "--callgrind"),
            *("--write", write, "--rounds", str(rounds)),
            *(["--sql"] if sql else []),
        ]
        environment = os.environ | {"BENCH_CALLGRIND_OUT": str(log)}
        done = subprocess.run(command, cwd=ROOT, env=environment, check=False)
        return done.returncode


def main(
    rounds: int,
    write: str = "revision",
    sql: bool = False,
    cprofile: bool = False,
    callgrind: bool = False,
) -> int:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookclub.settings.bench")
    if not os.environ.get("DATABASE_URL"):
        print("Set DATABASE_URL to the database `benchmarks run --keep` seeded.")
        return 2
    if callgrind and not os.environ.get("BENCH_CALLGRIND_OUT"):
        return _under_valgrind(rounds, write, sql)
    django.setup()
    writes, rebuilds, statements = measure(rounds, write, cprofile, callgrind)
    print("| write | status | wall ms | CPU ms | queries |")
    print("|---|---|---|---|---|")
    print(
        f"| {write} | {', '.join(map(str, sorted(set(writes.status))))} "
        f"| {_ms(writes.wall_ms)} | {_ms(writes.cpu_ms)} "
        f"| {' / '.join(map(str, writes.queries))} |"
    )
    print("\n| URL | status | ms | ms in SQL | queries |")
    print("|---|---|---|---|---|")
    for rebuild in rebuilds:
        print(
            f"| `{rebuild.path}` | {', '.join(map(str, sorted(set(rebuild.status))))} "
            f"| {_ms(rebuild.total_ms)} | {_ms(rebuild.sql_ms)} "
            f"| {max(rebuild.queries, default=0)} |"
        )
    total = [sum(each) for each in zip(*(r.total_ms for r in rebuilds), strict=True)]
    print(f"\nAll hot URLs after each write: {_ms(total)} ms")
    if writes.instructions:
        counted = zip(*(r.instructions for r in rebuilds), strict=True)
        print(
            "Instructions (callgrind, millions): each write "
            + " / ".join(f"{n:.1f}" for n in writes.instructions)
            + "; all hot URLs after it "
            + " / ".join(f"{sum(each):.1f}" for each in counted)
        )
        for rebuild in rebuilds:
            print(
                f"  `{rebuild.path}`: "
                + " / ".join(f"{n:.2f}" for n in rebuild.instructions)
            )
    print("\nSlowest rebuild SQL, summed over the rounds:")
    for (path, statement), ms in statements.most_common(10):
        print(f"{ms:8.1f} ms  {path}  {statement}")
    if sql:
        print(f"\nThe last {write}'s {len(writes.sql)} statements:")
        for ms, statement in writes.sql:
            print(f"{ms:8.2f} ms  {statement[:300]}")
    if writes.profile:
        print(f"\nWhere {rounds} more writes' time goes (cProfile):\n")
        print(writes.profile)
    return 0
