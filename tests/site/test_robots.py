"""``/robots.txt`` points crawlers at the sitemap and keeps them off the
admin, the sign-in pages and the addresses that open spoilers or hidden
comments on request (``read=``, ``reveal=``, ``spoilers=show``,
``reveal_comments=``, ``/club/reveal/``), which also say ``noindex``."""

from __future__ import annotations

import pytest
from wagtail.models import Site

pytestmark = pytest.mark.django_db

KEPT_OFF = (
    "/admin/",
    "/accounts/",
    "/club/reveal/",
    "/*?*read=",
    "/*?*reveal=",
    "/*?*reveal_comments=",
    "/*?*spoilers=",
)


def test_robots_names_the_sitemap_and_keeps_crawlers_off_what_opens_spoilers(
    client,
):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    for path in KEPT_OFF:
        assert f"Disallow: {path}" in lines
    assert client.post("/robots.txt").status_code == 405


def test_the_sitemap_is_named_from_the_site_not_the_host_header(client):
    """Like every absolute URL the site hands out: a client chooses the
    ``Host`` it sends, and a shared copy of robots.txt would pass it on."""
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "club.example.org", 443
    site.save()

    for host in ("testserver", "127.0.0.1"):
        lines = client.get("/robots.txt", HTTP_HOST=host).content.decode().splitlines()
        assert "Sitemap: https://club.example.org/sitemap.xml" in lines, host
