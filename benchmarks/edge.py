"""The club as production runs it: two app nodes behind Varnish.

Two gunicorns on two ports share one database (PostgreSQL when
``DATABASE_URL`` names a scratch one, else an SQLite file) and, when given,
one Redis; ``varnishd`` with ``deploy/varnish/bookclub.vcl`` sits in front
and the nodes purge it by surrogate key (``VARNISH_URLS``), as does
``manage.py purge_edge`` for writes that send no signal. Used by the edge
test (tests/edge/), the benchmark's Varnish rows and, by hand:

    python -m benchmarks edge            # serve until Ctrl-C, print the URLs

``python -m benchmarks.edge prepare OUT.json REVIEWS`` runs inside Django
(migrate, seed, an editor, a member, an open round) and writes what the
clients need.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from .runtime import ROOT, Gunicorn, Server, Varnish, base_env, run_django

PASSWORD = "edge-only"  # noqa: S105 (a scratch database on 127.0.0.1)


@dataclass
class EdgeStack:
    """``nodes`` app servers and Varnish in front; a context manager."""

    database_url: str
    workdir: Path
    redis_url: str | None = None
    nodes: int = 2
    workers: int = 1
    extra_env: dict[str, str] = field(default_factory=dict)
    #: How often ``manage.py purge_edge`` looks at its queue (seconds).
    purge_interval: float = 0.5
    #: What ``prepare`` made: ids, URLs and logins (see :func:`prepare`).
    club: dict = field(default_factory=dict)
    servers: list[Gunicorn] = field(default_factory=list)
    varnish: Varnish | None = None
    purger: PurgeEdge | None = None
    _stack: ExitStack = field(default_factory=ExitStack)

    def env(self) -> dict[str, str]:
        extra = {"STATIC_ROOT": str(self.workdir / "static")} | self.extra_env
        if self.redis_url:
            extra["REDIS_URL"] = self.redis_url
        return base_env(self.database_url, **extra)

    def prepare(self, reviews: int = 30) -> dict:
        """Migrate and seed the scratch database; empty the Redis database."""
        if self.redis_url:
            import redis

            redis.Redis.from_url(self.redis_url).flushdb()
        out = self.workdir / "edge-club.json"
        run_django(
            ["-m", "benchmarks.edge", "prepare", str(out), str(reviews)], self.env()
        )
        self.club = json.loads(out.read_text())
        return self.club

    def __enter__(self) -> EdgeStack:
        self.workdir.mkdir(parents=True, exist_ok=True)
        try:
            servers = [
                Gunicorn(self.env(), self.workers, self.workdir / f"node{n}.log")
                for n in range(self.nodes)
            ]
            self.varnish = Varnish([s.port for s in servers], self.workdir / "varnish")
            purge_to = {"VARNISH_URLS": f"http://127.0.0.1:{self.varnish.port}"}
            for server in servers:
                server.env |= purge_to
                self.servers.append(self._stack.enter_context(server))
            self._stack.enter_context(self.varnish)
            self.purger = self._stack.enter_context(
                PurgeEdge(
                    servers[0].env,
                    self.workdir / "purge_edge.log",
                    interval=self.purge_interval,
                )
            )
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()


class PurgeEdge(Server):
    """``manage.py purge_edge`` with a node's environment: the edge purged
    of what the database's triggers retired (writes that send no signal)."""

    port = 0

    def __init__(self, env: dict[str, str], log: Path, interval: float = 0.5):
        self.env = env
        self.log_path = log
        self.interval = interval

    def start(self, timeout: float = 60) -> PurgeEdge:
        """Started once it has said, in the database, that it runs."""
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "purge_edge",
                "--interval",
                str(self.interval),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=open(self.log_path, "ab"),  # noqa: SIM115 (the process's)
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"purge_edge exited ({self.process.returncode})")
            if b"Purging the edge as" in self.log_path.read_bytes():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("purge_edge did not start")


