"""How long a Goodreads import takes on SQLite.

    python benchmarks/goodreads_import.py --rows 5000

Builds a scratch SQLite database in a temporary directory (migrated, with a
member, a review index and a series index), generates an export with
``make_export_csv`` and times ``import_export`` on it, then times a second run
of the same file (which must create nothing). Prints rows per second, the
wall-clock and CPU seconds (on a busy machine the two differ). The target is
5,000 rows in under a minute.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup_django(database: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookclub.settings.test")
    import django

    django.setup()


def _prepare_site():
    from django.contrib.auth import get_user_model
    from wagtail.models import Page, Site

    from reviews.models import ReviewIndexPage, SeriesIndexPage

    root = Site.objects.get(is_default_site=True).root_page
    for model, slug, title in (
        (ReviewIndexPage, "reviews", "Reviews"),
        (SeriesIndexPage, "series", "Series"),
    ):
        page = model(title=title, slug=slug)
        Page.objects.get(pk=root.pk).add_child(instance=page)
        page.save_revision().publish()
    return get_user_model().objects.create_user(
        "reader", first_name="Rita", last_name="Reader"
    )


def _run(label: str, data: str, member, rows: int, publish: bool):
    from reviews.goodreads.importer import import_export

    started, cpu = time.perf_counter(), time.process_time()
    report = import_export(data, member, publish=publish)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"{label}: {rows} rows in {seconds:.1f} s ({rows / seconds:.0f} rows/s), "
        f"{cpu:.1f} s of CPU"
    )
    print(f"  {report.summary()}")
    return report, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--publish", action="store_true", help="publish reviews")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="goodreads-bench-") as scratch:
        _setup_django(Path(scratch) / "bench.sqlite3")
        from benchmarks.migrate import migrate
        from reviews.goodreads.sample import make_export_csv

        migrate()
        member = _prepare_site()
        data = make_export_csv(args.rows, seed=args.seed)

        first, seconds = _run("first import", data, member, args.rows, args.publish)
        second, _ = _run("second import", data, member, args.rows, args.publish)
        created = second.books_created + second.reviews_created + second.series_created
        if created:
            print("  the second import created something: it should not have")
            return 1
        print(f"total: {seconds:.1f} s for the first import of {args.rows} rows")
        return 0 if first.ok else 1


if __name__ == "__main__":
    sys.exit(main())
