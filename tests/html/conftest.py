"""The demo club, loaded once for the HTML gates, and the pages to check."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from qa.crawl import page_types

#: Who reads the pages: members see forms, progress and opened spoilers.
VIEWERS = ("anonymous", "member")


def client_for(viewer: str) -> Client:
    client = Client(raise_request_exception=False)
    if viewer == "member":
        client.force_login(get_user_model().objects.get(username="alice"))
    return client


@pytest.fixture(scope="module")
def pages(demo, django_db_blocker) -> dict[tuple[str, str], str]:
    """``{(viewer, page type): path}`` for every page type each viewer reaches."""
    found: dict[tuple[str, str], str] = {}
    with django_db_blocker.unblock():
        for viewer in VIEWERS:
            for kind, path in page_types(client_for(viewer)).items():
                found[(viewer, kind)] = path
    return found
