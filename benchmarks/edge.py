"""The club as production runs it: two app nodes behind Varnish.

Two gunicorns on two ports share one database (PostgreSQL when
``DATABASE_URL`` names a scratch one, else an SQLite file) and, when given,
one Redis; ``varnishd`` with ``deploy/varnish/bookclub.vcl`` sits in front
and the nodes purge it by surrogate key (``VARNISH_URLS``). Used by the edge
test (tests/edge/), the benchmark's Varnish rows and, by hand:

    python -m benchmarks edge            # serve until Ctrl-C, print the URLs

``python -m benchmarks.edge prepare OUT.json REVIEWS`` runs inside Django
(migrate, seed, an editor, a member, an open round) and writes what the
clients need.
"""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from .runtime import Gunicorn, Varnish, base_env, run_django

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
    #: What ``prepare`` made: ids, URLs and logins (see :func:`prepare`).
    club: dict = field(default_factory=dict)
    servers: list[Gunicorn] = field(default_factory=list)
    varnish: Varnish | None = None
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
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()


def prepare(out: Path, reviews: int) -> None:
    """Inside Django: a small club with an editor, a member and an open round."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from benchmarks.seed import seed
    from reviews.models import (
        Book,
        DiscussionPage,
        Nomination,
        NominationRound,
        ReviewIndexPage,
        ReviewPage,
    )
    from reviews.roles import EDITORS, MEMBERS, MODERATORS, ensure_groups

    call_command("migrate", verbosity=0, interactive=False)
    seed(reviews, report=lambda line: print(line, flush=True))
    index = ReviewIndexPage.objects.get()
    groups = ensure_groups(index)
    User = get_user_model()
    editor = User.objects.create_user(
        "edge-editor", "editor@example.org", PASSWORD, first_name="Edith"
    )
    editor.groups.add(groups[EDITORS], groups[MODERATORS])
    member = User.objects.create_user(
        "edge-member", "member@example.org", PASSWORD, first_name="Mervyn"
    )
    member.groups.add(groups[MEMBERS])
    book = Book.objects.order_by("pk").first()
    assert book is not None
    now = timezone.now()
    nomination_round = NominationRound.objects.create(
        title="Our next book", opens_at=now, closes_at=now + timedelta(days=30)
    )
    nomination = Nomination.objects.create(
        round=nomination_round, book=book, nominated_by=editor, pitch="Read it."
    )
    reviews_shown = [
        {
            "id": page.pk,
            "title": page.title,
            "slug": page.slug,
            "url": page.url,
            "book": page.book_id,
            "reviewer": editor.pk,
        }
        for page in ReviewPage.objects.live().order_by("-first_published_at", "pk")[:10]
    ]
    discussions = [
        {"id": page.pk, "url": page.url}
        for page in DiscussionPage.objects.live().order_by("starts_at")
    ]
    from benchmarks.prepare import reveal_paths

    reveals = reveal_paths(
        ReviewPage.objects.filter(pk__in=[r["id"] for r in reviews_shown])
    )
    out.write_text(
        json.dumps(
            {
                "password": PASSWORD,
                "member_name": member.first_name,
                "reveal": reveals[0],
                "editor": editor.username,
                "member": member.username,
                "review_index": index.pk,
                "book": book.pk,
                "reviews": reviews_shown,
                "discussions": discussions,
                "round": nomination_round.pk,
                "nomination": nomination.pk,
            }
        )
    )


if __name__ == "__main__":
    import django

    django.setup()
    if sys.argv[1] == "prepare":
        prepare(Path(sys.argv[2]), int(sys.argv[3]))
