"""A change made by another process is served at once by a running server.

The server is gunicorn with two sync workers and the embedded default cache
(local memory in each worker); the changes come from a separate Django
process (``SHELL``), as a management command, a cron job or a task worker
would make them.
The database is the suite's kind: a SQLite file, or a scratch PostgreSQL
database when the suite runs on PostgreSQL (``DATABASE_URL``).
"""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fixtures.database import migrated_copy
from tests.ports import free_port

# django_db: the servers start from a copy of the test database (migrated_copy).
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]

SEED = """
from tests.factories import BookFactory, make_review
book = BookFactory(title="Cross Process Book")
make_review(book=book, title="Kept Review", slug="kept")
make_review(book=book, title="Doomed Review", slug="doomed")
"""


#: The other process: Django set up once, then each code block sent on stdin
#: (one JSON string per line) run in a fresh namespace, its printed output and
#: any traceback sent back as one JSON line. A ``manage.py shell -c`` per change
#: started Django anew each time, about 3 s on a loaded machine; this process
#: is just as separate from the server, the way a long-running worker is.
SHELL = """
import contextlib, io, json, sys, traceback
import django
django.setup()
for line in sys.stdin:
    output = io.StringIO()
    ok = True
    with contextlib.redirect_stdout(output):
        try:
            exec(json.loads(line), {})
        except BaseException:
            ok = False
            traceback.print_exc(file=output)
    sys.stdout.write(json.dumps({"ok": ok, "output": output.getvalue()}) + "\\n")
    sys.stdout.flush()
"""


@dataclass
class Server:
    url: str
    shell_process: subprocess.Popen

    def get(self, path: str) -> tuple[int, str]:
        request = urllib.request.Request(self.url + path)  # noqa: S310 (http only)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def shell(self, code: str) -> str:
        """Run ``code`` in the other process; what it printed."""
        shell = self.shell_process
        assert shell.stdin is not None and shell.stdout is not None
        shell.stdin.write(json.dumps(code) + "\n")
        shell.stdin.flush()
        ready, _, _ = select.select([shell.stdout], [], [], 120)
        assert ready, "the shell process did not answer within 120 s"
        line = shell.stdout.readline()
        assert line, f"the shell process ended ({shell.poll()})"
        answer = json.loads(line)
        assert answer["ok"], answer["output"]
        return answer["output"]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def server(tmp_path_factory, django_db_setup, django_db_blocker) -> Iterator[Server]:
    with migrated_copy(
        django_db_blocker, "xproc", tmp_path_factory.mktemp("xproc")
    ) as database_url:
        yield from _serve(database_url)


