from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from reviews.demo import DEMO_PASSWORDS, load_demo


class Command(BaseCommand):
    help = "Build (or leave as it is) a small working book club for demos."

    def handle(self, *args, **options):
        try:
            result = load_demo()
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
