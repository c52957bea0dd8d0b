"""A review or a meeting below an unpublished section is mailed to nobody.

Wagtail unpublishes an index page without its children unless the editor
asks, and still serves those children at their own addresses. Every listing
and the feed leave them out (``reviews.visibility.reachable_pages``); an
email to a book's followers announces a page as a listing does, so it
follows the same rule: not when the review is published, not when the
digest is sent later, and no reminder of a meeting in such a section.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Page

from reviews.indexing import add_and_publish
from reviews.models import (
    DiscussionIndexPage,
    DiscussionPage,
    Notification,
    NotificationSettings,
    ReviewIndexPage,
)
from reviews.notifications.events import queue_reminders
from tests.factories import make_review, paragraph, site_root

pytestmark = pytest.mark.django_db


def _section(model, slug: str) -> Page:
    """An index of its own below a plain page, both published."""
    holder = Page(title=f"{slug} holder", slug=f"{slug}-holder")
    site_root().add_child(instance=holder)
    holder.save_revision().publish()
    index = model(title=slug.title(), slug=slug)
    holder.add_child(instance=index)
    index.save_revision().publish()
    return index


def _unpublish_holder(index: Page) -> None:
    """The plain page above the index, unpublished alone (Wagtail's default)."""
    index.get_parent().specific.unpublish()


def test_a_review_published_below_an_unpublished_section_is_mailed_to_nobody(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks
):
    archive = _section(ReviewIndexPage, "archive")
    _unpublish_holder(archive)

    with django_capture_on_commit_callbacks(execute=True):
        make_review(
            book=book,
            owner=reviewer,
            parent=Page.objects.get(pk=archive.pk).specific,
            title="SECTIONCANARY",
            body=[paragraph("SECTIONBODY")],
        )

    assert smtp.raw == []
    assert not Notification.objects.exists()


def test_the_same_review_in_a_published_section_is_mailed(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks
):
    """The control: the test above can fail."""
    archive = _section(ReviewIndexPage, "archive")

    with django_capture_on_commit_callbacks(execute=True):
        make_review(book=book, owner=reviewer, parent=archive, title="SECTIONCANARY")

    assert b"SECTIONCANARY" in b"".join(smtp.raw)


def test_a_section_unpublished_before_the_digest_leaves_the_review_out(
    smtp, book, reader, reviewer, django_capture_on_commit_callbacks
):
    NotificationSettings.objects.create(member=reader, delivery="daily")
    archive = _section(ReviewIndexPage, "archive")
    with django_capture_on_commit_callbacks(execute=True):
        make_review(book=book, owner=reviewer, parent=archive, title="SECTIONCANARY")
    assert Notification.objects.get().sent_at is None

    _unpublish_holder(archive)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_notifications", stdout=None)

    assert smtp.raw == []
    assert Notification.objects.get().skipped == "not visible"


@pytest.mark.parametrize("unpublished", [True, False])
def test_no_reminder_of_a_meeting_below_an_unpublished_section(
    book, reader, unpublished
):
    """The reader follows the meeting's book, so a meeting in a published
    section is reminded of (the control) and one whose section was
    unpublished is not."""
    meetings = _section(DiscussionIndexPage, "old-meetings")
    add_and_publish(
        meetings,
        DiscussionPage(
            title="Attic meeting",
            slug="attic-meeting",
            book=book,
            starts_at=timezone.now() + timedelta(hours=20),
            location="The attic",
        ),
    )
    if unpublished:
        _unpublish_holder(meetings)

    queued = queue_reminders()

    assert queued == (0 if unpublished else 1)
