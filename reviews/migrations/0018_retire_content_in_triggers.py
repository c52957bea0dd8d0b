"""Triggers for content changed without signals: a live page's text, a
book, a comment.

Migration 0016's triggers catch the writes no signal reports where they
decide who may see what (restrictions, sites, a page going live or not, a
move, a review's book). A script or a data migration may also change what
a live page *says* with ``update()`` or SQL (its body, its title, its
slug), rename a book, or remove a comment: the app kept serving the old
text, and a comment a moderator's script removed stayed on show. These
triggers retire, in the writing transaction (on PostgreSQL at its commit,
as 0016's), what such a change shows on:

- a live page whose shown columns change (``wagtailcore_page`` less its
  tree, publishing and draft bookkeeping: :data:`PAGE_UNSHOWN`), or whose
  row in one of the plugin's page tables changes: the page's own tag, its
  review's book, ``pages`` and its kind's listing (an index or any other
  page: ``site`` and ``public-reviews``), and ``linked`` when its URL
  changes. What a new revision of a live page retires, no more: which
  reviews are public does not change with a page's text;
- a book inserted, changed or deleted: what saving it retires
  (``reviews.cache_tags.retired_by_book``);
- a comment changed or deleted (an edit, a removal): its discussion's
  comments (``retired_by_comment``). A comment *inserted* without signals
  is not caught: it would retire strictly what the app retires as a change
  that may show a moment late (reviews/response_cache/builds.py), on every
  comment; it shows with its discussion's next change.

A draft saved through Wagtail writes only the draft bookkeeping of
``wagtailcore_page`` and fires nothing. A publish writes the page's shown
columns and its specific row, so it fires these triggers besides its
signal handlers: the same tags retired once more, in the same transaction.

Like 0016's, the triggers queue the tags they retire for the edge (0017).
The columns are written out, as a migration must not change when the
models do; tests/caching/test_writes_without_signals.py compares them
with the models', so a new column fails it until a migration watches it.
"""

from importlib import import_module

from django.db import migrations

retire_0016 = import_module("reviews.migrations.0016_retire_tags_in_triggers")
queue_0017 = import_module("reviews.migrations.0017_edge_purge_queue")

#: Columns of ``wagtailcore_page`` no reader is shown: the tree (0016
#: watches ``path`` and ``live``), scheduling, translation bookkeeping and
#: the draft's (``reviews.indexing.DRAFT_FIELDS``).
PAGE_UNSHOWN = (
    "id",
    "path",
    "depth",
    "numchild",
    "live",
    "translation_key",
    "go_live_at",
    "expire_at",
    "expired",
    "latest_revision_id",
    "has_unpublished_changes",
    "latest_revision_created_at",
    "draft_title",
    "locked",
    "locked_at",
    "locked_by_id",
)
#: The shown columns of ``wagtailcore_page`` (Wagtail 8.0).
PAGE_SHOWN = (
    "locale_id",
    "first_published_at",
    "last_published_at",
    "live_revision_id",
    "title",
    "slug",
    "content_type_id",
    "url_path",
    "owner_id",
    "alias_of_id",
    "show_in_menus",
    "seo_title",
    "search_description",
)
#: The plugin's page tables and their columns besides ``page_ptr_id``.
SPECIFIC = {
    "reviews_reviewpage": ("book_id", "rating", "summary", "body", "reviewer_id"),
    "reviews_discussionpage": (
        "book_id",
        "starts_at",
        "location",
        "online_url",
        "host",
        "duration_minutes",
        "intro",
        "questions",
    ),
    "reviews_seriespage": ("author", "description"),
    "reviews_reviewindexpage": ("intro",),
    "reviews_discussionindexpage": ("intro",),
    "reviews_seriesindexpage": ("intro",),
}
BOOK_COLUMNS = (
    "id",
    "title",
    "slug",
    "author",
    "isbn13",
    "published_year",
    "cover_id",
    "chapter_count",
    "created_at",
    "updated_at",
)
COMMENT_COLUMNS = (
    "id",
    "page_id",
    "author_id",
    "parent_id",
    "body",
    "chapter",
    "created_at",
    "edited_at",
    "removed",
    "removed_at",
    "removed_by_id",
    "deleted_at",
)

#: A live page edited (cache_tags.retired_by_page of a new revision).
EDITED = ("all", "pages")
#: The listing of each of the plugin's kinds of page.
EDITED_KINDS = {
    "reviewpage": "reviews",
    "discussionpage": "discussions",
    "seriespage": "series",
}
#: Any other page (an index, the home page): what lies below it.
EDITED_OTHER = ("public-reviews", "site")
#: cache_tags.retired_by_book, besides the book's own tag.
BOOK = ("all", "books", "media", "public-reviews")
#: cache_tags.retired_by_comment, besides the discussion's own.
COMMENT = ("all", "comments")


def _changed(columns: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns) + ")"


# SQLite ------------------------------------------------------------------


def _sqlite_changed(columns: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns) + ")"


