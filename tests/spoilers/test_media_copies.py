"""Aliases and copies of a review follow the media rule too.

Wagtail's copy and alias actions leave a page whose ``live_revision`` is not
what readers are served: an alias keeps the revision of its original that
was live when the alias was made (Wagtail updates the alias's row, not that
pointer), and a copy of a live review with unpublished changes points at a
copy of the draft. Readers get the page's row. Every re-index (a move, a
view restriction added or lifted, ``manage.py index_published_media``) must
find in it what the publish itself found.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import call_command
from wagtail.models import PageViewRestriction

from reviews.models import ReviewPage
from tests.factories import (
    UserFactory,
    copy_in_admin,
    make_image,
    make_review,
    review_index,
)

from .helpers import MARKER
from .test_media_rule import assert_not_anywhere, image_block, spoiler_with, titles

pytestmark = pytest.mark.django_db


def _rebuild() -> None:
    call_command("index_published_media", verbosity=0)


def _restrict_and_lift() -> None:
    PageViewRestriction.objects.create(
        page=review_index(), restriction_type=PageViewRestriction.LOGIN
    ).delete()


REINDEX: dict[str, Callable[[], None]] = {
    "rebuild": _rebuild,
    "restriction lifted": _restrict_and_lift,
}


@pytest.mark.parametrize("reindex", REINDEX.values(), ids=REINDEX.keys())
def test_an_alias_keeps_an_image_hidden_that_its_original_moved_into_a_spoiler(
    client, reindex
):
    image = make_image(f"The cellar {MARKER}")
    original = make_review(body=[image_block(image.pk)])
    alias = original.create_alias(update_slug="cold-and-hunger-again")
    original = ReviewPage.objects.get(pk=original.pk)
    original.body = [spoiler_with(image_block(image.pk))]
    original.save_revision().publish()
    assert_not_anywhere(client, image)

    reindex()
    assert MARKER not in client.get(f"/api/v2/pages/{alias.pk}/").content.decode()
    assert_not_anywhere(client, image)


@pytest.mark.parametrize("reindex", REINDEX.values(), ids=REINDEX.keys())
def test_a_copy_of_a_live_review_does_not_publish_its_draft_image(client, reindex):
    editor = UserFactory(username="copying-editor", is_superuser=True)
    review = make_review(body=[])
    image = make_image(f"The cellar {MARKER}")
    draft = ReviewPage.objects.get(pk=review.pk)
    draft.body = [image_block(image.pk)]
    draft.save_revision()

    client.force_login(editor)
    response = copy_in_admin(
        client, review, "Cold and hunger, again", "cold-and-hunger-again"
    )
    assert response.status_code == 302, response.content
    copy = ReviewPage.objects.get(slug="cold-and-hunger-again")
    assert copy.live and len(copy.body) == 0
    client.logout()
    assert_not_anywhere(client, image)

    reindex()
    assert_not_anywhere(client, image)


def test_an_alias_of_a_public_image_keeps_it_listed_after_a_rebuild(client):
    image = make_image("Leningrad in winter")
    original = make_review(body=[spoiler_with(image_block(image.pk))])
    original.create_alias(update_slug="cold-and-hunger-again")
    original = ReviewPage.objects.get(pk=original.pk)
    original.body = [image_block(image.pk)]
    original.save_revision().publish()
    assert titles(client, "/api/v2/images/") == ["Leningrad in winter"]

    _rebuild()
    assert titles(client, "/api/v2/images/") == ["Leningrad in winter"]
