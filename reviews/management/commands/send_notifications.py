"""Queue meeting reminders and daily digests; run it from cron.

Run it every hour (or at least daily): reminders go out for meetings
starting within a day, each only once, and a member on the daily digest
gets at most one a day. The emails themselves are sent by tasks.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from reviews.notifications.events import queue_reminders
from reviews.notifications.tasks import members_with_digest_due, send_digest


class Command(BaseCommand):
    help = "Queue meeting reminders and the daily digests (idempotent; for cron)."

    def handle(self, *args, **options) -> None:
        reminders = queue_reminders()
        members = members_with_digest_due()
        for member_id in members:
            send_digest.enqueue(member_id)
        self.stdout.write(
            f"Queued {reminders} meeting reminder(s) and {len(members)} digest(s)."
        )
