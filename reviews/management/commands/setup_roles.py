from django.core.management.base import BaseCommand, CommandError

from reviews.models import ReviewIndexPage
from reviews.roles import ensure_groups


class Command(BaseCommand):
    help = (
        "Create or update the Members, Editors and Moderators groups and their "
        "permissions on the review index. Safe to run again."
    )

    def handle(self, *args, **options):
        index = ReviewIndexPage.objects.first()
        if index is None:
            raise CommandError(
                "There is no review index page yet: create one in the admin first."
            )
        groups = ensure_groups(index)
        self.stdout.write(
            self.style.SUCCESS(f"Groups ready: {', '.join(sorted(groups))}.")
        )
