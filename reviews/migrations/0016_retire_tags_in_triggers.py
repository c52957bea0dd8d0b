"""Database triggers that retire cache tags for writes no signal reports.

The club retires cache tags from Django's signals (reviews.invalidation).
A write that sends none leaves every cached response and every process's
derived values (the restricted paths, the unpublished branches) as they
were: ``PageViewRestriction.objects.bulk_create(...)`` in a script,
``Page.objects.filter(...).update(live=False)``, a site changed with
``update()``, plain SQL. A restricted or unpublished page then stayed
public. These triggers retire, in the writing transaction, what such a
change affects, whatever wrote it:

- a view restriction (or its groups), a site, or an approval of an image
  or a document, inserted, updated or deleted: what a change of structure
  retires (``reviews.cache_tags.retired_by_structure``);
- a page that goes live or stops being live (inserted live, ``live``
  changed, deleted while live): what an unpublish retires, by the page's
  content type (its own tag, its book's, the listings of its kind, the
  pages that link to it; for an index or the home page, the whole tree,
  ``site``), and ``site`` too when pages lie below it;
- a page whose tree path changes (a move): the structure;
- a review that changes book or is deleted: its books' tags and which
  reviews are public.

A new revision of a live page about the same book changes neither
``live``, ``path`` nor ``book_id``: it fires nothing here, and its handlers
retire its tags as finely as before.

Hand-written SQL, one dialect per database (SQLite, the embedded default,
and PostgreSQL): the maintained trigger library for Django supports
PostgreSQL only. The tag names are the ones in ``reviews.cache_tags``
(tests/caching/test_writes_without_signals.py compares them), written out
because a migration must not change when that module does.

Locks. Retiring a tag locks its row until the transaction ends, and every
set of tags starts with ``all`` (as ``retire_in_database``'s do), so two
transactions retiring tags cannot deadlock on the tags themselves. On
PostgreSQL the triggers are deferred to the commit: a transaction that
writes pages or restrictions takes ``all`` only once it has done all its
other writes, so it never holds ``all`` while it waits for a page row
that a publish (which holds the row, then takes ``all``) has locked, and
an open transaction does not hold up every other write. SQLite has one
writer at a time and no such waits.

Until it commits, such a transaction reads versions of its own. The club
reads versions through the view ``reviews_tagversion``; on PostgreSQL a
transaction whose writes wait for their deferred triggers (marked by an
immediate trigger that takes no lock: a transaction-local setting) reads
every version mixed with a number of its own. What it keeps meanwhile
(a script that unpublished a page and rendered a listing) is kept under
versions nobody else reads, and is never served when it rolls back.
"""

from django.db import migrations

#: What a change of structure retires (cache_tags.retired_by_structure).
STRUCTURE = ("all", "media", "public-reviews", "site")
#: The tables whose rows decide who may see which pages and media.
STRUCTURE_TABLES = (
    "wagtailcore_pageviewrestriction",
    "wagtailcore_pageviewrestriction_groups",
    "wagtailcore_site",
    "reviews_imageapproval",
    "reviews_documentapproval",
)
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
#: A review that changes book or goes: which reviews are public, about
#: which books (cache_tags.PUBLIC_REVIEWS), besides the books' own tags.
REVIEW_BOOK = ("all", "public-reviews", "reviews")
#: 2**62 - 1: versions are 62-bit non-negative numbers, as
#: ``retire_in_database``'s ``secrets.randbits(62)``.
MASK = 4611686018427387903


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


# SQLite ------------------------------------------------------------------
# Row triggers, run as each row is written. "WHERE true" tells the parser
# that ON CONFLICT belongs to the INSERT, not to a join.


def _names(tags: tuple[str, ...]) -> str:
    return " UNION ".join(f"SELECT '{tag}' AS name" for tag in tags)


def _sqlite_retire_tags(names: str) -> str:
    return (
        "INSERT INTO reviews_cachetag (name, version, strict_version, changed_at) "
        "SELECT name, random() & {mask}, random() & {mask}, "
        "strftime('%Y-%m-%d %H:%M:%f', 'now') FROM ({names}) WHERE true "
        "ON CONFLICT (name) DO UPDATE SET version = excluded.version, "
        "strict_version = excluded.strict_version, "
        "changed_at = excluded.changed_at;"
    ).format(mask=MASK, names=names)


