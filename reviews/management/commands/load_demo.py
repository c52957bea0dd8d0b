from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from reviews.demo import (
    DEMO_PASSWORDS,
    example_variables,
    load_demo,
    point_default_site,
)


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

    def handle(self, *args, **options):
        try:
            # First: the emails the demo sends as it is built link to it.
            root = (
                point_default_site(options["hostname"], options["port"])
                if options["port"]
                else None
            )
            result = load_demo()
            if root:
                result.note(f"site root {root}")
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        call_command("update_index", verbosity=0)
        call_command("rebuild_references_index", verbosity=0)
        call_command("index_published_media", verbosity=0)
        for line in result.created:
            self.stdout.write(f"Ready: {line}")
        self.stdout.write(self.style.SUCCESS("The demo club is ready."))
        self.stdout.write(
            f"Admin login: admin / {DEMO_PASSWORDS['admin']}  (editor / "
            f"{DEMO_PASSWORDS['editor']}, members alice / {DEMO_PASSWORDS['alice']} "
            f"and bruno / {DEMO_PASSWORDS['bruno']})"
        )
        variables = " ".join(f"{k}={v}" for k, v in example_variables().items())
        self.stdout.write(f"For the README's API examples: export {variables}")
