"""The ``title || body`` search index without GIN's pending list.

With ``fastupdate`` on (PostgreSQL's default) new index entries wait in an
unsorted pending list until a vacuum merges them, and every search reads
that whole list: after a bulk import or ``update_index`` of 20,000 reviews a
new-title search spent 7–10 ms of its 10 ms there instead of 1 ms. A club
writes few reviews a day, so each insert merging at once costs nothing
noticeable. No-op on other databases.
"""

from django.db import migrations

INDEX = "bookclub_search_title_body_gin"


def without_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {INDEX} SET (fastupdate = off)")
        # Turning it off keeps what is already pending: merge that now.
        schema_editor.execute(f"SELECT gin_clean_pending_list('{INDEX}'::regclass)")


def with_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {INDEX} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("home", "0003_search_title_body_index")]

    operations = [migrations.RunPython(without_pending_list, with_pending_list)]