def _sqlite_edited_page(page_id: str, links: str) -> str:
    """The names a live page's edit retires; none unless it is live."""
    kinds = " UNION ALL ".join(
        f"SELECT '{model}' AS model, '{tag}' AS tag"
        for model, tag in EDITED_KINDS.items()
    )
    plugin = ", ".join(f"'{model}'" for model in EDITED_KINDS)
    other = " UNION ".join(f"SELECT '{tag}' AS tag" for tag in EDITED_OTHER)
    names = (
        retire_0016._names(EDITED)
        + f" UNION SELECT 'page-' || {page_id}"
        + " UNION SELECT 'book-' || book_id FROM reviews_reviewpage"
        f" WHERE page_ptr_id = {page_id} AND book_id IS NOT NULL"
        f" UNION SELECT kinds.tag FROM ({kinds}) AS kinds"
        " JOIN django_content_type AS ctype ON ctype.model = kinds.model"
        " AND ctype.app_label = 'reviews' JOIN wagtailcore_page AS page"
        f" ON page.content_type_id = ctype.id WHERE page.id = {page_id}"
        f" UNION SELECT tag FROM ({other}) WHERE NOT EXISTS ("
        " SELECT 1 FROM wagtailcore_page AS page JOIN django_content_type AS ctype"
        " ON ctype.id = page.content_type_id AND ctype.app_label = 'reviews'"
        f" AND ctype.model IN ({plugin}) WHERE page.id = {page_id})"
        f" UNION SELECT 'linked' WHERE {links}"
    )
    return (
        f"SELECT name FROM ({names}) WHERE EXISTS ("
        f"SELECT 1 FROM wagtailcore_page WHERE id = {page_id} AND live)"
    )


def _sqlite_book(row: str) -> str:
    return retire_0016._names(BOOK) + f" UNION SELECT 'book-' || {row}.id"


def _sqlite_comment(*rows: str) -> str:
    return retire_0016._names(COMMENT) + "".join(
        f" UNION SELECT 'comments-' || {row}.page_id" for row in rows
    )


def _sqlite_triggers() -> dict[str, tuple[str, str]]:
    """Trigger name: (its event and condition, the names it retires)."""
    triggers = {
        "reviews_retire_on_page_edited": (
            "AFTER UPDATE ON wagtailcore_page WHEN OLD.live AND NEW.live"
            f" AND {_sqlite_changed(PAGE_SHOWN)}",
            _sqlite_edited_page("NEW.id", "OLD.url_path IS NOT NEW.url_path"),
        ),
    }
    for table, columns in SPECIFIC.items():
        triggers[f"reviews_retire_on_{table}_edited"] = (
            f"AFTER UPDATE ON {table} WHEN {_sqlite_changed(columns)}",
            _sqlite_edited_page("NEW.page_ptr_id", "0"),
        )
    for op, rows in (("INSERT", ("NEW",)), ("UPDATE", ("NEW",)), ("DELETE", ("OLD",))):
        changed = f" WHEN {_sqlite_changed(BOOK_COLUMNS)}" if op == "UPDATE" else ""
        triggers[f"reviews_retire_on_book_{op.lower()}"] = (
            f"AFTER {op} ON reviews_book{changed}",
            _sqlite_book(rows[0]),
        )
    triggers["reviews_retire_on_comment_update"] = (
        "AFTER UPDATE ON reviews_discussioncomment"
        f" WHEN {_sqlite_changed(COMMENT_COLUMNS)}",
        _sqlite_comment("OLD", "NEW"),
    )
    triggers["reviews_retire_on_comment_delete"] = (
        "AFTER DELETE ON reviews_discussioncomment",
        _sqlite_comment("OLD"),
    )
    return triggers


def _sqlite_statements() -> list[str]:
    return [
        f"CREATE TRIGGER {name} {event} BEGIN"
        f" {queue_0017._sqlite_retire_and_queue(names)} END"
        for name, (event, names) in _sqlite_triggers().items()
    ]


def _sqlite_drops() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {name}" for name in _sqlite_triggers()]


# PostgreSQL --------------------------------------------------------------
# Deferred constraint triggers and immediate markers, as 0016's.


def _array(tags: tuple[str, ...]) -> str:
    return retire_0016._array(tags)


_KIND_CASES = "\n".join(
    f"  ELSIF page.app_label = 'reviews' AND page.model = '{model}' THEN\n"
    f"    shared := shared || ARRAY['{tag}'];"
    for model, tag in EDITED_KINDS.items()
)