def serve(reviews: int, redis_url: str | None) -> int:
    """``python -m benchmarks edge``: the stack, until Ctrl-C."""
    import os
    import tempfile
    import time

    from .runtime import recreate_postgres

    with tempfile.TemporaryDirectory(prefix="bookclub-edge-") as tmp:
        database_url = os.environ.get("DATABASE_URL", "")
        if database_url.startswith("postgres"):
            recreate_postgres(database_url)
        else:
            database_url = f"sqlite:///{tmp}/edge.sqlite3"
        stack = EdgeStack(database_url, Path(tmp), redis_url=redis_url)
        club = stack.prepare(reviews)
        with stack:
            assert stack.varnish is not None
            print(f"Varnish:  {stack.varnish.url('/')}")
            for n, server in enumerate(stack.servers):
                print(f"node {'AB'[n]}:   {server.url('/')}")
            print(
                f"Logins: {club['editor']} (editor), {club['member']} (member), "
                f"password {club['password']}. Ctrl-C stops everything.",
                flush=True,
            )
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    return 0


def prepare(out: Path, reviews: int) -> None:
    """Inside Django: a small club with an editor, a member and an open round."""
    from benchmarks.migrate import migrate
    from benchmarks.seed import seed
    from reviews.models import ReviewIndexPage

    migrate()
    seed(reviews, report=lambda line: print(line, flush=True))
    club = club_for_writes()
    # A second review index, for moving a review somewhere else.
    home = ReviewIndexPage.objects.get().get_parent()
    archive = home.add_child(instance=ReviewIndexPage(title="Archive", slug="archive"))
    club["archive_index"] = archive.pk
    out.write_text(json.dumps(club))


def club_for_writes() -> dict:
    """Inside Django, after seeding: an editor and a member, an open round
    with two nominations, and what the writers and readers need to know."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from benchmarks.seed import reveal_paths
    from reviews.models import (
        Book,
        DiscussionPage,
        Nomination,
        NominationRound,
        ReviewIndexPage,
        ReviewPage,
    )
    from reviews.roles import EDITORS, MEMBERS, MODERATORS, ensure_groups

    index = ReviewIndexPage.objects.get()
    groups = ensure_groups(index)
    User = get_user_model()
    editor, _ = User.objects.get_or_create(
        username="edge-editor",
        defaults={"email": "editor@example.org", "first_name": "Edith"},
    )
    editor.set_password(PASSWORD)
    editor.save()
    editor.groups.add(groups[EDITORS], groups[MODERATORS])
    member, _ = User.objects.get_or_create(
        username="edge-member",
        defaults={"email": "member@example.org", "first_name": "Mervyn"},
    )
    member.set_password(PASSWORD)
    member.save()
    member.groups.add(groups[MEMBERS])
    books = list(Book.objects.order_by("pk")[:2])
    now = timezone.now()
    nomination_round = NominationRound.objects.create(
        title="Our next book", opens_at=now, closes_at=now + timedelta(days=30)
    )
    nominations = [
        Nomination.objects.create(
            round=nomination_round, book=book, nominated_by=user, pitch="Read it."
        ).pk
        for book, user in zip(books, (editor, member), strict=True)
    ]
    shown = list(ReviewPage.objects.live().order_by("-first_published_at", "pk")[:10])
    # A database a writer has used (``run --keep``) has these reviews'
    # bodies replaced by the admin's form, which has no spoiler: then the
    # oldest reviews, which it never edits, give the reveal.
    oldest = ReviewPage.objects.live().order_by("pk")[:20]
    reveal = (reveal_paths(shown) or reveal_paths(oldest))[0]
    return {
        "password": PASSWORD,
        "editor": editor.username,
        "member": member.username,
        "member_name": member.first_name,
        "review_index": index.pk,
        "book": books[0].pk,
        "reviews": [
            {
                "id": page.pk,
                "title": page.title,
                "slug": page.slug,
                "url": page.url,
                "book": page.book_id,
                "reviewer": editor.pk,
            }
            for page in shown
        ],
        "reveal": reveal,
        "discussions": [
            {"id": page.pk, "url": page.url}
            for page in DiscussionPage.objects.live().order_by("starts_at")
        ],
        "round": nomination_round.pk,
        "nomination": nominations[0],
        "nominations": nominations,
    }


if __name__ == "__main__":
    import django

    django.setup()
    if sys.argv[1] == "prepare":
        prepare(Path(sys.argv[2]), int(sys.argv[3]))
