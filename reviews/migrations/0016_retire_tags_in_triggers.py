"""Database triggers that retire cache tags for writes no signal reports.

The club retires cache tags from Django's signals (reviews.invalidation).
A write that sends none leaves every cached response and every process's
derived values (the restricted paths, the unpublished branches) as they
were: ``PageViewRestriction.objects.bulk_create(...)`` in a script,
``Page.objects.filter(...).update(live=False)``, a site changed with
``update()``, plain SQL. A restricted or unpublished page then stayed
public. These triggers retire, in the writing transaction, what such a
change affects, whatever wrote it:

- a view restriction (or its groups) or a site, inserted, updated or
  deleted: what a change of structure retires
  (``reviews.cache_tags.retired_by_structure``);
- a page that goes live or stops being live (inserted live, ``live``
  changed, deleted while live): what an unpublish retires, by the page's
  content type (its own tag, its book's, the listings of its kind, the
  pages that link to it; for an index or the home page, the whole tree,
  ``site``), and ``site`` too when pages lie below it;
- a page whose tree path changes (a move): the structure and ``site``.

A new revision of a live page changes neither ``live`` nor ``path``: it
fires nothing here, and its handlers retire its tags as finely as before.

Hand-written SQL, one dialect per database (SQLite, the embedded default,
and PostgreSQL): the maintained trigger library for Django supports
PostgreSQL only. The tag names are the ones in ``reviews.cache_tags``
(tests/caching/test_writes_without_signals.py compares them), written out
because a migration must not change when that module does.

Every set of tags starts with ``all``, as ``retire_in_database``'s do, and
is written in name order: two transactions retiring tags lock ``all``
first, so they cannot deadlock on the rest.
"""

from django.db import migrations

#: What a change of structure retires (cache_tags.retired_by_structure).
STRUCTURE = ("all", "media", "public-reviews", "site")
#: What a page going or appearing retires (cache_tags.retired_by_page with
#: ``links``), besides its own tag, its book's and its kind's.
PAGE = ("all", "linked", "media", "pages")
#: The listings a page of each of the plugin's kinds appears in, by its
#: content type's model name.
KINDS = {
    "reviewpage": ("public-reviews", "reviews"),
    "discussionpage": ("discussions",),
    "seriespage": ("series",),
}
#: Any other page (an index, the home page): what lies below it.
OTHER = ("public-reviews", "site")
#: 2**62 - 1: versions are 62-bit non-negative numbers, as
#: ``retire_in_database``'s ``secrets.randbits(62)``.
MASK = 4611686018427387903


def _names(tags: tuple[str, ...]) -> str:
    return " UNION ".join(f"SELECT '{tag}' AS name" for tag in tags)


# SQLite ------------------------------------------------------------------
# Row triggers only. One upsert per changed row; "WHERE true" tells the
# parser that ON CONFLICT belongs to the INSERT, not to a join.


def _sqlite_retire(names: str) -> str:
    return (
        "INSERT INTO reviews_cachetag (name, version, strict_version, changed_at) "
        "SELECT name, random() & {mask}, random() & {mask}, "
        "strftime('%Y-%m-%d %H:%M:%f', 'now') FROM ({names}) WHERE true "
        "ON CONFLICT (name) DO UPDATE SET version = excluded.version, "
        "strict_version = excluded.strict_version, "
        "changed_at = excluded.changed_at;"
    ).format(mask=MASK, names=names)


def _kinds_sql() -> str:
    """(model, tag) rows, one per tag of each kind of page."""
    return " UNION ALL ".join(
        f"SELECT '{model}' AS model, '{tag}' AS tag"
        for model, tags in KINDS.items()
        for tag in tags
    )


def _plugin_kind(type_id: str) -> str:
    models = ", ".join(f"'{model}'" for model in KINDS)
    return (
        f"SELECT 1 FROM django_content_type WHERE id = {type_id}"
        f" AND app_label = 'reviews' AND model IN ({models})"
    )


def _sqlite_page_tags(row: str, *, book: bool) -> str:
    names = _names(PAGE) + f" UNION SELECT 'page-' || {row}.id"
    if book:
        names += (
            " UNION SELECT 'book-' || book_id FROM reviews_reviewpage"
            f" WHERE page_ptr_id = {row}.id AND book_id IS NOT NULL"
        )
    names += (
        f" UNION SELECT kinds.tag FROM ({_kinds_sql()}) AS kinds"
        " JOIN django_content_type AS ctype ON ctype.model = kinds.model"
        f" AND ctype.app_label = 'reviews' WHERE ctype.id = {row}.content_type_id"
    )
    other = " UNION ".join(f"SELECT '{tag}' AS tag" for tag in OTHER)
    names += (
        f" UNION SELECT tag FROM ({other})"
        f" WHERE NOT EXISTS ({_plugin_kind(f'{row}.content_type_id')})"
    )
    return names + f" UNION SELECT 'site' WHERE {row}.numchild > 0"


