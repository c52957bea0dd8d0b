"""``manage.py openapi_schema`` writes the document the API serves, so a
frontend can generate its client without starting a server."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from wagtail.api.v3.urls import api

from reviews.api.openapi import club_openapi


def test_the_dumped_document_is_the_served_one(db, client, tmp_path):
    served = client.get("/api/v3/openapi.json").json()
    output = tmp_path / "openapi.json"

    call_command("openapi_schema", output=str(output), verbosity=0)

    assert json.loads(output.read_text(encoding="utf-8")) == served
    assert "/api/v3/reviews/{review_id}/" in served["paths"]


def test_club_only_prints_the_club_part_to_stdout():
    stdout = StringIO()

    call_command("openapi_schema", club=True, stdout=stdout)

    document = json.loads(stdout.getvalue())
    expected = json.loads(json.dumps(club_openapi(api)))
    assert document == expected
    assert "/api/v3/pages/" not in document["paths"]