POSTGRES_FUNCTIONS = [
    f"""
CREATE OR REPLACE FUNCTION reviews_retire_edited_page(page_id integer, links boolean)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  page record;
  shared text[] := {_array(EDITED)};
BEGIN
  SELECT wagtailcore_page.live, ctype.app_label, ctype.model INTO page
  FROM wagtailcore_page JOIN django_content_type AS ctype
    ON ctype.id = wagtailcore_page.content_type_id
  WHERE wagtailcore_page.id = page_id;
  IF NOT FOUND OR NOT page.live THEN
    RETURN;
  END IF;
  IF false THEN
    NULL;
{_KIND_CASES}
  ELSE
    shared := shared || {_array(EDITED_OTHER)};
  END IF;
  IF links THEN
    shared := shared || ARRAY['linked'];
  END IF;
  PERFORM reviews_retire_once(
    ARRAY(SELECT DISTINCT tag FROM unnest(shared) AS tag ORDER BY tag),
    ARRAY['page-' || page_id]
      || ARRAY(SELECT 'book-' || book_id FROM reviews_reviewpage
               WHERE page_ptr_id = page_id AND book_id IS NOT NULL)
  );
END
$$
""",
    """
CREATE OR REPLACE FUNCTION reviews_retire_page_edited() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM reviews_retire_edited_page(NEW.id, OLD.url_path IS DISTINCT FROM NEW.url_path);
  RETURN NULL;
END
$$
""",
    """
CREATE OR REPLACE FUNCTION reviews_retire_specific_edited() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM reviews_retire_edited_page(NEW.page_ptr_id, false);
  RETURN NULL;
END
$$
""",
    f"""
CREATE OR REPLACE FUNCTION reviews_retire_book() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  book record;
BEGIN
  IF TG_OP = 'DELETE' THEN
    book := OLD;
  ELSE
    book := NEW;
  END IF;
  PERFORM reviews_retire_once({_array(BOOK)}, ARRAY['book-' || book.id]);
  RETURN NULL;
END
$$
""",
    f"""
CREATE OR REPLACE FUNCTION reviews_retire_comment() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  own text[] := ARRAY['comments-' || OLD.page_id];
BEGIN
  IF TG_OP = 'UPDATE' THEN
    own := own || ARRAY['comments-' || NEW.page_id];
  END IF;
  PERFORM reviews_retire_once({_array(COMMENT)}, own);
  RETURN NULL;
END
$$
""",
]

_FUNCTION_NAMES = (
    "reviews_retire_comment()",
    "reviews_retire_book()",
    "reviews_retire_specific_edited()",
    "reviews_retire_page_edited()",
    "reviews_retire_edited_page(integer, boolean)",
)


def _postgres_triggers() -> dict[str, str]:
    """Trigger name: what follows ``CREATE CONSTRAINT TRIGGER <name>``."""
    deferred = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
    triggers = {
        "reviews_retire_on_page_edited": "AFTER UPDATE ON wagtailcore_page"
        f" {deferred} WHEN (OLD.live AND NEW.live AND {_changed(PAGE_SHOWN)})"
        " EXECUTE FUNCTION reviews_retire_page_edited()",
    }
    for table in SPECIFIC:
        triggers[f"reviews_retire_on_{table}_edited"] = (
            f"AFTER UPDATE ON {table} {deferred}"
            " WHEN (OLD.* IS DISTINCT FROM NEW.*)"
            " EXECUTE FUNCTION reviews_retire_specific_edited()"
        )
    triggers["reviews_retire_on_book_insert_or_delete"] = (
        f"AFTER INSERT OR DELETE ON reviews_book {deferred}"
        " EXECUTE FUNCTION reviews_retire_book()"
    )
    triggers["reviews_retire_on_book_update"] = (
        f"AFTER UPDATE ON reviews_book {deferred}"
        " WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION reviews_retire_book()"
    )
    triggers["reviews_retire_on_comment_delete"] = (
        f"AFTER DELETE ON reviews_discussioncomment {deferred}"
        " EXECUTE FUNCTION reviews_retire_comment()"
    )
    triggers["reviews_retire_on_comment_update"] = (
        f"AFTER UPDATE ON reviews_discussioncomment {deferred}"
        " WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION reviews_retire_comment()"
    )
    return triggers


#: TRUNCATE fires no row trigger: as 0016's, retire the structure at once
#: (0016 has ``reviews_reviewpage``'s).
TRUNCATED_TABLES = (
    *(table for table in SPECIFIC if table != "reviews_reviewpage"),
    "reviews_book",
    "reviews_discussioncomment",
)


def _truncate_triggers() -> dict[str, str]:
    return retire_0016._truncate_triggers(TRUNCATED_TABLES)


def _postgres_statements() -> list[str]:
    return POSTGRES_FUNCTIONS + retire_0016._create_postgres_triggers(
        _postgres_triggers(), _truncate_triggers()
    )


def _postgres_drops() -> list[str]:
    return retire_0016._drop_postgres_triggers(
        _postgres_triggers(), _truncate_triggers()
    ) + [f"DROP FUNCTION IF EXISTS {function}" for function in _FUNCTION_NAMES]


def _statements(vendor: str, *, forwards: bool) -> list[str]:
    if vendor == "sqlite":
        return _sqlite_statements() if forwards else _sqlite_drops()
    if vendor == "postgresql":
        return _postgres_statements() if forwards else _postgres_drops()
    return []


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0017_edge_purge_queue"),
    ]

    operations = [retire_0016.run_statements(_statements)]
