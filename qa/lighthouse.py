"""Lighthouse on every page type of the demo club: ``make lighthouse``.

Starts the demo club on a fresh SQLite database (or uses ``--base-url``),
finds one URL of each page type by crawling (``qa/crawl.py``), runs
Lighthouse from ``qa/node_modules`` in Debian's Chromium on each, as an
anonymous reader and, for the pages a member sees differently, as a member;
writes the reports to ``test-artifacts/lighthouse/`` and a table to stdout.
A few ``qa/lighthouse-runs.mjs`` (``--jobs``) share the pages out, each a
Lighthouse and a Chromium started once, every page in a fresh browser
context: starting them for each page cost a third of its CPU (2 s of 6).

Exits 1 when a page scores under ``--min-score`` (0.95) for accessibility,
best practices or SEO. Pages that ask not to be indexed (``noindex``: search
results, a member's own reading list) are held to accessibility and best
practices only: Lighthouse's SEO score counts "blocked from indexing"
against them, which is what they are for.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import queue
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "qa" / "node_modules" / "lighthouse"
RUNS = ROOT / "qa" / "lighthouse-runs.mjs"
#: Seconds one page may take before the run fails.
PAGE_TIMEOUT = 200
CATEGORIES = ("accessibility", "best-practices", "seo")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage "
    "--disable-background-networking --disable-component-update --disable-sync "
    "--disable-quic --no-first-run"
)
#: Page types whose member view differs enough to check it too.
MEMBER_TYPES = (
    "ReviewPage",
    "DiscussionPage",
    "SeriesPage",
    "reviews:my_reading",
    "reviews:my_stats",
    "reviews:notification_settings",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own server
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the demo server did not answer at {url}")


def _targets() -> list[tuple[str, str, str, str | None]]:
    """``(viewer, page type, path, session cookie)`` for each page type, found
    by crawling the database the server uses."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    from qa.crawl import page_types

    member = Client()
    member.force_login(get_user_model().objects.get(username="alice"))
    session = member.cookies[settings.SESSION_COOKIE_NAME].value
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
    logging.getLogger("django.request").setLevel(logging.ERROR)
    targets: list[tuple[str, str, str, str | None]] = [
        ("anonymous", kind, path, None)
        for kind, path in page_types(Client()).items()
        if kind != "not-found"  # Lighthouse refuses to audit a 404
    ]
    targets += [
        ("member", kind, path, cookie)
        for kind, path in page_types(member).items()
        if kind in MEMBER_TYPES
    ]
    return targets


class _Lighthouse:
    """One ``qa/lighthouse-runs.mjs``: a Chromium and a Lighthouse that audit
    one page after another, each page in a fresh browser context."""

    def __init__(self, node: str) -> None:
        env = {
            **os.environ,
            "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium"),
        }
        self.process = subprocess.Popen(
            [node, str(RUNS), json.dumps(CHROME_FLAGS.split())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        if self.process.stdin is None or self.process.stdout is None:
            raise RuntimeError("no pipe to qa/lighthouse-runs.mjs")
        self.stdin, self.stdout = self.process.stdin, self.process.stdout

    def audit(self, url: str, report: Path, cookie: str | None) -> dict:
        target = {
            "url": url,
            "report": str(report),
            "cookie": cookie,
            "categories": list(CATEGORIES),
        }
        self.stdin.write(json.dumps(target) + "\n")
        self.stdin.flush()
        ready, _, _ = select.select([self.stdout], [], [], PAGE_TIMEOUT)
        answer = json.loads(self.stdout.readline() or "{}") if ready else {}
        if not answer.get("ok"):
            raise RuntimeError(
                f"Lighthouse failed on {url}: {answer.get('error', 'no answer')}"
            )
        return json.loads(report.read_text())

    def close(self) -> None:
        self.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _failed_audits(result: dict, category: str) -> list[str]:
    refs = result["categories"][category]["auditRefs"]
    audits = result["audits"]
    return [
        audits[ref["id"]]["title"]
        for ref in refs
        if ref["weight"]
        and (audits[ref["id"]].get("score") or 0) < 1
        and audits[ref["id"]].get("scoreDisplayMode") == "binary"
    ]


def _scores(result: dict, min_score: float) -> tuple[list[str], list[str]]:
    """The table's cells for one report, and the categories under
    ``min_score`` with their failed audits."""
    noindex = not all(
        audit.get("score", 1) == 1
        for key, audit in result["audits"].items()
        if key == "is-crawlable"
    )
    cells, below = [], []
    for category in CATEGORIES:
        score = result["categories"][category]["score"] or 0
        gated = not (category == "seo" and noindex)
        cells.append(f"{score * 100:.0f}" + ("" if gated else " (noindex)"))
        if gated and score < min_score:
            below.append(
                f"{category} {score * 100:.0f}: "
                + "; ".join(_failed_audits(result, category))
            )
    return cells, below


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-score", type=float, default=0.95)
    parser.add_argument(
        "--jobs",
        type=int,
        default=3,
        help="pages audited at once (each Lighthouse with its own Chromium)",
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "test-artifacts" / "lighthouse"
    )
    args = parser.parse_args(argv)
    node = shutil.which("node")
    if not LIGHTHOUSE.exists() or node is None:
        print(f"Lighthouse is not installed ({LIGHTHOUSE}): npm ci --prefix qa")
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="bookclub-lighthouse-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bookclub.settings.dev",
        DATABASE_URL=f"sqlite:///{workdir / 'demo.sqlite3'}",
        MEDIA_ROOT=str(workdir / "media"),
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    started = time.monotonic()
    # Migrated as the benchmarks' scratch databases are: from the copy that
    # the test suite or a benchmark kept, when there is one (13-20 s of CPU
    # saved; benchmarks/migrate.py).
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from benchmarks.migrate import migrate; migrate()",
        ],
        check=True,
        cwd=ROOT,
    )
    subprocess.run([*manage, "load_demo"], check=True, stdout=subprocess.DEVNULL)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    failures: list[str] = []
    try:
        _wait_for(base + "/")
        print(f"| viewer | page type | path | {' | '.join(CATEGORIES)} |")
        print("|---|---|---|" + "---|" * len(CATEGORIES))
        targets = _targets()
        jobs = max(1, min(args.jobs, len(targets)))
        idle: queue.Queue[_Lighthouse] = queue.Queue()
        for _ in range(jobs):
            idle.put(_Lighthouse(node))

        def run(target: tuple[str, str, str, str | None]) -> dict:
            viewer, kind, path, cookie = target
            name = f"{viewer}-{kind.replace(':', '-')}"
            lighthouse = idle.get()
            try:
                return lighthouse.audit(base + path, args.out / f"{name}.json", cookie)
            finally:
                idle.put(lighthouse)

        # Most of a page's audit is Lighthouse waiting for the page to settle,
        # not work: a few at once use the cores that would sit idle. Rows
        # print in the targets' order.
        try:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                for (viewer, kind, path, _), result in zip(
                    targets, pool.map(run, targets), strict=True
                ):
                    cells, below = _scores(result, args.min_score)
                    failures += [
                        f"{kind} ({path}) as {viewer}: {failure}" for failure in below
                    ]
                    print(
                        f"| {viewer} | {kind} | {path} | {' | '.join(cells)} |",
                        flush=True,
                    )
        finally:
            while not idle.empty():
                idle.get().close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"\n{time.monotonic() - started:.0f} s; reports in {args.out}")
    for failure in failures:
        print("BELOW", f"{args.min_score * 100:.0f}:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
