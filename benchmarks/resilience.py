"""Resilience scripts: bounded runs against gunicorn on 127.0.0.1.

* ``mixed``: 16 clients for 60 s: readers, members posting discussion
  comments and editors publishing through the Wagtail admin, all over
  HTTP. Zero 5xx; every acknowledged write is in the database afterwards.
* ``redis``: readers while a private redis-server (not the shared one) is
  stopped and started again mid-run. Reads keep working.
* ``postgres``: readers and writers while a private PostgreSQL cluster (not
  the shared one) restarts mid-run. 503s while it is down, never a 500; the
  app recovers without a restart; no acknowledged write is lost.

``--short`` runs each for a fraction of the time (for CI).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from .runtime import ROOT, Gunicorn, base_env, free_port, run_django

READ_PATHS = (
    "/",
    "/api/v2/pages/?type=reviews.ReviewPage&fields=*&limit=20",
    "/api/v2/pages/?type=reviews.ReviewPage&limit=20",
    "/api/v2/pages/?type=reviews.ReviewPage&search=lighthouse",
    "/reviews/",
    "/feeds/reviews/",
    "/search/?q=lighthouse",
)
MAX_REQUESTS_PER_CLIENT = 20_000


# -- an HTTP client with a session -------------------------------------------


class Browser:
    """One client: a keep-alive connection to 127.0.0.1 and a cookie jar."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(
        self, method: str, path: str, form: dict | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {"Host": "127.0.0.1", "Accept": "text/html,application/json"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            return 0, {}, b""
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                cookie = SimpleCookie()
                cookie.load(value)
                for name, morsel in cookie.items():
                    self.cookies[name] = morsel.value
        return response.status, dict(response.getheaders()), content

    def login(self, username: str, password: str) -> bool:
        for _ in range(20):
            status, _, _ = self.request("GET", "/admin/login/")
            if status == 200 and "csrftoken" in self.cookies:
                break
            time.sleep(0.5)
        status, headers, _ = self.request(
            "POST",
            "/admin/login/",
            {
                "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
                "username": username,
                "password": password,
                "next": "/admin/",
            },
        )
        return status == 302 and "sessionid" in self.cookies


# -- what the clients do -----------------------------------------------------


@dataclass
class Outcome:
    t: float
    kind: str
    status: int
    seconds: float


@dataclass
class Run:
    started: float = field(default_factory=time.monotonic)
    outcomes: list[Outcome] = field(default_factory=list)
    writes: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.outcomes.append(
                Outcome(time.monotonic() - self.started, kind, status, seconds)
            )


def reader(port: int, run: Run, deadline: float, offset: int) -> None:
    browser = Browser(port)
    for i in range(offset, offset + MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= deadline:
            break
        start = time.perf_counter()
        status, _, _ = browser.request("GET", READ_PATHS[i % len(READ_PATHS)])
        run.record("read", status, time.perf_counter() - start)
        if status == 0 or status >= 500:
            time.sleep(0.2)  # as a person or a client library would


def writer(port: int, run: Run, deadline: float, account: dict, club: dict) -> None:
    """A member posts discussion comments; an editor publishes reviews
    through the Wagtail admin. Both over HTTP, logged in with a session."""
    browser = Browser(port)
    while not browser.login(account["username"], club["password"]):
        run.record("login", 0, 0)
        if time.monotonic() >= deadline:
            return
        time.sleep(0.5)
    kind = "publish" if account["role"] == "editor" else "comment"
    for i in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= deadline:
            break
        marker = f"{kind}-{account['username']}-{i}-{uuid.uuid4().hex[:8]}"
        if kind == "comment":
            page_id = club["discussions"][i % len(club["discussions"])]
            path = f"/club/discussions/{page_id}/comments/"
            form = {"body": marker, "chapter": "", "parent": ""}
        else:
            page = account["pages"][i % len(account["pages"])]
            page_id = page["id"]
            path = f"/admin/pages/{page_id}/edit/"
            form = publish_form(page, marker)
        form["csrfmiddlewaretoken"] = browser.cookies.get("csrftoken", "")
        start = time.perf_counter()
        status, headers, _ = browser.request("POST", path, form)
        run.record(kind, status, time.perf_counter() - start)
        location = headers.get("Location", "")
        if status == 302 and "/login/" not in location:
            with run.lock:
                run.writes.append({"page": page_id, "marker": marker, "kind": kind})
        elif status == 302:
            browser.login(account["username"], club["password"])
        time.sleep(0.3 if status and status < 500 else 0.5)


def publish_form(page: dict, marker: str) -> dict:
    """The Wagtail admin's edit form for a review, with "Publish" pressed."""
    return {
        "title": page["title"],
        "slug": page["slug"],
        "book": page["book"],
        "rating": "4.0",
        "reviewer": page["reviewer"],
        "summary": marker,
        "tags": "",
        "seo_title": "",
        "search_description": "",
        "body-count": "1",
        "body-0-type": "heading",
        "body-0-value": f"Edited: {marker}",
        "body-0-deleted": "",
        "body-0-order": "0",
        "body-0-id": str(uuid.uuid4()),
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
        "action-publish": "action-publish",
    }


def drive(
    port: int,
    club: dict,
    seconds: float,
    readers: int,
    writers: int,
    events: list[tuple[float, callable]] = (),
) -> Run:
    """Run ``readers`` + ``writers`` clients for ``seconds``; fire each event
    (a function) at its offset in seconds."""
    run = Run()
    deadline = run.started + seconds
    threads = [
        threading.Thread(target=reader, args=(port, run, deadline, n * 5))
        for n in range(readers)
    ]
    threads += [
        threading.Thread(
            target=writer,
            args=(port, run, deadline, account, club),
        )
        for account in club["accounts"][:writers]
    ]
    for thread in threads:
        thread.start()
    for at, event in sorted(events, key=lambda e: e[0]):
        time.sleep(max(0.0, run.started + at - time.monotonic()))
        event(run)
    for thread in threads:
        thread.join()
    return run


# -- private services --------------------------------------------------------


class PrivateRedis:
    """A redis-server of the script's own (port 6390 or a free one)."""

    def __init__(self) -> None:
        self.port = 6390 if _port_is_free(6390) else free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port)]
            + ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        _wait_for_port(self.port)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


