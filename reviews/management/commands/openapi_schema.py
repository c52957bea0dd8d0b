"""Write the v3 OpenAPI document without a running server.

Frontends generate their client from it (``frontend/``'s ``npm run
generate``); the document is the one ``/api/v3/openapi.json`` serves.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.urls import get_resolver
from django.utils.module_loading import import_string
from ninja.responses import NinjaJSONEncoder

from reviews.api.openapi import club_openapi


class Command(BaseCommand):
    help = (
        "Print the API v3 OpenAPI document (the one /api/v3/openapi.json serves), "
        "or write it to --output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", "-o", help="Write the document to this file instead."
        )
        parser.add_argument(
            "--club",
            action="store_true",
            help="Only the club's operations and the schemas they use.",
        )
        parser.add_argument(
            "--api",
            default="wagtail.api.v3.urls.api",
            help="Dotted path of the NinjaAPI the site mounts (default: Wagtail's).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The site's URLconf registers the club's routers on the API before
        # mounting it; reading the URL patterns runs it.
        get_resolver().url_patterns  # noqa: B018
        api = import_string(options["api"])
        document = club_openapi(api) if options["club"] else api.get_openapi_schema()
        text = json.dumps(document, cls=NinjaJSONEncoder, indent=2, sort_keys=True)
        if options["output"]:
            Path(options["output"]).write_text(text + "\n", encoding="utf-8")
            if options["verbosity"] > 0:
                self.stderr.write(f"Wrote {options['output']}")
        else:
            self.stdout.write(text)
