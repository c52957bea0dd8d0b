"""The club's v3 API is put together in one place (``reviews.api.v3.register``):
importing a router module adds nothing to another module's router."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from wagtail.api.v3.urls import api

ROOT = Path(__file__).resolve().parents[2]

#: Imports every router module, then lists the operations of the reviews
#: router; ``urls.py`` (which registers the API) is never imported.
SCRIPT = """
import json

import django

django.setup()

from reviews.api.routers import (  # noqa: F401
    books, comments, discussions, preview, progress, review_writes, reviews,
    rounds, rsvps, series,
)

print(json.dumps([
    operation.operation_id
    for path_view in reviews.router.path_operations.values()
    for operation in path_view.operations
]))
"""

WRITES = {"club_reviews_create", "club_reviews_update", "club_reviews_submit"}


def _operation_ids() -> set[str]:
    schema = api.get_openapi_schema()
    return {
        operation["operationId"]
        for path in schema["paths"].values()
        for operation in path.values()
    }


def test_importing_the_review_writes_adds_no_route_to_the_reviews_router():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "bookclub.settings.test"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout.strip().splitlines()[-1])
    assert sorted(listed) == ["club_reviews_detail", "club_reviews_list"]


def test_the_registered_api_has_the_review_reads_and_writes():
    operation_ids = _operation_ids()
    assert WRITES <= operation_ids
