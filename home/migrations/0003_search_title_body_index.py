"""A GIN index on ``title || body`` of Wagtail's PostgreSQL search index.

The database search backend matches ``(title || body) @@ query``; Wagtail's
migrations index the two vectors separately, which that expression cannot
use, so every search read every index entry. No-op on other databases.
"""

from django.db import migrations

INDEX = "bookclub_search_title_body_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailsearch_indexentry "
            "USING gin ((title || body))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0002_create_homepage"),
        ("wagtailsearch", "0006_customise_indexentry"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
