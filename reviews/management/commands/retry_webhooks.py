"""Send the webhook deliveries whose retry is due (run it from cron when the
task backend cannot defer tasks, e.g. the immediate backend)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from reviews.webhooks import retry_due


class Command(BaseCommand):
    help = "Retry webhook deliveries whose next attempt is due."

    def handle(self, *args, **options) -> None:
        sent = retry_due()
        self.stdout.write(f"Retried {sent} webhook deliveries.")
