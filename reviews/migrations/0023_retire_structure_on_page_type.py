"""A trigger for a page whose type is written without the club's code.

What the site's shape decides (the restricted pages, which Site answers a
host, the sites' root paths, the club's sections in the navigation) is kept
until ``site`` is retired (reviews/visibility.py), no longer until any
change. A page's type decides whether it is one of the club's sections, and
which tags its later changes retire (0016, 0018); Wagtail never writes it
after a page is created, but ``update()`` or SQL can. This trigger retires
what a change of structure retires (0016's ``STRUCTURE``, with ``all``)
whenever a page's ``content_type_id`` changes, whoever writes it, in the
writing transaction (on PostgreSQL at its commit, as 0016's), and queues it
for the edge (0017), as 0022's trigger does for a rating.
"""

from importlib import import_module

from django.db import migrations

retire_0016 = import_module("reviews.migrations.0016_retire_tags_in_triggers")
ratings_0022 = import_module("reviews.migrations.0022_retire_ratings_in_triggers")

NAME = "reviews_retire_on_page_type_changed"
TRIGGER = ratings_0022.ColumnTrigger(
    NAME, "wagtailcore_page", "content_type_id", retire_0016.STRUCTURE
)


def _sqlite_trigger() -> str:
    return TRIGGER.sqlite()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0022_retire_ratings_in_triggers"),
    ]

    operations = [retire_0016.run_statements(TRIGGER.statements)]