class PrivatePostgres:
    """A throw-away PostgreSQL cluster in a temp dir (port 5440 or a free
    one), started with the server binaries of the installed PostgreSQL."""

    def __init__(self, workdir: Path) -> None:
        self.bindir = _postgres_bindir()
        self.port = 5440 if _port_is_free(5440) else free_port()
        self.datadir = workdir / "pgdata"
        self.logfile = workdir / "postgres.log"
        self.workdir = workdir

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/bookclub_resilience"

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    def init(self) -> None:
        if os.geteuid() == 0:
            # The postgres user must reach the data directory inside our temp dir.
            for parent in (self.workdir.parent.parent, self.workdir.parent):
                parent.chmod(0o755)
            shutil.chown(self.workdir, "postgres")
        self._run("initdb", "-D", str(self.datadir), "-U", "postgres", "-A", "trust")
        self.start()
        self._run(
            "createdb",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "bookclub_resilience",
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1"
        self._run(
            "pg_ctl",
            "-D",
            str(self.datadir),
            "-o",
            options,
            "-l",
            str(self.logfile),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.datadir), "-m", "fast", "-w", "stop")


def _postgres_bindir() -> Path:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if candidates:
        return candidates[-1].parent
    found = shutil.which("pg_ctl")
    if not found:
        raise SystemExit("PostgreSQL server binaries (pg_ctl, initdb) are needed.")
    return Path(found).parent


def _port_is_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _port_is_free(port):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


# -- reporting ---------------------------------------------------------------