def _serve(database_url: str) -> Iterator[Server]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "REDIS_", "DATABASE_", "PYTEST_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bookclub.settings.test",
        DATABASE_URL=database_url,
        PYTHONPATH=str(ROOT),
    )
    port = free_port()
    gunicorn = subprocess.Popen(  # noqa: S603 (our own gunicorn)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bookclub.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--max-requests",
            "0",
        ],
        cwd=ROOT,
        env={**env, "WEB_CONCURRENCY": "2"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    shell = subprocess.Popen(  # noqa: S603 (our own code)
        [sys.executable, "-c", SHELL],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    club = Server(url=f"http://127.0.0.1:{port}", shell_process=shell)
    try:
        club.shell(SEED)
        deadline = time.monotonic() + 60
        while True:
            try:
                club.get("/")
                break
            except OSError:
                if time.monotonic() > deadline or gunicorn.poll() is not None:
                    raise
                time.sleep(0.3)
        yield club
    finally:
        assert shell.stdin is not None
        shell.stdin.close()
        shell.wait(timeout=30)
        gunicorn.terminate()
        gunicorn.wait(timeout=30)


def _page(server: Server, slug: str) -> tuple[int, str]:
    """The id and the path of the page with ``slug``."""
    found = server.shell(
        "from wagtail.models import Page\n"
        f"page = Page.objects.get(slug={slug!r}); print(page.pk, page.url)"
    ).split()
    return int(found[0]), found[1]


def _warm(server: Server, paths: list[str], times: int = 6) -> None:
    """Every worker has each response in its own cache."""
    for _ in range(times):
        for path in paths:
            assert server.get(path)[0] == 200, path


def _every_worker(server: Server, path: str, times: int = 6) -> list[tuple[int, str]]:
    return [server.get(path) for _ in range(times)]


def test_unpublished_elsewhere_is_gone_at_once(server):
    page_id, html = _page(server, "doomed")
    api = f"/api/v2/pages/{page_id}/"
    v3 = f"/api/v3/reviews/{page_id}/"
    listing = "/api/v2/pages/?type=reviews.ReviewPage&fields=title"
    _warm(server, [html, api, v3, listing])

    server.shell(
        f"from wagtail.models import Page; Page.objects.get(pk={page_id}).unpublish()"
    )

    for path in (html, api, v3):
        assert {status for status, _ in _every_worker(server, path)} == {404}, path
    for _, body in _every_worker(server, listing):
        assert "Doomed Review" not in body
        assert "Kept Review" in body


def _restricted_elsewhere(server: Server, slug: str, title: str, restrict: str) -> None:
    """Warm every worker with the page ``slug``, run ``restrict`` (a
    ``{page_id}`` in it is the page's id) in the other process, and find
    ``title`` nowhere any more."""
    page_id, html = _page(server, slug)
    api = f"/api/v2/pages/{page_id}/"
    v3 = f"/api/v3/reviews/{page_id}/"
    listing = "/api/v3/reviews/"
    _warm(server, [html, api, v3, listing])

    server.shell(restrict.format(page_id=page_id))

    for status, body in _every_worker(server, html):
        assert status == 302 and title not in body
    for path in (api, v3):
        assert {status for status, _ in _every_worker(server, path)} == {404}, path
    for _, body in _every_worker(server, listing):
        assert title not in body


def test_a_login_restriction_added_elsewhere_is_honoured_at_once(server):
    _restricted_elsewhere(
        server,
        "kept",
        "Kept Review",
        "from wagtail.models import PageViewRestriction, Page\n"
        "PageViewRestriction.objects.create(page=Page.objects.get(pk={page_id}),"
        " restriction_type=PageViewRestriction.LOGIN)",
    )


def test_a_restriction_bulk_created_elsewhere_is_honoured_at_once(server):
    """``bulk_create`` sends no signal: the database's trigger retires the
    tags (tests/caching/test_writes_without_signals.py has each kind)."""
    server.shell(
        "from tests.factories import make_review\n"
        "from reviews.models import Book\n"
        "make_review(book=Book.objects.get(title='Cross Process Book'),"
        " title='Bulk Restricted Review', slug='bulk-restricted')"
    )
    _restricted_elsewhere(
        server,
        "bulk-restricted",
        "Bulk Restricted Review",
        "from wagtail.models import PageViewRestriction\n"
        "PageViewRestriction.objects.bulk_create([PageViewRestriction("
        "page_id={page_id}, restriction_type=PageViewRestriction.LOGIN)])",
    )


def test_published_elsewhere_shows_at_once(server):
    listing = "/api/v3/reviews/"
    v2 = "/api/v2/pages/?type=reviews.ReviewPage&fields=title"
    _warm(server, [listing, v2, "/reviews/"])

    server.shell(
        "from tests.factories import make_review\n"
        "from reviews.models import Book\n"
        "make_review(book=Book.objects.get(title='Cross Process Book'),"
        " title='Fresh Review', slug='fresh')"
    )

    for path in (listing, v2, "/reviews/"):
        for status, body in _every_worker(server, path):
            assert status == 200 and "Fresh Review" in body, path


def test_a_comment_posted_elsewhere_shows_at_once(server):
    """A comment may show late only to requests that arrive while another
    rebuilds the page (tests/caching/test_late_copies.py); one request after
    another, in any worker, sees it at once."""
    found = server.shell(
        "from tests.factories import make_discussion\n"
        "from reviews.models import Book\n"
        "page = make_discussion(book=Book.objects.get(title='Cross Process Book'),"
        " title='Open Talk', slug='open-talk')\n"
        "print(page.pk)"
    )
    page_id = int(found.split()[-1])
    path = f"/api/v3/discussions/{page_id}/"
    _warm(server, [path])
    before = {body for _, body in _every_worker(server, path)}
    assert len(before) == 1

    server.shell(
        "from reviews.models import DiscussionComment\n"
        "from tests.factories import UserFactory\n"
        f"DiscussionComment.objects.create(page_id={page_id},"
        " author=UserFactory(), body='First!')"
    )

    for status, body in _every_worker(server, path):
        assert status == 200 and body not in before


def test_a_member_renamed_elsewhere_shows_at_once(server):
    server.shell(
        "from tests.factories import UserFactory, make_review\n"
        "from reviews.models import Book\n"
        "olga = UserFactory(username='olga', first_name='Olga', last_name='Before')\n"
        "make_review(book=Book.objects.get(title='Cross Process Book'),"
        " title='Named Review', slug='named', reviewer=olga, owner=olga)"
    )
    page_id, html = _page(server, "named")
    v3 = f"/api/v3/reviews/{page_id}/"
    _warm(server, [html, v3])
    assert "Olga Before" in server.get(v3)[1]

    server.shell(
        "from reviews.models import ReviewPage\n"
        f"member = ReviewPage.objects.get(pk={page_id}).reviewer\n"
        "member.last_name = 'After'\n"
        "member.save()"
    )

    for path in (html, v3):
        for status, body in _every_worker(server, path):
            assert status == 200, path
            assert "Olga After" in body and "Olga Before" not in body, path


def test_a_parent_changed_elsewhere_is_named_as_it_is_now(server):
    """A review's ``meta.parent`` is kept per content version in each
    worker's memory: renaming or unpublishing its index elsewhere shows in
    the next detail, from every worker, whether or not the server keeps a
    copy of it (``spoilers=hide`` gets none)."""
    server.shell(
        "from tests.factories import make_review\n"
        "from reviews.models import Book\n"
        "make_review(book=Book.objects.get(title='Cross Process Book'),"
        " title='Parented Review', slug='parented')"
    )
    page_id, _ = _page(server, "parented")
    paths = [f"/api/v2/pages/{page_id}/", f"/api/v2/pages/{page_id}/?spoilers=hide"]
    _warm(server, paths)
    index = (
        "from wagtail.models import Page\n"
        f"index = Page.objects.get(pk={page_id}).get_parent().specific\n"
    )

    def parents() -> set[str | None]:
        shown = set()
        for path in paths:
            for status, body in _every_worker(server, path):
                assert status == 200, path
                parent = json.loads(body)["meta"]["parent"]
                shown.add(parent and parent["title"])
        return shown

    assert parents() == {"Reviews"}
    server.shell(index + "index.title = 'All reviews'\nindex.save_revision().publish()")
    assert parents() == {"All reviews"}
    server.shell(index + "index.unpublish()")
    assert parents() == {None}
    server.shell(index + "index.title = 'Reviews'\nindex.save_revision().publish()")
    assert parents() == {"Reviews"}


def test_totals_and_book_choices_follow_changes_made_elsewhere(server):
    """The listings' totals and the review index's book choices are kept per
    version of which reviews are public, in each worker's own memory here: a
    review published elsewhere, moved to another book or unpublished shows
    in them at once, from every worker; a new revision changes nothing."""
    listings = ("/api/v3/reviews/", "/api/v2/pages/?type=reviews.ReviewPage")

    def shown() -> set[tuple[int, int, int, bool]]:
        seen = set()
        for _ in range(6):
            v3, v2, index = (server.get(path) for path in (*listings, "/reviews/"))
            assert v3[0] == v2[0] == index[0] == 200
            count = re.search(r'class="results-count">(\d+) review', index[1])
            assert count is not None
            seen.add(
                (
                    json.loads(v3[1])["count"],
                    json.loads(v2[1])["meta"]["total_count"],
                    int(count.group(1)),
                    ">Elsewhere Book (" in index[1],
                )
            )
        return seen

    before = shown()
    assert len(before) == 1
    ((v3, v2, index, named),) = before
    assert not named
    review = (
        "from reviews.models import Book, ReviewPage\n"
        "page = ReviewPage.objects.get(slug='counted')\n"
    )

    server.shell(
        "from tests.factories import BookFactory, make_review\n"
        "make_review(book=BookFactory(title='Elsewhere Book'),"
        " title='Counted Review', slug='counted')"
    )
    assert shown() == {(v3 + 1, v2 + 1, index + 1, True)}
    server.shell(review + "page.summary = 'Again.'\npage.save_revision().publish()")
    assert shown() == {(v3 + 1, v2 + 1, index + 1, True)}
    server.shell(
        review + "page.book = Book.objects.get(title='Cross Process Book')\n"
        "page.save_revision().publish()"
    )
    assert shown() == {(v3 + 1, v2 + 1, index + 1, False)}
    server.shell(review + "page.unpublish()")
    assert shown() == {(v3, v2, index, False)}


def test_a_site_renamed_elsewhere_is_in_every_html_url_at_once(server):
    """A page's ``html_url`` is built from the sites' root paths, which each
    worker keeps per content version: the default site given another host
    name elsewhere is the host of the next detail's ``html_url``, from every
    worker, although Wagtail's own copy of those paths sits in each worker's
    memory, out of the other process's reach."""
    # A review of its own: "kept" is restricted by an earlier test.
    server.shell(
        "from tests.factories import make_review\n"
        "from reviews.models import Book\n"
        "make_review(book=Book.objects.get(title='Cross Process Book'),"
        " title='Hosted Review', slug='hosted')"
    )
    page_id, _ = _page(server, "hosted")
    paths = [f"/api/v2/pages/{page_id}/", f"/api/v3/reviews/{page_id}/"]
    _warm(server, paths)
    site = (
        "from wagtail.models import Site\n"
        "site = Site.objects.get(is_default_site=True)\n"
    )
    before = server.shell(site + "print(site.hostname)").strip()

    def hosts() -> set[str]:
        shown = set()
        for path in paths:
            for status, body in _every_worker(server, path):
                assert status == 200, path
                answer = json.loads(body)
                meta = answer["meta"]
                url = meta.get("html_url") or answer.get("html_url")
                shown.add(url.split("/")[2])
        return shown

    assert hosts() == {before}
    server.shell(site + "site.hostname = 'renamed.example'\nsite.save()")
    try:
        assert hosts() == {"renamed.example"}
        # Wagtail's own page URLs too (reviews.site_root).
        for path in ("/sitemap.xml", "/feeds/reviews/"):
            for status, body in _every_worker(server, path):
                assert status == 200 and "//renamed.example/" in body, path
    finally:
        server.shell(site + f"site.hostname = {before!r}\nsite.save()")
    assert hosts() == {before}


def test_a_site_added_elsewhere_answers_its_host_at_once(server):
    """Which Site answers a host is kept in each worker
    (``reviews.site_root.site_for_hostname``): a Site added elsewhere for
    this server's host and port answers the next request in every worker,
    and once it is removed, the default Site does again."""
    port = int(server.url.rsplit(":", 1)[1])
    _warm(server, ["/"])
    assert all("Another club" not in body for _, body in _every_worker(server, "/"))
    server.shell(
        "from wagtail.models import Page, Site\n"
        "home = Page.get_first_root_node().add_child(\n"
        "    instance=Page(title='Another club', slug='another-club'))\n"
        f"Site.objects.create(hostname='127.0.0.1', port={port}, root_page=home,\n"
        "    site_name='Another club')"
    )
    try:
        answers = _every_worker(server, "/")
        assert all(
            status == 200 and "<h1>Another club</h1>" in body
            for status, body in answers
        )
    finally:
        server.shell(
            "from wagtail.models import Page, Site\n"
            "Site.objects.filter(site_name='Another club').delete()\n"
            "Page.objects.filter(slug='another-club').delete()"
        )
    assert all("Another club" not in body for _, body in _every_worker(server, "/"))


def test_a_series_changed_elsewhere_shows_in_every_book_at_once(server):
    """Each worker keeps the map of every book's public series in its own
    memory until a change to series or to the page tree retires it (a
    review's publish leaves it): a series created, renamed or restricted
    elsewhere is what every worker's next answer names."""
    server.shell(
        "from tests.factories import BookFactory, make_review, make_series\n"
        "book = BookFactory(title='Serial Book')\n"
        "make_review(book=book, title='Serial Review', slug='serial')\n"
    )
    page_id, _ = _page(server, "serial")
    paths = [f"/api/v2/pages/{page_id}/", f"/api/v3/reviews/{page_id}/"]
    series = (
        "from reviews.models import Book, SeriesPage\n"
        "book = Book.objects.get(title='Serial Book')\n"
    )

    def named() -> set[tuple[str, ...]]:
        shown = set()
        for path in paths:
            for status, body in _every_worker(server, path):
                assert status == 200, path
                titles = json.loads(body)["book"]["series"]
                shown.add(tuple(entry["title"] for entry in titles))
        return shown

    assert named() == {()}
    server.shell(
        series + "from tests.factories import make_series\n"
        "make_series('Serial Trilogy', [(book, 1)])"
    )
    assert named() == {("Serial Trilogy",)}
    server.shell(
        "from reviews.models import ReviewPage\n"
        "page = ReviewPage.objects.get(slug='serial')\n"
        "page.summary = 'Again.'\npage.save_revision().publish()"
    )
    assert named() == {("Serial Trilogy",)}
    server.shell(
        series + "page = SeriesPage.objects.get(title='Serial Trilogy')\n"
        "page.title = 'Serial Quartet'\npage.save_revision().publish()"
    )
    assert named() == {("Serial Quartet",)}
    server.shell(
        series + "from wagtail.models import PageViewRestriction\n"
        "PageViewRestriction.objects.create("
        "page=SeriesPage.objects.get(title='Serial Quartet'),"
        " restriction_type=PageViewRestriction.LOGIN)"
    )
    assert named() == {()}


def test_the_series_choices_follow_a_series_changed_elsewhere(server):
    """Each worker keeps the review index's series choices until a change to
    series or to the page tree: a series renamed or restricted elsewhere
    leaves every worker's next index; a review's publish changes nothing."""
    server.shell(
        "from tests.factories import BookFactory, make_review, make_series\n"
        "book = BookFactory(title='Chosen Book')\n"
        "make_review(book=book, title='Chosen Review', slug='chosen')\n"
        "make_series('Choice Saga', [(book, 1)])\n"
    )
    series = "from reviews.models import SeriesPage\n"

    def choices() -> set[tuple[bool, bool]]:
        seen = set()
        for status, body in _every_worker(server, "/reviews/"):
            assert status == 200
            start = body.index('<select name="series"')
            options = body[start : body.index("</select>", start)]
            seen.add((">Choice Saga<" in options, ">Choice Cycle<" in options))
        return seen

    assert choices() == {(True, False)}
    server.shell(
        "from reviews.models import ReviewPage\n"
        "page = ReviewPage.objects.get(slug='chosen')\n"
        "page.summary = 'Again.'\npage.save_revision().publish()"
    )
    assert choices() == {(True, False)}
    server.shell(
        series + "page = SeriesPage.objects.get(title='Choice Saga')\n"
        "page.title = 'Choice Cycle'\npage.save_revision().publish()"
    )
    assert choices() == {(False, True)}
    server.shell(
        series + "from wagtail.models import PageViewRestriction\n"
        "PageViewRestriction.objects.create("
        "page=SeriesPage.objects.get(title='Choice Cycle'),"
        " restriction_type=PageViewRestriction.LOGIN)"
    )
    assert choices() == {(False, False)}
