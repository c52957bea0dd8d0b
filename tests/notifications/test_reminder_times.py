"""A meeting reminder says when, with the club's time zone, as the pages do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.discussions.helpers import spoken
from tests.factories import make_discussion

from .conftest import parts

pytestmark = pytest.mark.django_db


def test_the_reminder_gives_the_time_with_its_zone(
    smtp, book, reader, settings, django_capture_on_commit_callbacks
):
    settings.TIME_ZONE = "Europe/London"
    starts_at = (timezone.now() + timedelta(hours=5)).replace(second=0, microsecond=0)
    make_discussion(book=book, title="Soon", starts_at=starts_at)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_notifications", stdout=None)
    _raw, message = smtp.only_raw()
    when = spoken(starts_at)
    assert message["Subject"] == f"Reminder: Soon, {when}"
    text, html = parts(message)
    assert f"When: {when}" in text
    assert f"When: {when}" in html
