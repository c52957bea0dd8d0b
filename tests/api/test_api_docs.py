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


def test_the_docs_page_is_titled_with_the_clubs_name(client):
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    site.site_name = "Leningrad Readers"
    site.save()
    html = client.get("/api/v3/docs/").content.decode()
    assert re.search(r"<title>\s*Leningrad Readers API\s*</title>", html), html
    assert "Wagtail API" not in html


@override_settings(WAGTAIL_SITE_NAME="Siege & Sequel")
def test_without_a_site_name_the_setting_names_the_club(client):
    from wagtail.models import Site

    Site.objects.update(site_name="")
    html = client.get("/api/v3/docs/").content.decode()
    assert re.search(r"<title>\s*Siege &amp; Sequel API\s*</title>", html), html


def _descriptions(value) -> list[str]:
    if isinstance(value, dict):
        found = (
            [value["description"]] if isinstance(value.get("description"), str) else []
        )
        return found + [text for item in value.values() for text in _descriptions(item)]
    if isinstance(value, list):
        return [text for item in value for text in _descriptions(item)]
    return []


#: ``<name>`` outside a code span: the docs page renders it as an HTML tag,
#: so the placeholder a frontend developer needs vanishes.
BARE_PLACEHOLDER = re.compile(r"<[a-z][a-z ]*>")


@pytest.mark.parametrize("url", ["/api/v3/openapi.json", "/api/v2/openapi.json"])
def test_no_description_hides_a_placeholder_from_the_docs_page(client, url):
    document = client.get(url).json()
    descriptions = _descriptions(document)
    assert any("<chapter>" in text for text in descriptions)
    for text in descriptions:
        outside_code = re.sub(r"`[^`]*`", "", text)
        assert not BARE_PLACEHOLDER.search(outside_code), text