def _sqlite_page_tags(row: str) -> str:
    other = " UNION ".join(f"SELECT '{tag}' AS tag" for tag in OTHER)
    return (
        _names(PAGE)
        + f" UNION SELECT 'page-' || {row}.id"
        + " UNION SELECT 'book-' || book_id FROM reviews_reviewpage"
        f" WHERE page_ptr_id = {row}.id AND book_id IS NOT NULL"
        f" UNION SELECT kinds.tag FROM ({_kinds_sql()}) AS kinds"
        " JOIN django_content_type AS ctype ON ctype.model = kinds.model"
        f" AND ctype.app_label = 'reviews' WHERE ctype.id = {row}.content_type_id"
        f" UNION SELECT tag FROM ({other})"
        f" WHERE NOT EXISTS ({_plugin_kind(f'{row}.content_type_id')})"
        f" UNION SELECT 'site' WHERE {row}.numchild > 0"
    )


def _sqlite_book_tags(*rows: str) -> str:
    return _names(REVIEW_BOOK) + "".join(
        f" UNION SELECT 'book-' || {row}.book_id WHERE {row}.book_id IS NOT NULL"
        for row in rows
    )


def _sqlite_triggers(retire=None) -> dict[str, tuple[str, str]]:
    """Trigger name: (its event and condition, its body). ``retire`` writes
    a body from a query of the tags' names (:func:`_sqlite_retire_tags`
    here; migration 0017 adds to it)."""
    retire = retire or _sqlite_retire_tags
    triggers = {
        f"reviews_retire_on_{table}_{op.lower()}": (
            f"AFTER {op} ON {table}",
            retire(_names(STRUCTURE)),
        )
        for table in STRUCTURE_TABLES
        for op in ("INSERT", "UPDATE", "DELETE")
    }
    triggers.update(
        {
            "reviews_retire_on_page_live": (
                "AFTER UPDATE OF live ON wagtailcore_page"
                " WHEN OLD.live IS NOT NEW.live",
                retire(_sqlite_page_tags("NEW")),
            ),
            "reviews_retire_on_page_inserted_live": (
                "AFTER INSERT ON wagtailcore_page WHEN NEW.live",
                retire(_sqlite_page_tags("NEW")),
            ),
            "reviews_retire_on_page_deleted_live": (
                "AFTER DELETE ON wagtailcore_page WHEN OLD.live",
                retire(_sqlite_page_tags("OLD")),
            ),
            "reviews_retire_on_page_moved": (
                "AFTER UPDATE OF path ON wagtailcore_page"
                " WHEN OLD.path IS NOT NEW.path",
                retire(_names(STRUCTURE)),
            ),
            "reviews_retire_on_review_book": (
                "AFTER UPDATE OF book_id ON reviews_reviewpage"
                " WHEN OLD.book_id IS NOT NEW.book_id",
                retire(_sqlite_book_tags("OLD", "NEW")),
            ),
            "reviews_retire_on_review_deleted": (
                "AFTER DELETE ON reviews_reviewpage",
                retire(_sqlite_book_tags("OLD")),
            ),
        }
    )
    return triggers


#: What the club reads the tags' versions from (reviews.content_version).
VIEW = "reviews_tagversion"


def _sqlite_statements() -> list[str]:
    return [
        f"CREATE TRIGGER {name} {event} BEGIN {body} END"
        for name, (event, body) in _sqlite_triggers().items()
    ] + [
        f"CREATE VIEW {VIEW} AS SELECT name, version, strict_version, changed_at"
        " FROM reviews_cachetag"
    ]


def _sqlite_drops() -> list[str]:
    return [f"DROP VIEW IF EXISTS {VIEW}"] + [
        f"DROP TRIGGER IF EXISTS {name}" for name in _sqlite_triggers()
    ]


