"""Every page type is valid HTML by the Nu HTML Checker, the W3C's own.

The checker is ``vnu.jar`` from the npm package ``vnu-jar`` (``qa/``: ``npm ci
--prefix qa``), run on Java. Without it these tests skip on a laptop; CI
installs it and sets ``CI``, so a missing checker fails there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import VIEWERS, client_for

QA = Path(__file__).resolve().parents[2] / "qa"
VNU_JAR = Path(
    os.environ.get("VNU_JAR", QA / "node_modules/vnu-jar/build/dist/vnu.jar")
)

#: Page types every club must have; the crawl may find more, never fewer.
pytestmark = pytest.mark.django_db

EXPECTED = {
    "HomePage",
    "ReviewIndexPage",
    "ReviewPage",
    "SeriesIndexPage",
    "SeriesPage",
    "DiscussionIndexPage",
    "DiscussionPage",
    "reviews:search",
    "reviews:next_book",
    "reviews:next_book_round",
    "reviews:book",
    "login",
    "not-found",
}


def _checker() -> list[str]:
    java = shutil.which("java")
    if java and VNU_JAR.exists():
        return [java, "-jar", str(VNU_JAR)]
    missing = f"the Nu HTML Checker ({VNU_JAR}, java {java or 'missing'})"
    if os.environ.get("CI"):
        pytest.fail(f"{missing} is not installed: npm ci --prefix qa")
    pytest.skip(f"{missing} is not installed: npm ci --prefix qa")


def test_the_crawl_finds_every_page_type(pages):
    expected = {
        "anonymous": EXPECTED,
        "member": EXPECTED - {"login"}
        | {"reviews:my_reading", "reviews:my_tokens", "reviews:remove_progress"},
    }
    for viewer in VIEWERS:
        kinds = {kind for (who, kind) in pages if who == viewer}
        missing = expected[viewer] - kinds
        assert not missing, f"{viewer} never reached {missing}"


def test_every_page_type_is_valid_html(pages, tmp_path, django_db_blocker):
    checker = _checker()
    files: dict[str, str] = {}
    with django_db_blocker.unblock():
        clients = {viewer: client_for(viewer) for viewer in VIEWERS}
        for (viewer, kind), path in sorted(pages.items()):
            response = clients[viewer].get(path)
            name = f"{viewer}-{kind.replace(':', '-')}.html"
            (tmp_path / name).write_bytes(response.content)
            files[name] = f"{path} as {viewer}"
    result = subprocess.run(
        [*checker, "--errors-only", "--format", "json", "--exit-zero-always", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [
        f"{files.get(Path(m.get('url', '')).name, m.get('url'))}, line "
        f"{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert len(files) >= len(EXPECTED) * len(VIEWERS)
    assert not errors, "\n".join(errors)


def test_every_page_type_has_a_meta_description(pages, django_db_blocker):
    missing = []
    with django_db_blocker.unblock():
        clients = {viewer: client_for(viewer) for viewer in VIEWERS}
        for (viewer, kind), path in sorted(pages.items()):
            html = clients[viewer].get(path).content.decode()
            if '<meta name="description" content="' not in html or (
                '<meta name="description" content=""' in html
            ):
                missing.append(f"{kind} ({path}) as {viewer}")
    assert not missing, missing


def test_the_favicon_is_served(demo, django_db_blocker):
    with django_db_blocker.unblock():
        response = client_for("anonymous").get("/favicon.ico")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"


def test_no_page_sent_to_a_member_may_be_stored_by_a_shared_cache(
    pages, django_db_blocker
):
    """Every page type a member reaches is ``private`` (or ``no-store``):
    ``Vary: Cookie`` alone leaves a member's page to a CDN that ignores it."""
    shared = []
    with django_db_blocker.unblock():
        client = client_for("member")
        for (viewer, kind), path in sorted(pages.items()):
            if viewer != "member":
                continue
            cache_control = client.get(path).get("Cache-Control", "")
            if "private" not in cache_control and "no-store" not in cache_control:
                shared.append(f"{kind} ({path}): {cache_control!r}")
    assert not shared, shared
