"""What a live page says, a book and a comment, changed past Django's
signals, are served changed at once.

A script or a data migration may change a live review's text with
``update()``, rename a book, or remove a comment by SQL: no signal is sent.
The database's triggers (migrations ``reviews.0018``, and ``0019`` for a
member renamed) retire what such a change shows on, in its transaction, as
a publish, a book's save, a comment's removal or a rename would.
tests/caching/test_writes_without_signals.py has the triggers for who may
see what.
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from wagtail.models import Page

from reviews import cache_tags
from reviews.models import (
    Book,
    DiscussionComment,
    DiscussionIndexPage,
    DiscussionPage,
    Nomination,
    NominationRound,
    ReviewIndexPage,
    ReviewPage,
    SeriesEntry,
    SeriesIndexPage,
    SeriesPage,
)
from tests.caching.test_writes_without_signals import _moved_by, _warm
from tests.factories import (
    BookFactory,
    NominationRoundFactory,
    UserFactory,
    discussion_index,
    make_discussion,
    make_review,
    make_series,
    review_index,
)
from tests.factories.discussions import DiscussionCommentFactory, MeetingRSVPFactory

# Committed: on PostgreSQL the triggers run at the commit.
pytestmark = pytest.mark.django_db(transaction=True)

triggers = import_module("reviews.migrations.0018_retire_content_in_triggers")


def _review_urls(review) -> list[str]:
    return [
        review.url,
        f"/api/v2/pages/{review.pk}/",
        f"/api/v3/reviews/{review.pk}/",
        "/api/v2/pages/?type=reviews.ReviewPage&fields=title,summary",
        "/api/v3/reviews/",
        "/reviews/",
    ]


def _served(client, urls: list[str]) -> dict[str, str]:
    return {url: client.get(url).content.decode() for url in urls}


def test_a_live_reviews_title_and_summary_changed_by_update_show_at_once(client):
    review = make_review(title="Old Title Words", summary="Old summary words.")
    urls = _review_urls(review)
    _warm(client, urls)

    Page.objects.filter(pk=review.pk).update(title="New Title Words")
    ReviewPage.objects.filter(pk=review.pk).update(summary="New summary words.")

    for url, body in _served(client, urls).items():
        assert "Old Title Words" not in body, url
        assert "New Title Words" in body, url
    for url, body in _served(client, urls[:3]).items():
        assert "Old summary words." not in body, url
        assert "New summary words." in body, url


def test_what_a_live_page_edit_retires():
    """What a new revision of a live page retires: the page, its book, its
    kind's listing; for an index, what lies below it; ``linked`` when its
    URL changes. Which reviews are public does not change."""
    review = make_review(book=BookFactory())
    index = review_index()

    moved = _moved_by(lambda: ReviewPage.objects.filter(pk=review.pk).update(rating=1))
    # A new rating: the book list's averages (reviews/migrations/0022).
    assert moved == set(
        cache_tags.retired_by_page(
            cache_tags.REVIEW, review.pk, review.book_id, stayed=True, rated=True
        )
    )

    moved = _moved_by(
        lambda: ReviewIndexPage.objects.filter(pk=index.pk).update(intro="Hello")
    )
    assert moved == set(cache_tags.retired_by_page(cache_tags.REVIEW_INDEX, index.pk))

    moved = _moved_by(
        lambda: Page.objects.filter(pk=review.pk).update(
            slug="moved-on", url_path=review.url_path.replace(review.slug, "moved-on")
        )
    )
    assert moved == set(
        cache_tags.retired_by_page(
            cache_tags.REVIEW, review.pk, review.book_id, stayed=True, rated=False
        )
    ) | {cache_tags.LINKED}


def test_a_draft_changed_by_update_retires_nothing():
    draft = make_review(live=False)
    assert (
        _moved_by(
            lambda: ReviewPage.objects.filter(pk=draft.pk).update(summary="Unseen.")
        )
        == set()
    )
    assert (
        _moved_by(lambda: Page.objects.filter(pk=draft.pk).update(title="Unseen"))
        == set()
    )


def test_a_draft_saved_through_wagtail_fires_nothing():
    """A draft of a live page writes only Wagtail's draft bookkeeping."""
    review = make_review()
    review.summary = "A draft nobody sees yet."
    assert _moved_by(review.save_revision) == set()