# PostgreSQL --------------------------------------------------------------
# Constraint triggers, deferred: each row's runs at the commit (or at a
# SET CONSTRAINTS ... IMMEDIATE, which Django's constraint checks send),
# after the transaction's writes. A statement that changes thousands of
# pages (a subtree moved, a bulk update) runs one per row; the set of
# tags they share is retired once per such batch (reviews_retire_once:
# the batch is the client statement that fired it), each row's own tags
# (its page, its book) with it.


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
    # ``shared`` (always with ``all``) once per client statement that fires
    # triggers, then ``own``. A later statement of the same transaction
    # retires ``shared`` again: whatever ran between the two (a read that
    # kept a value under the first versions) is retired with it.
    """
CREATE OR REPLACE FUNCTION reviews_retire_once(shared text[], own text[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  mark text := 'reviews.retired_' || md5(array_to_string(shared, ' '));
  batch text := pg_current_xact_id()::text || '@' || statement_timestamp()::text;
BEGIN
  IF current_setting(mark, true) IS DISTINCT FROM batch THEN
    PERFORM reviews_retire_tags(shared);
    PERFORM set_config(mark, batch, true);
  END IF;
  IF cardinality(own) > 0 THEN
    PERFORM reviews_retire_tags(own);
  END IF;
END
$$
""",
    # Immediate, and no lock: this transaction has tags to retire at its
    # commit, so until then it reads versions of its own.
    """
CREATE OR REPLACE FUNCTION reviews_mark_pending() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('reviews.pending', pg_current_xact_id()::text, true);
  RETURN NULL;
END
$$
""",
    """
CREATE OR REPLACE FUNCTION reviews_pending_mask() RETURNS bigint
LANGUAGE sql STABLE AS $$
  -- 0 unless set in this transaction: unset it reads NULL, or '' once a
  -- transaction of the session has set it.
  SELECT coalesce(
    ('x' || substr(md5(nullif(current_setting('reviews.pending', true), '')), 1, 15))
      ::bit(60)::bigint,
    0
  )
$$
""",
    # TRUNCATE fires no row trigger, and a constraint trigger cannot watch
    # it: a statement trigger retires at once (the TRUNCATE has locked the
    # whole table anyway), so the transaction reads the new versions too.
    f"""
CREATE OR REPLACE FUNCTION reviews_retire_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM reviews_retire_tags({_array(STRUCTURE)});
  RETURN NULL;
END
$$
""",
    f"""
CREATE OR REPLACE FUNCTION reviews_retire_structure() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM reviews_retire_once({_array(STRUCTURE)}, '{{}}');
  RETURN NULL;
END
$$
""",
    f"""
CREATE OR REPLACE FUNCTION reviews_retire_page() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  page record;
  shared text[];
  own text[];
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.path IS DISTINCT FROM NEW.path THEN
    PERFORM reviews_retire_once({_array(STRUCTURE)}, '{{}}');
    IF OLD.live IS NOT DISTINCT FROM NEW.live THEN
      RETURN NULL;
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN
    page := OLD;
  ELSE
    page := NEW;
  END IF;
  shared := {_array(PAGE)}
    || ARRAY(SELECT kinds.tag FROM ({_kinds_sql()}) AS kinds
             JOIN django_content_type AS ctype ON ctype.model = kinds.model
             AND ctype.app_label = 'reviews' WHERE ctype.id = page.content_type_id);
  IF NOT EXISTS ({_plugin_kind("page.content_type_id")}) THEN
    shared := shared || {_array(OTHER)};
  END IF;
  IF page.numchild > 0 THEN
    shared := shared || ARRAY['site'];
  END IF;
  own := ARRAY['page-' || page.id]
    || ARRAY(SELECT 'book-' || book_id FROM reviews_reviewpage
             WHERE page_ptr_id = page.id AND book_id IS NOT NULL);
  PERFORM reviews_retire_once(
    ARRAY(SELECT DISTINCT tag FROM unnest(shared) AS tag ORDER BY tag), own
  );
  RETURN NULL;
END
$$
""",
    f"""
CREATE OR REPLACE FUNCTION reviews_retire_review_book() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  own text[] := ARRAY['book-' || OLD.book_id];
BEGIN
  IF TG_OP = 'UPDATE' THEN
    own := own || ARRAY['book-' || NEW.book_id];
  END IF;
  PERFORM reviews_retire_once(
    {_array(REVIEW_BOOK)}, ARRAY(SELECT tag FROM unnest(own) AS tag WHERE tag IS NOT NULL)
  );
  RETURN NULL;
END
$$
""",
]


def _postgres_triggers() -> dict[str, str]:
    """Trigger name: what follows ``CREATE CONSTRAINT TRIGGER <name>``."""
    deferred = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
    triggers = {
        f"reviews_retire_on_{table}": f"AFTER INSERT OR UPDATE OR DELETE ON {table}"
        f" {deferred} EXECUTE FUNCTION reviews_retire_structure()"
        for table in STRUCTURE_TABLES
    }
    page = "EXECUTE FUNCTION reviews_retire_page()"
    book = "EXECUTE FUNCTION reviews_retire_review_book()"
    triggers.update(
        {
            "reviews_retire_on_page_update": "AFTER UPDATE ON wagtailcore_page"
            f" {deferred} WHEN (OLD.live IS DISTINCT FROM NEW.live"
            f" OR OLD.path IS DISTINCT FROM NEW.path) {page}",
            "reviews_retire_on_page_insert": "AFTER INSERT ON wagtailcore_page"
            f" {deferred} WHEN (NEW.live) {page}",
            "reviews_retire_on_page_delete": "AFTER DELETE ON wagtailcore_page"
            f" {deferred} WHEN (OLD.live) {page}",
            "reviews_retire_on_review_book": "AFTER UPDATE ON reviews_reviewpage"
            f" {deferred} WHEN (OLD.book_id IS DISTINCT FROM NEW.book_id) {book}",
            "reviews_retire_on_review_delete": "AFTER DELETE ON reviews_reviewpage"
            f" {deferred} {book}",
        }
    )
    return triggers


