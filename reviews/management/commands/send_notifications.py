"""Queue meeting reminders and daily digests; run it from cron.

Run it every hour (or at least daily): reminders go out for meetings
starting within a day, each only once; a member on the daily digest gets
at most one a day; an email the mail server refused earlier is tried
again. The emails themselves are sent by tasks.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from reviews.notifications.events import queue_reminders
from reviews.notifications.tasks import (
    members_with_digest_due,
    send_digest,
    send_notification,
    unsent_since,
)


class Command(BaseCommand):
    help = "Queue meeting reminders and the daily digests (idempotent; for cron)."

    def handle(self, *args, **options) -> None:
        retries = unsent_since()
        for notification_id in retries:
            send_notification.enqueue(notification_id)
        reminders = queue_reminders()
        members = members_with_digest_due()
        for member_id in members:
            send_digest.enqueue(member_id)
        self.stdout.write(
            f"Queued {reminders} meeting reminder(s), {len(members)} digest(s) "
            f"and {len(retries)} retried email(s)."
        )
