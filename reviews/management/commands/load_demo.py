from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from reviews.demo import (
    DEMO_PASSWORDS,
    example_variables,
    load_demo,
    point_default_site,
)

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


class Command(BaseCommand):
    help = "Build (or leave as it is) a small working book club for demos."

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            type=int,
            help="Point the demo site at this port (absolute URLs in feeds, "
            "the sitemap, calendars and the API use the site's root).",
        )
        parser.add_argument(
            "--hostname",
            default="127.0.0.1",
            help="The demo site's hostname, with --port (default 127.0.0.1).",
        )
        parser.add_argument(
            "--mail-dir",
            type=Path,
            default=getattr(settings, "BOOKCLUB_DEMO_MAIL_DIR", None),
            help="Write the emails the demo sends to its members while it is "
            "built (moderation, replies) to files in this folder instead of "
            "sending them (default: the BOOKCLUB_DEMO_MAIL_DIR setting; "
            "without it they go through EMAIL_BACKEND).",
        )

    def handle(self, *args, **options) -> None:
        mail_dir: Path | None = options["mail_dir"]
        kept_before = _files(mail_dir)
        try:
            with _mail_to_files(mail_dir):
                # First: the emails the demo sends as it is built link to it.
                root = (
                    point_default_site(options["hostname"], options["port"])
                    if options["port"]
                    else None
                )
                result = load_demo()
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        if root:
            result.note(f"site root {root}")
        call_command("update_index", verbosity=0)
        call_command("rebuild_references_index", verbosity=0)
        call_command("index_published_media", verbosity=0)
        for line in result.created:
            self.stdout.write(f"Ready: {line}")
        self.stdout.write(self.style.SUCCESS("The demo club is ready."))
        if mail_dir is not None and _files(mail_dir) - kept_before:
            self.stdout.write(
                f"The emails it sent its members are in {_shown(mail_dir)}/"
            )
        variables = " ".join(f"{k}={v}" for k, v in example_variables().items())
        self.stdout.write(f"For the README's API examples: export {variables}")
        self.stdout.write(
            f"Admin login: admin / {DEMO_PASSWORDS['admin']}  (editor / "
            f"{DEMO_PASSWORDS['editor']}, members alice / {DEMO_PASSWORDS['alice']} "
            f"and bruno / {DEMO_PASSWORDS['bruno']})"
        )


@contextlib.contextmanager
def _mail_to_files(mail_dir: Path | None) -> Iterator[None]:
    """Django's file-based email backend while the demo is built, when a
    folder is given: its notifications to made-up members are kept for a
    developer to read, not printed by hundreds of lines or sent."""
    if mail_dir is None:
        yield
        return
    with override_settings(EMAIL_BACKEND=FILE_BACKEND, EMAIL_FILE_PATH=str(mail_dir)):
        yield


def _files(mail_dir: Path | None) -> set[Path]:
    if mail_dir is None or not mail_dir.is_dir():
        return set()
    return set(mail_dir.iterdir())


def _shown(path: Path) -> str:
    """The folder relative to the current one when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
