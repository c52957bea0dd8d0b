"""An index on Wagtail's page table for the club's "pages below an
unpublished one" lookup (reviews.visibility.unpublished_branch_paths).

It runs after every change, in every process, and without an index both
databases read the whole page table for it (3.6 ms at 20,000 reviews on
PostgreSQL, for the few unpublished pages there usually are). A partial
index holds only the unpublished pages. The condition is ``NOT live``
alone: SQLite uses a partial index only where the query's own condition
implies the index's, and the query compares ``numchild`` with a bound
parameter, which SQLite cannot reason about.
"""

from django.db import migrations

INDEX = "reviews_unpublished_page_path"


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0014_cache_tag_strict_version"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailcore_page (path) "
            "WHERE NOT live",
            f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