def _trigger_table(definition: str) -> str:
    return definition.split(" ON ", 1)[1].split(" ", 1)[0]


#: Every table a trigger watches, for TRUNCATE.
WATCHED_TABLES = (*STRUCTURE_TABLES, "wagtailcore_page", "reviews_reviewpage")


def _truncate_triggers(tables: tuple[str, ...] = WATCHED_TABLES) -> dict[str, str]:
    return {
        f"reviews_truncated_{table}": f"AFTER TRUNCATE ON {table}"
        " FOR EACH STATEMENT EXECUTE FUNCTION reviews_retire_truncated()"
        for table in tables
    }


def _pending_markers(triggers: dict[str, str]) -> dict[str, str]:
    """For each deferred trigger in ``triggers``, an immediate one on the
    same rows that marks the transaction (``reviews_mark_pending``)."""
    return {
        name.replace("reviews_retire_", "reviews_pending_"): definition.replace(
            "DEFERRABLE INITIALLY DEFERRED ", ""
        ).rsplit(" EXECUTE FUNCTION ", 1)[0]
        + " EXECUTE FUNCTION reviews_mark_pending()"
        for name, definition in triggers.items()
    }


def _create_postgres_triggers(
    deferred: dict[str, str], truncated: dict[str, str]
) -> list[str]:
    """``deferred`` as constraint triggers, each with its immediate marker
    (:func:`_pending_markers`), and the ``truncated`` statement triggers;
    migrations 0018 and 0020 add theirs the same way."""
    immediate = {**_pending_markers(deferred), **truncated}
    return [
        f"CREATE CONSTRAINT TRIGGER {name} {definition}"
        for name, definition in deferred.items()
    ] + [f"CREATE TRIGGER {name} {definition}" for name, definition in immediate.items()]


def _drop_postgres_triggers(
    deferred: dict[str, str], truncated: dict[str, str]
) -> list[str]:
    """What :func:`_create_postgres_triggers` created, dropped."""
    triggers = {**deferred, **_pending_markers(deferred), **truncated}
    return [
        f"DROP TRIGGER IF EXISTS {name} ON {_trigger_table(definition)}"
        for name, definition in triggers.items()
    ]


def _postgres_statements() -> list[str]:
    return (
        POSTGRES_FUNCTIONS
        + _create_postgres_triggers(_postgres_triggers(), _truncate_triggers())
        + [
            f"CREATE VIEW {VIEW} AS SELECT name,"
            " version # reviews_pending_mask() AS version,"
            " strict_version # reviews_pending_mask() AS strict_version,"
            " changed_at FROM reviews_cachetag"
        ]
    )


def _postgres_drops() -> list[str]:
    return (
        [f"DROP VIEW IF EXISTS {VIEW}"]
        + _drop_postgres_triggers(_postgres_triggers(), _truncate_triggers())
        + [
            "DROP FUNCTION IF EXISTS reviews_retire_truncated()",
            "DROP FUNCTION IF EXISTS reviews_pending_mask()",
            "DROP FUNCTION IF EXISTS reviews_mark_pending()",
            "DROP FUNCTION IF EXISTS reviews_retire_review_book()",
        "DROP FUNCTION IF EXISTS reviews_retire_page()",
        "DROP FUNCTION IF EXISTS reviews_retire_structure()",
        "DROP FUNCTION IF EXISTS reviews_retire_once(text[], text[])",
            "DROP FUNCTION IF EXISTS reviews_retire_tags(text[])",
        ]
    )


def _statements(vendor: str, *, forwards: bool) -> list[str]:
    """The statements for ``vendor``; none for a database the triggers are
    not written for (the system check reviews.W004 says what that leaves)."""
    if vendor == "sqlite":
        return _sqlite_statements() if forwards else _sqlite_drops()
    if vendor == "postgresql":
        return _postgres_statements() if forwards else _postgres_drops()
    return []


def run_statements(statements) -> migrations.RunPython:
    """A ``RunPython`` that executes ``statements(vendor, forwards=...)``:
    this migration's and each later trigger migration's own, forwards and
    backwards."""

    def run(forwards: bool):
        def execute(apps, schema_editor) -> None:
            vendor = schema_editor.connection.vendor
            for statement in statements(vendor, forwards=forwards):
                schema_editor.execute(statement, params=None)

        return execute

    return migrations.RunPython(run(True), run(False))


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0015_unpublished_branches_index"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [run_statements(_statements)]