def summarise(run: Run, phases: list[tuple[str, float, float]]) -> list[dict]:
    rows = []
    for name, start, end in phases:
        outcomes = [o for o in run.outcomes if start <= o.t < end]
        statuses = Counter(o.status for o in outcomes)
        reads = sorted(o.seconds for o in outcomes if o.kind == "read" and o.status)
        rows.append(
            {
                "phase": name,
                "requests": len(outcomes),
                "ok": sum(n for s, n in statuses.items() if 200 <= s < 400),
                "5xx": sum(n for s, n in statuses.items() if s >= 500),
                "500": statuses.get(500, 0),
                "503": statuses.get(503, 0),
                "connection_errors": statuses.get(0, 0),
                "reads_p50_ms": round(reads[len(reads) // 2] * 1000, 1)
                if reads
                else None,
                "writes_acknowledged": sum(
                    1
                    for o in outcomes
                    if o.kind in ("comment", "publish") and o.status == 302
                ),
                "acknowledged_by_kind": dict(
                    Counter(o.kind for o in outcomes if o.status == 302)
                ),
            }
        )
    return rows


def print_phases(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    header = (
        f"{'phase':<22}{'requests':>9}{'ok':>7}{'5xx':>6}{'500':>6}{'503':>6}"
        f"{'conn err':>10}{'read p50 ms':>13}{'writes ok':>11}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['phase']:<22}{r['requests']:>9}{r['ok']:>7}{r['5xx']:>6}{r['500']:>6}"
            f"{r['503']:>6}{r['connection_errors']:>10}"
            f"{r['reads_p50_ms'] if r['reads_p50_ms'] is not None else '-':>13}"
            f"{r['writes_acknowledged']:>11}"
        )


def verify_writes(run: Run, env: dict[str, str], workdir: Path) -> dict:
    path = workdir / f"writes-{uuid.uuid4().hex[:6]}.json"
    path.write_text(json.dumps(run.writes))
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.club", "verify", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(result.stdout + result.stderr)
    return json.loads(lines[-1])


def prepare_club(env: dict[str, str], workdir: Path, writers: int) -> dict:
    out = workdir / "club.json"
    run_django(["-m", "benchmarks.club", "prepare", str(out), str(writers)], env)
    return json.loads(out.read_text())


# -- the scenarios -----------------------------------------------------------


def scenario_mixed(seconds: float, workdir: Path) -> dict:
    """16 clients: 10 readers, 4 members commenting, 2 editors publishing."""
    postgres = os.environ.get("DATABASE_URL", "")
    if postgres.startswith("postgres"):
        from .runtime import recreate_postgres

        recreate_postgres(postgres)
        url = postgres
    else:
        url = f"sqlite:///{workdir / 'mixed.sqlite3'}"
    env = base_env(url, STATIC_ROOT=str(workdir / "static"))
    # accounts alternate editor, member, member: 6 writers = 2 editors, 4 members
    club = prepare_club(env, workdir, writers=6)
    with Gunicorn(env, workers=2, log=workdir / "mixed-gunicorn.log") as server:
        run = drive(server.port, club, seconds, readers=10, writers=6)
    rows = summarise(run, [("whole run", 0, seconds + 60)])
    verified = verify_writes(run, env, workdir)
    print_phases(f"mixed: 16 clients for {seconds:g} s on {url.split(':')[0]}", rows)
    ok = rows[0]["5xx"] == 0 and verified["missing_count"] == 0
    ok = ok and not verified["stale_publishes"] and rows[0]["writes_acknowledged"] > 0
    print(f"writes verified: {verified}")
    return {"scenario": "mixed", "passed": ok, "phases": rows, "writes": verified}


def scenario_redis(seconds: float, workdir: Path) -> dict:
    redis_server = PrivateRedis()
    redis_server.start()
    try:
        url = f"sqlite:///{workdir / 'redis.sqlite3'}"
        env = base_env(
            url, REDIS_URL=redis_server.url, STATIC_ROOT=str(workdir / "static")
        )
        club = prepare_club(env, workdir, writers=0)
        third = seconds / 3
        events = [
            (third, lambda run: redis_server.stop()),
            (2 * third, lambda run: redis_server.start()),
        ]
        with Gunicorn(env, workers=2, log=workdir / "redis-gunicorn.log") as server:
            run = drive(server.port, club, seconds, readers=8, writers=0, events=events)
    finally:
        redis_server.stop()
    rows = summarise(
        run,
        [
            ("Redis up", 0, third),
            ("Redis stopped", third, 2 * third),
            ("Redis started again", 2 * third, seconds + 60),
        ],
    )
    print_phases(f"redis: 8 readers for {seconds:g} s, Redis stopped mid-run", rows)
    ok = all(r["5xx"] == 0 and r["connection_errors"] == 0 for r in rows)
    ok = ok and rows[1]["ok"] > 0
    return {"scenario": "redis", "passed": ok, "phases": rows}


def scenario_postgres(seconds: float, workdir: Path) -> dict:
    pgdir = workdir / "pg"
    pgdir.mkdir()
    cluster = PrivatePostgres(pgdir)
    cluster.init()
    try:
        env = base_env(cluster.url, STATIC_ROOT=str(workdir / "static"))
        club = prepare_club(env, workdir, writers=3)
        down_at, down_for = seconds / 3, min(5.0, seconds / 6)
        marks: dict[str, float] = {}

        def stop(run: Run) -> None:
            marks["stopped"] = time.monotonic() - run.started
            cluster.stop()
            time.sleep(down_for)
            cluster.start()
            marks["started"] = time.monotonic() - run.started

        with Gunicorn(env, workers=2, log=workdir / "pg-gunicorn.log") as server:
            run = drive(
                server.port,
                club,
                seconds,
                readers=8,
                writers=3,
                events=[(down_at, stop)],
            )
        rows = summarise(
            run,
            [
                ("before the restart", 0, marks["stopped"]),
                ("restarting", marks["stopped"], marks["started"] + 1),
                ("after the restart", marks["started"] + 1, seconds + 60),
            ],
        )
        verified = verify_writes(run, env, workdir)
    finally:
        cluster.stop()
    down = marks["started"] - marks["stopped"]
    print_phases(
        f"postgres: 8 readers + 3 writers for {seconds:g} s, PostgreSQL restarted "
        f"at {marks['stopped']:.1f} s (down {down:.1f} s)",
        rows,
    )
    print(f"writes verified: {verified}")
    after = rows[2]
    ok = (
        all(r["500"] == 0 for r in rows)
        and rows[0]["5xx"] == 0
        and after["5xx"] == 0
        and after["ok"] > 0
        and verified["missing_count"] == 0
        and not verified["stale_publishes"]
    )
    return {"scenario": "postgres", "passed": ok, "phases": rows, "writes": verified}


SCENARIOS = {
    "mixed": (scenario_mixed, 60, 15),
    "redis": (scenario_redis, 30, 12),
    "postgres": (scenario_postgres, 45, 18),
}


def main(args) -> int:
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    results = []
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out_dir = ROOT / "benchmarks" / "results"
    logs = out_dir / f"resilience-{stamp}-logs"
    logs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bookclub-resilience-") as tmp:
        for name in names:
            function, full, short = SCENARIOS[name]
            seconds = args.seconds or (short if args.short else full)
            workdir = Path(tmp) / name
            workdir.mkdir()
            try:
                results.append(function(seconds, workdir))
            finally:
                # Keep the servers' logs (JSON lines) next to the results.
                for log in workdir.rglob("*.log"):
                    shutil.copy(log, logs / f"{name}-{log.name}")
    out = out_dir / f"resilience-{stamp}.json"
    out.write_text(json.dumps(results, indent=2))
    print()
    for result in results:
        print(f"{result['scenario']:<10} {'PASSED' if result['passed'] else 'FAILED'}")
    print(f"Results: {out.relative_to(ROOT)}")
    return 0 if all(r["passed"] for r in results) else 1
