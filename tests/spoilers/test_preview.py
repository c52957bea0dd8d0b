"""Whoever previews a draft in the admin reads all of it.

A moderator previewing a member's review (the dashboard's *Preview*, the
page's *View draft*) got its spoilers hidden, with a reveal control that
led to the live page's address: a 404 for a page not yet live, so the
spoilers they were asked to approve could not be read at all. The preview
opens every spoiler and gated question of the previewed page, and nothing
else: its live page and the other channels keep them hidden.
"""

from __future__ import annotations

import pytest
from django.test import Client

from reviews.models import ReviewPage
from tests.factories import make_review, paragraph, review_index, spoiler

from .helpers import MARKER

pytestmark = pytest.mark.django_db


def _draft_with_a_spoiler(book, owner) -> ReviewPage:
    return make_review(
        book=book,
        owner=owner,
        live=False,
        body=[
            paragraph("Open words."),
            spoiler(book, 25, "How it ends", f"<p>{MARKER} dies</p>"),
        ],
    )


def test_a_moderator_previewing_a_draft_reads_its_spoilers(client, moderator, book):
    draft = _draft_with_a_spoiler(book, owner=moderator)
    client.force_login(moderator)

    response = client.get(f"/admin/pages/{draft.pk}/view_draft/")

    assert response.status_code == 200
    assert MARKER.encode() in response.content


def test_the_live_page_still_hides_them(client, moderator, book):
    review_index()
    page = _draft_with_a_spoiler(book, owner=moderator)
    page.save_revision().publish()
    moderator_client = Client()
    moderator_client.force_login(moderator)

    assert (
        MARKER.encode()
        in moderator_client.get(f"/admin/pages/{page.pk}/view_draft/").content
    )
    for reader in (client, moderator_client):
        live = reader.get(page.url)
        assert live.status_code == 200
        assert MARKER.encode() not in live.content


def test_a_discussion_preview_opens_its_gated_questions(client, moderator, book):
    from reviews import stream_values
    from tests.factories import make_discussion

    discussion = make_discussion(
        book=book,
        questions=[
            stream_values.question("Did you enjoy it?"),
            stream_values.question(f"Why does {MARKER} leave?", chapter=25),
        ],
    )
    client.force_login(moderator)

    draft = client.get(f"/admin/pages/{discussion.pk}/view_draft/")
    assert draft.status_code == 200
    assert MARKER.encode() in draft.content
    assert MARKER.encode() not in client.get(discussion.url).content


def test_the_reader_mode_shows_the_draft_as_a_reader_sees_it(client, moderator, book):
    """The preview's second mode, for how the page reads before anything is
    opened: spoilers closed, as every reader first meets them."""
    draft = _draft_with_a_spoiler(book, owner=moderator)
    client.force_login(moderator)

    as_reader = client.get(f"/admin/pages/{draft.pk}/view_draft/?mode=reader")
    assert as_reader.status_code == 200
    assert MARKER.encode() not in as_reader.content
    assert b"How it ends" in as_reader.content
    modes = dict(ReviewPage.preview_modes)
    assert set(modes) == {"", "reader"}
