import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from reviews.models import Book, DiscussionPage, ReadingProgress, ReviewPage

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_load_demo_builds_the_club_and_is_idempotent(client):
    call_command("load_demo", stdout=open(os.devnull, "w"))
    counts = (
        Book.objects.count(),
        ReviewPage.objects.count(),
        DiscussionPage.objects.count(),
        ReadingProgress.objects.count(),
    )
    call_command("load_demo", stdout=open(os.devnull, "w"))
    assert counts == (
        Book.objects.count(),
        ReviewPage.objects.count(),
        DiscussionPage.objects.count(),
        ReadingProgress.objects.count(),
    )
    betrayal_review = ReviewPage.objects.get(book__title="The Betrayal")
    assert "The Siege" in {entry["title"] for entry in betrayal_review.spoils}
    assert ReviewPage.objects.filter(live=False).exists(), "a review awaits moderation"
    for page in ReviewPage.objects.live():
        assert client.get(page.url).status_code == 200


@pytest.mark.django_db
def test_the_readme_examples_discussion_is_the_coming_meeting(client):
    """`curl $B/api/v3/discussions/$DISCUSSION/rsvps/` shows the demo's RSVPs
    (a past meeting answers all zeros, and refuses an RSVP with a 409)."""
    from reviews.demo import example_variables

    call_command("load_demo", stdout=open(os.devnull, "w"))
    discussion = example_variables()["DISCUSSION"]

    rsvps = client.get(f"/api/v3/discussions/{discussion}/rsvps/").json()
    assert rsvps["going_count"] > 0
    assert DiscussionPage.objects.get(pk=discussion).is_upcoming


@pytest.mark.django_db
def test_every_page_of_the_demo_club_answers(client):
    from wagtail.models import Page

    with open(os.devnull, "w") as devnull:
        call_command("load_demo", stdout=devnull)
    for page in Page.objects.live().filter(depth__gte=2).specific():
        response = client.get(page.url)
        assert response.status_code == 200, page.url
    for url in ("/api/v2/pages/", "/api/v3/pages/", "/sitemap.xml", "/admin/login/"):
        assert client.get(url).status_code == 200, url
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/reviews/the-betrayal-after-the-siege/" in sitemap
    assert "middlemarch-second-opinion" not in sitemap, "drafts stay out"


def _import_production(env_overrides):
    env = {
        k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS")
    }
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "bookclub.settings.production"
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _import_production({"ALLOWED_HOSTS": "club.example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_starts_with_its_environment():
    result = _import_production(
        {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "club.example.org"}
    )
    assert result.returncode == 0, result.stderr
