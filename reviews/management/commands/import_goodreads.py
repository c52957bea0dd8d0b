from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reviews.goodreads.importer import ImportReport, import_export


class Command(BaseCommand):
    help = (
        "Import a Goodreads library export (CSV), or the club's own JSON reading "
        "export, for a member: books, series, ratings, reading progress and "
        "reviews, with spoilers kept as spoiler blocks. New reviews are drafts "
        "unless --publish is given; a review already in the club is never "
        "published by an import. Running it again creates nothing new and "
        "leaves reviews the member has edited alone. "
        "Rows that cannot be read are reported with their line number; the "
        "command fails only if no row could be imported."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="The export file, e.g. goodreads.csv or reading_export.json."
        )
        parser.add_argument(
            "--member",
            required=True,
            help="Username of the member whose reading history this is.",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the new reviews instead of keeping them as drafts.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Do the whole import, report it, then roll everything back.",
        )

    def handle(self, *args, **options):
        User = get_user_model()
        username = options["member"]
        try:
            member = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"No member with the username {username!r}.") from None
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                f"Cannot read {path}: {error.strerror or error}."
            ) from error

        report = import_export(
            data, member, publish=options["publish"], dry_run=options["dry_run"]
        )
        self.write_report(report)
        if not report.ok:
            raise CommandError(report.fatal or "No row could be imported.")

    def write_report(self, report: ImportReport) -> None:
        style = self.style.SUCCESS if report.ok and not report.errors else None
        summary = report.summary()
        self.stdout.write(style(summary) if style else summary)
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(warning))
        for note in report.notes:
            self.stdout.write(f"line {note.line}: {note.message}")
        for error in report.sorted_errors():
            self.stderr.write(f"line {error.line}: {error.reason}")
