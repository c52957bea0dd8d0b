"""``/robots.txt`` points crawlers at the sitemap and keeps them off the
admin, the sign-in pages and the addresses that open spoilers on request
(``read=``, ``reveal=``, ``spoilers=show``), which also say ``noindex``."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_robots_names_the_sitemap_and_keeps_crawlers_off_what_opens_spoilers(
    client,
):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    for path in ("/admin/", "/accounts/", "/*?*read=", "/*?*reveal=", "/*?*spoilers="):
        assert f"Disallow: {path}" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert client.post("/robots.txt").status_code == 405