SQLITE_TRIGGERS = {
    "reviews_retire_on_restriction_{op}": (
        "AFTER {OP} ON wagtailcore_pageviewrestriction",
        _sqlite_retire(_names(STRUCTURE)),
    ),
    "reviews_retire_on_restriction_groups_{op}": (
        "AFTER {OP} ON wagtailcore_pageviewrestriction_groups",
        _sqlite_retire(_names(STRUCTURE)),
    ),
    "reviews_retire_on_site_{op}": (
        "AFTER {OP} ON wagtailcore_site",
        _sqlite_retire(_names(STRUCTURE)),
    ),
}
SQLITE_PAGE_TRIGGERS = {
    "reviews_retire_on_page_live": (
        "AFTER UPDATE OF live ON wagtailcore_page WHEN OLD.live IS NOT NEW.live",
        _sqlite_retire(_sqlite_page_tags("NEW", book=True)),
    ),
    "reviews_retire_on_page_inserted_live": (
        "AFTER INSERT ON wagtailcore_page WHEN NEW.live",
        _sqlite_retire(_sqlite_page_tags("NEW", book=False)),
    ),
    "reviews_retire_on_page_deleted_live": (
        "AFTER DELETE ON wagtailcore_page WHEN OLD.live",
        _sqlite_retire(_sqlite_page_tags("OLD", book=True)),
    ),
    "reviews_retire_on_page_moved": (
        "AFTER UPDATE OF path ON wagtailcore_page WHEN OLD.path IS NOT NEW.path",
        _sqlite_retire(_names(STRUCTURE)),
    ),
}


def _sqlite_statements() -> list[str]:
    statements = []
    for name, (when, body) in SQLITE_TRIGGERS.items():
        for op in ("insert", "update", "delete"):
            trigger = name.format(op=op)
            event = when.format(OP=op.upper())
            statements.append(f"CREATE TRIGGER {trigger} {event} BEGIN {body} END")
    for trigger, (event, body) in SQLITE_PAGE_TRIGGERS.items():
        statements.append(f"CREATE TRIGGER {trigger} {event} BEGIN {body} END")
    return statements


def _sqlite_drops() -> list[str]:
    names = [
        name.format(op=op)
        for name in SQLITE_TRIGGERS
        for op in ("insert", "update", "delete")
    ]
    names += list(SQLITE_PAGE_TRIGGERS)
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


# PostgreSQL --------------------------------------------------------------
# The restrictions and sites change a row at a time: row triggers. Pages
# change by the thousand in one statement (a subtree moved, a bulk
# update): one statement trigger reads the changed rows from its
# transition tables and retires their tags in one upsert.


def _array(tags: tuple[str, ...]) -> str:
    return "ARRAY[" + ", ".join(f"'{tag}'" for tag in tags) + "]::text[]"


POSTGRES_FUNCTIONS = [
    f"""
CREATE OR REPLACE FUNCTION reviews_retire_tags(names text[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO reviews_cachetag (name, version, strict_version, changed_at)
  SELECT name, version, version, clock_timestamp() FROM (
    SELECT name, floor(random() * {MASK})::bigint AS version
    FROM (SELECT DISTINCT unnest(names) AS name) AS distinct_names
    ORDER BY name COLLATE "C"
  ) AS tags
  ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version,
    strict_version = EXCLUDED.strict_version, changed_at = EXCLUDED.changed_at
$$
""",
    f"""
CREATE OR REPLACE FUNCTION reviews_retire_structure() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM reviews_retire_tags({_array(STRUCTURE)});
  RETURN NULL;
END
$$
""",
    f"""
CREATE OR REPLACE FUNCTION reviews_retire_pages() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  went integer[];
  went_types integer[];
  branch boolean;
  moved boolean;
  tags text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(id), array_agg(DISTINCT content_type_id),
           bool_or(numchild > 0), false
      INTO went, went_types, branch, moved
    FROM new_pages WHERE live;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(id), array_agg(DISTINCT content_type_id),
           bool_or(numchild > 0), false
      INTO went, went_types, branch, moved
    FROM old_pages WHERE live;
  ELSE
    SELECT array_agg(after_row.id) FILTER (WHERE before_row.live <> after_row.live),
           array_agg(DISTINCT after_row.content_type_id)
             FILTER (WHERE before_row.live <> after_row.live),
           bool_or(after_row.numchild > 0) FILTER (WHERE before_row.live <> after_row.live),
           bool_or(before_row.path <> after_row.path)
      INTO went, went_types, branch, moved
    FROM old_pages AS before_row JOIN new_pages AS after_row ON after_row.id = before_row.id
    WHERE before_row.live <> after_row.live OR before_row.path <> after_row.path;
  END IF;
  tags := '{{}}';
  IF went IS NOT NULL THEN
    tags := {_array(PAGE)}
      || ARRAY(SELECT 'page-' || id FROM unnest(went) AS id)
      || ARRAY(SELECT 'book-' || book_id FROM reviews_reviewpage
               WHERE page_ptr_id = ANY(went) AND book_id IS NOT NULL)
      || ARRAY(SELECT kinds.tag FROM ({_kinds_sql()}) AS kinds
               JOIN django_content_type AS ctype ON ctype.model = kinds.model
               AND ctype.app_label = 'reviews' WHERE ctype.id = ANY(went_types));
    IF EXISTS (SELECT 1 FROM unnest(went_types) AS type_id
               WHERE NOT EXISTS ({_plugin_kind("type_id")})) THEN
      tags := tags || {_array(OTHER)};
    END IF;
  END IF;
  IF moved THEN
    tags := tags || {_array(STRUCTURE)};
  ELSIF branch THEN
    tags := tags || ARRAY['site'];
  END IF;
  IF cardinality(tags) > 0 THEN
    PERFORM reviews_retire_tags(tags);
  END IF;
  RETURN NULL;
END
$$
""",
]