def test_a_book_renamed_by_update_shows_at_once(client):
    book = BookFactory(title="Old Book Title")
    review = make_review(book=book)
    urls = [f"/api/v3/books/{book.pk}/", "/api/v3/books/", review.url]
    _warm(client, urls)

    moved = _moved_by(
        lambda: Book.objects.filter(pk=book.pk).update(title="New Book Title")
    )

    assert moved >= set(cache_tags.retired_by_book(book.pk))
    for url, body in _served(client, urls).items():
        assert "Old Book Title" not in body, url
        assert "New Book Title" in body, url


def _comment_urls(discussion) -> list[str]:
    return [
        discussion.url,
        f"/api/v3/discussions/{discussion.pk}/comments/",
        f"/club/reveal/{discussion.pk}/comments/ending/",
    ]


def _counted(client, discussion) -> tuple[int, str]:
    """The comment count anonymous readers are sent (a comment about the
    whole book is hidden from them; only its range and count are sent)."""
    page, api, _ = _comment_urls(discussion)
    count = client.get(api).json()["comment_count"]
    html = client.get(page).content.decode()
    return count, html[html.index('id="comments-title"') :].split("</h2>")[0]


@pytest.mark.parametrize("how", ["removed by update", "deleted in SQL"])
def test_a_comment_removed_or_deleted_without_signals_is_gone_at_once(client, how):
    discussion = make_discussion()
    comment = DiscussionCommentFactory(page=discussion, body="Unkind words here.")
    urls = _comment_urls(discussion)
    _warm(client, urls)
    assert _counted(client, discussion)[0] == 1
    assert "Unkind words here." in client.get(urls[-1]).content.decode()

    def remove() -> None:
        if how == "removed by update":
            DiscussionComment.objects.filter(pk=comment.pk).update(removed=True)
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM reviews_discussioncomment WHERE id = %s", [comment.pk]
            )

    assert _moved_by(remove) == set(cache_tags.retired_by_comment(discussion.pk))
    count, heading = _counted(client, discussion)
    assert count == 0
    assert "(1)" not in heading
    for url, body in _served(client, urls).items():
        assert "Unkind words here." not in body, url


def _columns(model, *, local: bool = False) -> set[str]:
    fields = model._meta.local_concrete_fields if local else model._meta.concrete_fields
    return {field.column for field in fields}


def test_the_columns_written_out_are_the_models():
    """The migration writes the columns it watches out; a column added to
    a model later must be watched by a new migration (or named unshown)."""
    assert set(triggers.PAGE_SHOWN) | set(triggers.PAGE_UNSHOWN) == _columns(Page)
    assert not set(triggers.PAGE_SHOWN) & set(triggers.PAGE_UNSHOWN)
    for model in (
        ReviewPage,
        DiscussionPage,
        SeriesPage,
        ReviewIndexPage,
        DiscussionIndexPage,
        SeriesIndexPage,
    ):
        assert set(triggers.SPECIFIC[model._meta.db_table]) == _columns(
            model, local=True
        ) - {"page_ptr_id"}, model
    assert set(triggers.BOOK_COLUMNS) == _columns(Book)
    assert set(triggers.COMMENT_COLUMNS) == _columns(DiscussionComment)


def test_the_tag_names_written_out_are_the_plugins():
    assert set(triggers.BOOK) | {cache_tags.book(1)} == set(
        cache_tags.retired_by_book(1)
    )
    assert set(triggers.COMMENT) | {cache_tags.comments(1)} == set(
        cache_tags.retired_by_comment(1)
    )
    for model, kind in (
        ("reviewpage", cache_tags.REVIEW),
        ("discussionpage", cache_tags.DISCUSSION),
        ("seriespage", cache_tags.SERIES_PAGE),
        (None, cache_tags.REVIEW_INDEX),
    ):
        # A new rating is 0022's trigger's, not the edit's.
        expected = cache_tags.retired_by_page(kind, 1, stayed=True, rated=False) - {
            cache_tags.page(1)
        }
        written = set(triggers.EDITED) | (
            {triggers.EDITED_KINDS[model]} if model else set(triggers.EDITED_OTHER)
        )
        assert written == expected, kind


def test_a_member_renamed_by_update_is_renamed_everywhere_at_once(client):
    """A script that anonymises a member sends no signal: their old name
    leaves every cached response at once (migration ``reviews.0019``)."""
    member = UserFactory(first_name="Oldhame", last_name="Reader")
    review = make_review(reviewer=member)
    urls = _review_urls(review)
    _warm(client, urls)
    assert "Oldhame" in client.get(review.url).content.decode()

    get_user_model().objects.filter(pk=member.pk).update(
        first_name="Former", last_name="Member"
    )

    for url, body in _served(client, urls).items():
        assert "Oldhame" not in body, url
    assert "Former Member" in client.get(review.url).content.decode()


