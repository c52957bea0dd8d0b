"""Absolute URLs come from the site's configured root (the Wagtail Site),
never from the request's Host header; ``load_demo --port`` (which ``make run``
passes) points the demo Site at the port it is served on."""

from __future__ import annotations

import os
import re

import pytest
from django.core.management import call_command
from django.test import override_settings
from wagtail.models import Page, Site

from reviews.models import DiscussionPage, ReviewPage
from reviews.site_root import read_site_root_paths, wagtails_site_root_paths

ROOT = "http://127.0.0.1:8123"
#: Allowed by the test settings, but not the Site's hostname.
OTHER_HOST = "localhost"
ABSOLUTE = re.compile(r"""https?://[^\s"'<>]+""")
#: Namespaces and vocabularies the formats themselves name.
VOCABULARIES = (
    "https://schema.org",
    "http://www.sitemaps.org",
    "http://www.w3.org",
    "http://purl.org",
)
#: Links the demo's content holds: a meeting's online address.
CONTENT_LINKS = ("https://meet.example.org/",)


@pytest.fixture
def demo(db) -> None:
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", "--port", "8123", stdout=devnull)


def _urls(body: str) -> list[str]:
    # An iCalendar body folds its lines at 75 octets and writes a text's line
    # breaks as "\\n": unfolded and broken again, each address stands alone.
    body = body.replace("\r\n ", "").replace("\\n", "\n")
    return [
        url
        for url in ABSOLUTE.findall(body)
        if not url.startswith(VOCABULARIES + CONTENT_LINKS)
    ]


@override_settings(WAGTAILAPI_BASE_URL=None)
def test_every_absolute_url_starts_at_the_site_root(demo, client):
    site = Site.objects.get(is_default_site=True)
    assert site.root_url == ROOT
    review = ReviewPage.objects.live().filter(book__cover__isnull=False).first()
    discussion = DiscussionPage.objects.live().first()
    responses = {
        "feed": "/feeds/reviews/",
        "sitemap": "/sitemap.xml",
        "calendar": "/club/meetings.ics",
        "meeting": f"/club/discussions/{discussion.pk}/meeting.ics",
        "v3 listing": "/api/v3/reviews/",
        "v3 detail": f"/api/v3/reviews/{review.pk}/",
        "v2 detail": f"/api/v2/pages/{review.pk}/",
        "v2 listing": "/api/v2/pages/?type=reviews.ReviewPage",
    }
    for name, path in responses.items():
        response = client.get(path, HTTP_HOST=OTHER_HOST)
        assert response.status_code == 200, name
        urls = _urls(response.content.decode())
        assert urls, name
        assert [url for url in urls if not url.startswith(ROOT + "/")] == [], name

    page = client.get(review.url, HTTP_HOST=OTHER_HOST).content.decode()
    og_url = re.search(r'property="og:url" content="([^"]+)"', page)
    og_image = re.search(r'property="og:image" content="([^"]+)"', page)
    json_ld = re.search(r'"url": "([^"]+)"', page)
    for found in (og_url, og_image, json_ld):
        assert found and found.group(1).startswith(ROOT + "/"), found
    assert f"//{OTHER_HOST}" not in page


def test_a_meeting_uid_does_not_follow_the_host_header(demo, client):
    path = "/club/meetings.ics"
    uids = {
        host: re.findall(
            r"UID:(\S+)", client.get(path, HTTP_HOST=host).content.decode()
        )
        for host in ("127.0.0.1", OTHER_HOST)
    }
    assert uids["127.0.0.1"]
    assert uids["127.0.0.1"] == uids[OTHER_HOST]
    assert not any(OTHER_HOST in uid for uid in uids[OTHER_HOST])


@pytest.mark.django_db
@pytest.mark.parametrize("translated", [False, True])
def test_the_api_reads_the_sites_root_paths_as_wagtail_does(translated):
    """The API's page URLs take the sites' root paths from the database
    (reviews.site_root), in Wagtail's order: the most specific root first,
    then the default site."""
    root = Site.objects.get(is_default_site=True).root_page
    other = root.add_child(instance=Page(title="Other club", slug="other-club"))
    Site.objects.create(hostname="other.example", port=8080, root_page=other)
    Site.objects.create(hostname="alias.example", root_page=root)
    with override_settings(WAGTAIL_I18N_ENABLED=translated):
        Site.clear_site_root_paths_cache()
        assert read_site_root_paths(translated) == wagtails_site_root_paths()
    assert len(read_site_root_paths(translated)) == 3