POSTGRES_TRIGGERS = [
    "CREATE TRIGGER reviews_retire_on_restriction AFTER INSERT OR UPDATE OR DELETE"
    " ON wagtailcore_pageviewrestriction"
    " FOR EACH ROW EXECUTE FUNCTION reviews_retire_structure()",
    "CREATE TRIGGER reviews_retire_on_restriction_groups"
    " AFTER INSERT OR UPDATE OR DELETE ON wagtailcore_pageviewrestriction_groups"
    " FOR EACH ROW EXECUTE FUNCTION reviews_retire_structure()",
    "CREATE TRIGGER reviews_retire_on_site AFTER INSERT OR UPDATE OR DELETE"
    " ON wagtailcore_site FOR EACH ROW EXECUTE FUNCTION reviews_retire_structure()",
    # A trigger with transition tables takes one event.
    "CREATE TRIGGER reviews_retire_on_page_insert AFTER INSERT ON wagtailcore_page"
    " REFERENCING NEW TABLE AS new_pages"
    " FOR EACH STATEMENT EXECUTE FUNCTION reviews_retire_pages()",
    "CREATE TRIGGER reviews_retire_on_page_update AFTER UPDATE ON wagtailcore_page"
    " REFERENCING OLD TABLE AS old_pages NEW TABLE AS new_pages"
    " FOR EACH STATEMENT EXECUTE FUNCTION reviews_retire_pages()",
    "CREATE TRIGGER reviews_retire_on_page_delete AFTER DELETE ON wagtailcore_page"
    " REFERENCING OLD TABLE AS old_pages"
    " FOR EACH STATEMENT EXECUTE FUNCTION reviews_retire_pages()",
]

POSTGRES_DROPS = [
    "DROP TRIGGER IF EXISTS reviews_retire_on_restriction"
    " ON wagtailcore_pageviewrestriction",
    "DROP TRIGGER IF EXISTS reviews_retire_on_restriction_groups"
    " ON wagtailcore_pageviewrestriction_groups",
    "DROP TRIGGER IF EXISTS reviews_retire_on_site ON wagtailcore_site",
    "DROP TRIGGER IF EXISTS reviews_retire_on_page_insert ON wagtailcore_page",
    "DROP TRIGGER IF EXISTS reviews_retire_on_page_update ON wagtailcore_page",
    "DROP TRIGGER IF EXISTS reviews_retire_on_page_delete ON wagtailcore_page",
    "DROP FUNCTION IF EXISTS reviews_retire_pages()",
    "DROP FUNCTION IF EXISTS reviews_retire_structure()",
    "DROP FUNCTION IF EXISTS reviews_retire_tags(text[])",
]


def _statements(vendor: str, *, forwards: bool) -> list[str]:
    """The statements for ``vendor``; none for a database the triggers are
    not written for (the system check reviews.W004 says what that leaves)."""
    if vendor == "sqlite":
        return _sqlite_statements() if forwards else _sqlite_drops()
    if vendor == "postgresql":
        return POSTGRES_FUNCTIONS + POSTGRES_TRIGGERS if forwards else POSTGRES_DROPS
    return []


def create_triggers(apps, schema_editor) -> None:
    for statement in _statements(schema_editor.connection.vendor, forwards=True):
        schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor) -> None:
    for statement in _statements(schema_editor.connection.vendor, forwards=False):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0015_unpublished_branches_index"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
