"""The interactive API docs work offline: the page and everything it loads
come from this site (the Swagger UI that django-ninja ships)."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

#: Serving a document reads the cache tags in the database.
pytestmark = pytest.mark.django_db

ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


def test_api_docs_load_nothing_from_another_host(client):
    response = client.get("/api/v3/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = ASSET.findall(html)
    assert any(asset.endswith(".js") for asset in assets)
    assert any(asset.endswith(".css") for asset in assets)
    assert re.findall(r"(?:https?:)?//[\w.-]+", html) == []


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_every_asset_of_the_api_docs_is_served(db):
    client = Client()
    html = client.get("/api/v3/docs/").content.decode()
    for asset in ASSET.findall(html):
        response = client.get(asset)
        assert response.status_code == 200, asset
        body = (
            response.getvalue()
            if not response.streaming
            else b"".join(response.streaming_content)
        )
        assert body
