"""Runs inside Django for the resilience scripts: set the club up with
members and editors who own pages to edit, and afterwards check that every
acknowledged write is in the database.

    python -m benchmarks.club prepare OUT.json
    python -m benchmarks.club verify WRITES.json
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

PASSWORD = "resilience-only"  # noqa: S105 (a scratch database on 127.0.0.1)
PAGES_PER_WRITER = 3


def prepare(out: Path, writers: int) -> None:
    from django.contrib.auth import get_user_model

    from benchmarks.migrate import migrate
    from benchmarks.seed import seed
    from reviews.models import Book, DiscussionPage, ReviewIndexPage, ReviewPage
    from reviews.roles import EDITORS, MEMBERS, MODERATORS, ensure_groups
    from reviews.stream_values import heading

    migrate()
    seed(200, report=lambda line: print(line, flush=True))
    index = ReviewIndexPage.objects.get()
    groups = ensure_groups(index)
    book = Book.objects.order_by("pk").first()
    User = get_user_model()
    accounts = []
    for n in range(writers):
        role = "editor" if n % 3 == 0 else "member"
        user = User.objects.create_user(
            f"{role}{n}", f"{role}{n}@example.org", PASSWORD, first_name=role.title()
        )
        if role == "editor":
            user.groups.add(groups[EDITORS], groups[MODERATORS])
        else:
            user.groups.add(groups[MEMBERS])
        pages = []
        for p in range(PAGES_PER_WRITER if role == "editor" else 0):
            page = ReviewPage(
                title=f"Resilience {role} {n}.{p}",
                slug=f"resilience-{role}-{n}-{p}",
                book=book,
                summary="Before the run.",
                body=[heading("Before", block_id=str(uuid.uuid4()))],
                owner=user,
                reviewer=user,
            )
            index.add_child(instance=page)
            page.save_revision(user=user).publish()
            pages.append(
                {
                    "id": page.pk,
                    "title": page.title,
                    "slug": page.slug,
                    "book": book.pk,
                    "reviewer": user.pk,
                }
            )
        accounts.append({"username": user.username, "role": role, "pages": pages})
    discussions = list(DiscussionPage.objects.live().values_list("pk", flat=True))
    out.write_text(
        json.dumps(
            {"password": PASSWORD, "accounts": accounts, "discussions": discussions}
        )
    )


def verify(writes_path: Path) -> int:
    """Every acknowledged write is stored; the last acknowledged publish of
    each page is what the page shows."""
    from wagtail.models import Revision

    from reviews.models import DiscussionComment, ReviewPage

    writes = json.loads(writes_path.read_text())
    missing = []
    last_publish: dict[int, str] = {}
    for write in writes:
        if write["kind"] == "comment":
            stored = DiscussionComment.objects.filter(
                page_id=write["page"], body=write["marker"]
            ).exists()
        else:
            stored = Revision.objects.filter(
                object_id=str(write["page"]), content__summary=write["marker"]
            ).exists()
        if not stored:
            missing.append(write)
        if write["kind"] == "publish":
            last_publish[write["page"]] = write["marker"]
    stale = [
        {"page": page_id, "expected": marker}
        for page_id, marker in last_publish.items()
        if ReviewPage.objects.get(pk=page_id).summary != marker
    ]
    print(
        json.dumps(
            {
                "acknowledged": len(writes),
                "missing": missing[:10],
                "missing_count": len(missing),
                "stale_publishes": stale[:10],
            }
        )
    )
    return 1 if missing or stale else 0


if __name__ == "__main__":
    import django

    django.setup()
    command, path = sys.argv[1], Path(sys.argv[2])
    if command == "prepare":
        prepare(path, int(sys.argv[3]) if len(sys.argv) > 3 else 6)
    else:
        sys.exit(verify(path))