def test_what_a_member_renamed_retires():
    member = UserFactory(first_name="Named")
    review = make_review(reviewer=member, book=BookFactory())
    commented, answered = make_discussion(), make_discussion()
    DiscussionCommentFactory(page=commented, author=member)
    MeetingRSVPFactory(page=answered, member=member)
    users = get_user_model().objects.filter(pk=member.pk)

    moved = _moved_by(lambda: users.update(last_name="Renamed"))

    assert moved == set(
        cache_tags.retired_by_member(
            reviews=[review.pk],
            discussions=[commented.pk, answered.pk],
            books=[review.book_id],
        )
    )
    assert _moved_by(lambda: users.update(last_login=timezone.now())) == set()
    assert _moved_by(lambda: users.update(last_name="Renamed")) == set()


def _positions(answer: object) -> list:
    """Every ``position`` in an API answer, wherever it is nested."""
    if isinstance(answer, dict):
        found = [answer["position"]] if "position" in answer else []
        return found + [p for value in answer.values() for p in _positions(value)]
    if isinstance(answer, list):
        return [p for value in answer for p in _positions(value)]
    return []


def test_a_series_position_changed_by_update_shows_at_once(client):
    """Migration ``reviews.0020``: a book's place in its series."""
    book = BookFactory()
    make_series("The Kept Series", [(book, 1)])
    url = f"/api/v3/books/{book.pk}/"
    _warm(client, [url])
    assert _positions(client.get(url).json()) == [1]
    entries = SeriesEntry.objects.filter(book=book)

    moved = _moved_by(lambda: entries.update(position=7))

    assert moved == set(cache_tags.retired_by_series_entry())
    assert _positions(client.get(url).json()) == [7]
    assert _moved_by(entries.delete) >= set(cache_tags.retired_by_series_entry())


def test_a_nomination_round_renamed_by_update_shows_at_once(client):
    index = discussion_index()
    nomination_round = NominationRoundFactory(title="OLDROUNDTITLE")
    _warm(client, [index.url])
    assert "OLDROUNDTITLE" in client.get(index.url).content.decode()
    rounds = NominationRound.objects.filter(pk=nomination_round.pk)

    moved = _moved_by(lambda: rounds.update(title="NEWROUNDTITLE"))

    assert moved == set(cache_tags.retired_by_round())
    page = client.get(index.url).content.decode()
    assert "OLDROUNDTITLE" not in page
    assert "NEWROUNDTITLE" in page
    nominations = Nomination.objects.filter(round=nomination_round)
    assert _moved_by(
        lambda: Nomination.objects.bulk_create(
            [
                Nomination(
                    round=nomination_round,
                    book=BookFactory(),
                    nominated_by=UserFactory(),
                    pitch="Read it.",
                )
            ]
        )
    ) >= set(cache_tags.retired_by_round())
    assert _moved_by(lambda: nominations.update(pitch="Again.")) == set(
        cache_tags.retired_by_round()
    )


@pytest.mark.sqlite
def test_every_trigger_the_migrations_leave_on_sqlite_can_be_restored():
    """A trigger migration left out of ``reviews.sqlite_triggers`` would be
    lost for good the first time a later migration rebuilt its table."""
    from django.apps import apps

    from reviews import sqlite_triggers

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            " AND name LIKE 'reviews\\_%' ESCAPE '\\'"
        )
        present = {name for (name,) in cursor.fetchall()}

    assert present == set(sqlite_triggers.defined(apps))


@pytest.mark.sqlite
def test_a_table_rebuilt_on_sqlite_gets_its_triggers_back_at_the_next_migrate():
    """SQLite drops a table's triggers with it, and Django rebuilds a table
    there to alter most columns: the next ``migrate`` creates them again
    (``reviews.sqlite_triggers``), with the migrations' own SQL."""
    from django.apps import apps

    from reviews import sqlite_triggers

    assert sqlite_triggers.missing("default", apps) == []
    with connection.schema_editor() as editor:
        editor._remake_table(SeriesEntry)  # what an AlterField does on SQLite
    gone = sqlite_triggers.missing("default", apps)
    assert gone == [
        f"reviews_retire_on_reviews_seriesentry_{op}"
        for op in ("delete", "insert", "update")
    ]

    call_command("migrate", verbosity=0)

    assert sqlite_triggers.missing("default", apps) == []
    book = BookFactory()
    make_series("The Rebuilt Series", [(book, 1)])
    moved = _moved_by(lambda: SeriesEntry.objects.filter(book=book).update(position=2))
    assert moved == set(cache_tags.retired_by_series_entry())
