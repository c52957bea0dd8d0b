from django.core.management.base import BaseCommand

from reviews import cache_tags
from reviews.invalidation import retire
from reviews.media_visibility import rebuild


class Command(BaseCommand):
    help = (
        "Record again which images and documents the published revisions of "
        "live, public pages use, openly or only inside spoilers. Media listings "
        "read this record; publishing keeps it current. Safe to run again."
    )

    def handle(self, *args, **options):
        count = rebuild()
        # Cached media listings were built from the old record.
        retire(cache_tags.retired_by_structure())
        if options["verbosity"] > 0:
            self.stdout.write(
                self.style.SUCCESS(f"Recorded {count} published media uses.")
            )
