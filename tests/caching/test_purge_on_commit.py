"""Purges reach the edge cache only once the change has committed, and a
change rolled back purges nothing: a purge sent earlier lets the edge fetch
and keep the old state again before the commit makes the new one visible.

The edge here is a small HTTP server that records every ``PURGE`` the
club's :class:`~reviews.frontend_cache.XkeyBackend` sends it, by URL and by
surrogate key."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction, Site

from reviews.comments.actions import edit_comment
from reviews.frontend_cache import PURGE_HEADER, purges_by_url_only, urls_for_page
from reviews.models import ReviewIndexPage, ReviewPage, SeriesEntry
from tests.api.helpers import image_block
from tests.factories import (
    BookFactory,
    NominationRoundFactory,
    UserFactory,
    discussion_index,
    make_discussion,
    make_image,
    make_review,
    make_series,
    paragraph,
    site_root,
    spoiler,
)
from tests.factories.discussions import DiscussionCommentFactory, MeetingRSVPFactory
from tests.http_servers import serve_in_thread
from tests.spoilers.helpers import MARKER

#: Ports of this file's recording edge, outside the tests' server ports.
EDGE_PORTS = range(8690, 8700)


class Rollback(Exception):
    pass


class RecordingEdge(BaseHTTPRequestHandler):
    received: list[tuple[str, str, str]] = []

    def do_PURGE(self) -> None:  # noqa: N802 (http.server's name)
        RecordingEdge.received.append(
            (
                self.headers.get("Host", ""),
                self.path,
                self.headers.get(PURGE_HEADER, ""),
            )
        )
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def bound_edge(ports: range = EDGE_PORTS) -> ThreadingHTTPServer:
    """A :class:`RecordingEdge` on the first free port of ``ports``."""
    for port in ports:
        try:
            return ThreadingHTTPServer(("127.0.0.1", port), RecordingEdge)
        except OSError:
            continue
    raise OSError(socket.errno.EADDRINUSE, "no free port for the recording edge")


@contextlib.contextmanager
def _recording(backend: str, **options: object) -> Iterator[list[tuple[str, str, str]]]:
    """The club configured with one edge, a ``backend`` (with ``options``)
    that sends its purges to a :class:`RecordingEdge`; yields what it
    received."""
    server = bound_edge()
    serve_in_thread(server)
    backends = {
        "edge": {
            "BACKEND": backend,
            "LOCATION": f"http://127.0.0.1:{server.server_address[1]}",
            **options,
        }
    }
    RecordingEdge.received = []
    try:
        with override_settings(WAGTAILFRONTENDCACHE=backends):
            yield RecordingEdge.received
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def edge() -> Iterator[list[tuple[str, str, str]]]:
    """Varnish, purged by key and by URL."""
    with _recording("reviews.frontend_cache.XkeyBackend") as received:
        yield received


@pytest.fixture
def url_edge() -> Iterator[list[tuple[str, str, str]]]:
    """An edge purged by URL only (Wagtail's HTTP purger, as for nginx or a
    CDN)."""
    with _recording("wagtail.contrib.frontend_cache.backends.HTTPBackend") as received:
        yield received


def _url_purges(received) -> set[str]:
    """The paths purged by URL (the host is the Site's or the API's)."""
    return {path for _, path, keys in received if not keys}


def _key_purges(received) -> list[str]:
    return [keys for _, _, keys in received if keys]


@pytest.mark.django_db
def test_keys_are_purged_once_more_a_moment_later(django_capture_on_commit_callbacks):
    """Varnish files a new answer under its keys (xkey) only once the answer
    is in the cache: a purge that arrives between the VCL's check for a
    purge during the fetch and that moment misses an answer built before
    the change. ``REPURGE_AFTER`` sends the same keys again that much later,
    from another thread: the change's request does not wait for it."""
    with _recording(
        "reviews.frontend_cache.XkeyBackend", REPURGE_AFTER=0.5
    ) as received:
        review = make_review()
        time.sleep(0.7)  # the creation's own second purge
        received.clear()
        with django_capture_on_commit_callbacks(execute=True):
            review.title = "Changed"
            review.save_revision().publish()
        committed = time.monotonic()
        first = _key_purges(received)
        assert any(f"page-{review.pk}" in keys.split() for keys in first)
        while len(_key_purges(received)) < 2 * len(first):
            assert time.monotonic() - committed < 10, "the keys were not sent again"
            time.sleep(0.02)
        assert time.monotonic() - committed >= 0.45
        assert _key_purges(received) == first + first


@pytest.mark.django_db
def test_keys_are_purged_once_without_repurge_after(django_capture_on_commit_callbacks):
    with _recording("reviews.frontend_cache.XkeyBackend") as received:
        review = make_review()
        received.clear()
        with django_capture_on_commit_callbacks(execute=True):
            review.title = "Changed"
            review.save_revision().publish()
        first = _key_purges(received)
        time.sleep(0.3)
        assert first and _key_purges(received) == first


@pytest.fixture(params=["publish", "unpublish", "move"])
def change(request, edge):
    """A review, and a change of it (a publish, an unpublish, a move) to make."""
    review = make_review()
    if request.param == "move":
        elsewhere = ReviewIndexPage(title="Elsewhere", slug="elsewhere")
        site_root().add_child(instance=elsewhere)
        elsewhere.save_revision().publish()
    edge.clear()

    def make() -> None:
        if request.param == "publish":
            review.title = "Changed"
            review.save_revision().publish()
        elif request.param == "move":
            Page.objects.get(pk=review.pk).move(elsewhere, pos="last-child")
        else:
            review.unpublish()

    make.review = review
    return make


@pytest.mark.django_db
def test_nothing_is_purged_before_the_commit(
    edge, django_capture_on_commit_callbacks, change
):
    review = change.review
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            change()
            assert edge == []
        assert edge == []
    assert f"/api/v3/reviews/{review.pk}/" in _url_purges(edge)
    assert review.url in _url_purges(edge)
    assert any(f"page-{review.pk}" in keys.split() for keys in _key_purges(edge))


@pytest.mark.django_db
def test_a_rolled_back_change_purges_nothing(
    edge, django_capture_on_commit_callbacks, change
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(Rollback), transaction.atomic():
            change()
            raise Rollback
    assert edge == []


@pytest.mark.django_db(transaction=True)
def test_purges_follow_a_real_commit_and_never_a_rollback(edge):
    review = make_review()
    edge.clear()
    with pytest.raises(Rollback), transaction.atomic():
        review.unpublish()
        raise Rollback
    assert edge == []
    review.refresh_from_db()
    assert review.live
    with transaction.atomic():
        review.unpublish()
        assert edge == []
    assert f"/api/v2/pages/{review.pk}/" in _url_purges(edge)
    assert review.url in _url_purges(edge)
    assert _key_purges(edge)


@pytest.mark.django_db
@pytest.mark.parametrize("moved", ["review", "its index"])
def test_a_move_purges_the_urls_it_leaves_once_it_commits(
    edge, django_capture_on_commit_callbacks, moved
):
    """Edges purged by URL only (Cloudflare, a plain HTTP purger) keep the
    page at the address it left unless that address is purged."""
    review = make_review()
    index = review.get_parent()
    old_url = review.url
    section = Page(title="Section", slug="section")
    site_root().add_child(instance=section)
    section.save_revision().publish()
    target = section
    if moved == "review":
        target = ReviewIndexPage(title="Elsewhere", slug="elsewhere")
        section.add_child(instance=target)
        target.save_revision().publish()
    edge.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            page = review if moved == "review" else index
            Page.objects.get(pk=page.pk).move(target, pos="last-child")
            assert edge == []
    review.refresh_from_db()
    assert review.url != old_url
    assert old_url in _url_purges(edge)
    assert review.url in _url_purges(edge) or moved != "review"
    # The API's answers about the review name its address (html_url).
    assert _api_urls_of(review) <= _url_purges(edge)


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["restrict", "lift"])
def test_a_view_restriction_purges_the_pages_below_it_once_it_commits(
    edge, django_capture_on_commit_callbacks, change
):
    """Only a purge by surrogate key followed a restriction: an edge purged
    by URL only went on serving the pages below it to anyone."""
    review = make_review()
    index = review.get_parent()
    login = PageViewRestriction.LOGIN
    if change == "lift":
        PageViewRestriction.objects.create(page=index, restriction_type=login)
    edge.clear()

    def apply() -> None:
        if change == "restrict":
            PageViewRestriction.objects.create(page=index, restriction_type=login)
        else:
            PageViewRestriction.objects.get(page=index).delete()

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(Rollback), transaction.atomic():
            apply()
            raise Rollback
    assert edge == []
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            apply()
            assert edge == []
    assert {index.url, review.url} <= _url_purges(edge)
    # The APIs show the review too: a URL-purged edge kept serving them.
    assert _api_urls_of(review) <= _url_purges(edge)


def _api_urls_of(review) -> set[str]:
    return {
        f"/api/v2/pages/{review.pk}/",
        f"/api/v3/pages/{review.pk}/",
        f"/api/v3/reviews/{review.pk}/",
        "/api/v3/reviews/",
        f"/api/v3/books/{review.book_id}/",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["restrict", "unpublish"])
def test_a_hidden_review_purges_the_reveal_answers_of_its_spoilers(
    client, edge, django_capture_on_commit_callbacks, change
):
    """The reveal endpoint's answer is a spoiler's content, shared with
    every visitor while the review is live and public: an edge purged by URL
    only went on serving it to anyone once the review was restricted or
    unpublished."""
    review = make_review(
        body=[paragraph("An opinion."), spoiler(None, 3, "The cellar", "She dies.")]
    )
    block_id = review.body[1].id
    reveal = f"/club/reveal/{review.pk}/{block_id}/"
    answer = client.get(reveal)
    assert b"She dies." in answer.content
    assert "public" in answer["Cache-Control"]
    edge.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _hide(review, change, review.get_parent())
    assert client.get(reveal).status_code == 404
    assert reveal in _url_purges(edge)


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["restrict", "unpublish"])
def test_a_hidden_review_purges_the_shared_pages_that_list_it(
    client, edge, django_capture_on_commit_callbacks, change
):
    """The review index, the home page, the series page of its book and the
    feed list a review by title and summary, and are shared with every
    visitor: an edge purged by URL only went on listing a newly restricted or
    unpublished review to anyone."""
    book = BookFactory(title="The Siege")
    review = make_review(book=book, title=f"Cold and hunger {MARKER}")
    series = make_series("The Siege books", [(book, 1)])
    feed = "/feeds/reviews/"
    listings = [review.get_parent().url, site_root().url, series.url, feed]
    for url in listings:
        answer = client.get(url)
        assert MARKER in answer.content.decode(), url
        assert "public" in answer["Cache-Control"], url
    edge.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _hide(review, change, review)
    for url in listings:
        assert MARKER not in client.get(url).content.decode(), url
        assert url in _url_purges(edge)


def _hide(review, change: str, restricted: Page) -> None:
    """Take ``review`` from readers: unpublish it, or restrict ``restricted``."""
    if change == "unpublish":
        ReviewPage.objects.get(pk=review.pk).unpublish()
    else:
        PageViewRestriction.objects.create(
            page=restricted, restriction_type=PageViewRestriction.LOGIN
        )


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["restrict", "unpublish", "delete"])
def test_a_hidden_review_purges_the_pages_that_link_to_it(
    client, edge, django_capture_on_commit_callbacks, change
):
    """Rich text writes a link with its target's URL only while the target is
    live and public (reviews/rich_text.py): the slug may be a spoiler. The
    review that links to it, and the reveal answer of a spoiler that does,
    are shared with every visitor: an edge purged by URL only went on
    serving the slug once the target was restricted, unpublished or
    deleted."""
    book = BookFactory(title="The Siege")
    target = make_review(book=book, slug=f"kolya-survives-{MARKER.lower()}")
    link = f'<a linktype="page" id="{target.pk}">the next one</a>'
    linking = make_review(
        book=book,
        body=[
            paragraph(f"Then read {link}."),
            spoiler(None, None, "The ending", f"As {link} tells."),
        ],
    )
    addresses = [linking.url, f"/club/reveal/{linking.pk}/{linking.body[1].id}/"]
    for address in addresses:
        answer = client.get(address)
        assert target.slug in answer.content.decode(), address
        assert "public" in answer["Cache-Control"], address
    edge.clear()
    with django_capture_on_commit_callbacks(execute=True):
        if change == "delete":
            ReviewPage.objects.get(pk=target.pk).delete()
        else:
            _hide(target, change, target)
    for address in addresses:
        assert target.slug not in client.get(address).content.decode(), address
        assert address in _url_purges(edge)


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["testserver", "localhost", "books.example"])
def test_a_restriction_purges_the_api_answers_on_every_sites_host(
    client, edge, django_capture_on_commit_callbacks
):
    """The APIs answer on every Site's host, and an edge keeps an answer per
    host: purged on the API's base URL alone, the review stayed served to
    anyone who read the API by the other Site's address."""
    home = Page(title="Books", slug="books-home")
    Page.get_first_root_node().add_child(instance=home)
    home.save_revision().publish()
    Site.objects.create(hostname="books.example", port=80, root_page=home)
    review = make_review(parent=home, title=f"Cold and hunger {MARKER}")
    detail = f"/api/v3/reviews/{review.pk}/"
    answer = client.get(detail, HTTP_HOST="books.example")
    assert MARKER in answer.content.decode()
    assert "public" in answer["Cache-Control"]
    edge.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _hide(review, "restrict", review)
    assert client.get(detail, HTTP_HOST="books.example").status_code == 404
    purged = {(host, path) for host, path, keys in edge if not keys}
    for host in ("books.example", "localhost", "testserver"):
        assert (host, detail) in purged
        assert (host, f"/api/v2/pages/{review.pk}/") in purged


@pytest.mark.django_db
def test_an_edge_that_never_answers_holds_a_publish_only_for_its_timeout(
    django_capture_on_commit_callbacks, caplog
):
    """``TIMEOUT`` bounds every purge, by URL as by key: the URL purges
    waited for as long as the edge did, so a publish (its purges run in the
    request with an immediate task backend) never returned. Once one purge
    times out the others are not sent: a subtree's thousands of URLs would
    each wait as long."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)  # takes connections, never answers
    backend = {
        "edge": {
            "BACKEND": "reviews.frontend_cache.XkeyBackend",
            "LOCATION": f"http://127.0.0.1:{silent.getsockname()[1]}",
            "TIMEOUT": 0.2,
        }
    }
    review = make_review(body=[paragraph("x"), spoiler(None, 3, "l", "y")])
    try:
        with override_settings(WAGTAILFRONTENDCACHE=backend):
            page = ReviewPage.objects.get(pk=review.pk)
            urls = urls_for_page(page)
            with django_capture_on_commit_callbacks() as callbacks:
                page.save_revision().publish()
            purges = threading.Thread(target=lambda: [each() for each in callbacks])
            purges.start()
            purges.join(timeout=30)
            assert not purges.is_alive(), "the purges still wait for the edge"
        silent.setblocking(False)
        tried = 0
        with contextlib.suppress(BlockingIOError):
            while True:
                silent.accept()[0].close()
                tried += 1
    finally:
        silent.close()
        purges.join()
    # One URL per host the purges go to, and the purges by key.
    assert tried < len(urls)
    assert "does not answer" in caplog.text


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["restrict", "remove the comment"])
def test_a_hidden_comment_purges_the_pages_and_reveal_answers_that_show_it(
    client, edge, django_capture_on_commit_callbacks, change
):
    """A discussion's page and the reveal answers of its comments, by range
    of chapters, are shared with every visitor: an edge purged by URL only
    went on serving the comments of a newly restricted discussion, and a
    comment a moderator removed, to anyone."""
    discussion = make_discussion(book=BookFactory(chapter_count=20))
    moderator = UserFactory(username="moderating-editor")
    comment = DiscussionCommentFactory(page=discussion, chapter=3, body=MARKER)
    DiscussionCommentFactory(page=discussion, chapter=None, body="The ending.")
    ranges = ["1-5", "3-5", "5-5", "ending"]
    reveals = [f"/club/reveal/{discussion.pk}/comments/{each}/" for each in ranges]
    for url in reveals[:2]:
        answer = client.get(url)
        assert MARKER in answer.content.decode(), url
        assert "public" in answer["Cache-Control"], url
    assert "public" in client.get(discussion.url)["Cache-Control"]
    edge.clear()
    with django_capture_on_commit_callbacks(execute=True):
        if change == "restrict":
            PageViewRestriction.objects.create(
                page=discussion, restriction_type=PageViewRestriction.LOGIN
            )
        else:
            comment.remove(moderator)
    for url in reveals[:2]:
        assert MARKER not in client.get(url).content.decode(), url
    assert {discussion.url, *reveals} <= _url_purges(edge)


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["move it to a later chapter", "delete the page"])
def test_a_comment_gone_from_its_range_purges_that_ranges_reveal_answers(
    client, edge, django_capture_on_commit_callbacks, change
):
    """The ranges purged are those of the comments the discussion holds once
    the change is made; a comment its author moved to a later chapter, or
    deleted with its discussion, left the reveal answers of the range it was
    in, which an edge purged by URL only went on serving to anyone."""
    discussion = make_discussion(book=BookFactory(chapter_count=20))
    author = UserFactory(username="commenting-member")
    comment = DiscussionCommentFactory(
        page=discussion, author=author, chapter=3, body=MARKER
    )
    reveals = [
        f"/club/reveal/{discussion.pk}/comments/{each}/" for each in ("1-5", "3-5")
    ]
    for url in reveals:
        answer = client.get(url)
        assert MARKER in answer.content.decode(), url
        assert "public" in answer["Cache-Control"], url
    edge.clear()
    with django_capture_on_commit_callbacks(execute=True):
        if change == "delete the page":
            Page.objects.get(pk=discussion.pk).delete()
        else:
            edit_comment(comment, author, "Now about the end.", 12)
    for url in reveals:
        assert MARKER not in client.get(url).content.decode(), url
    assert set(reveals) <= _url_purges(edge)


@pytest.mark.django_db
def test_a_review_published_about_another_book_purges_the_book_it_left(
    client, edge, django_capture_on_commit_callbacks
):
    """The book's API answer counts its reviews and averages their ratings,
    and its series page lists them: both, shared with every visitor, went on
    counting and listing a review published about another book."""
    left = BookFactory(title="The Siege")
    review = make_review(book=left, title=f"Cold and hunger {MARKER}", rating=5)
    series = make_series("The Siege books", [(left, 1)])
    book_answer = f"/api/v3/books/{left.pk}/"
    assert client.get(book_answer).json()["review_count"] == 1
    assert MARKER in client.get(series.url).content.decode()
    edge.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review.book = BookFactory(title="The Betrayal")
        review.save_revision().publish()
    assert client.get(book_answer).json()["review_count"] == 0
    assert MARKER not in client.get(series.url).content.decode()
    assert {book_answer, series.url} <= _url_purges(edge)
    assert any(f"book-{left.pk}" in keys.split() for keys in _key_purges(edge))


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["testserver", "localhost", "books.example"])
def test_a_restriction_purges_the_reveal_answers_on_every_sites_host(
    client, edge, django_capture_on_commit_callbacks
):
    """The reveal endpoint answers by page id on every Site's host, like the
    APIs, and an edge keeps an answer per host: purged on the page's own
    Site alone, the spoiler of a newly restricted review stayed served to
    anyone who asked for it by another Site's address."""
    home = Page(title="Books", slug="books-home")
    Page.get_first_root_node().add_child(instance=home)
    home.save_revision().publish()
    Site.objects.create(hostname="books.example", port=80, root_page=home)
    discussion = make_discussion(book=BookFactory(chapter_count=20))
    DiscussionCommentFactory(page=discussion, chapter=3, body=MARKER)
    review = make_review(
        parent=home,
        body=[paragraph("An opinion."), spoiler(None, 3, "The cellar", MARKER)],
    )
    reveals = [
        f"/club/reveal/{review.pk}/{review.body[1].id}/",
        f"/club/reveal/{discussion.pk}/comments/1-5/",
    ]
    hosts = ("books.example", "localhost")
    for reveal in reveals:
        for host in hosts:
            answer = client.get(reveal, HTTP_HOST=host)
            assert MARKER in answer.content.decode(), (host, reveal)
            assert "public" in answer["Cache-Control"], (host, reveal)
    edge.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _hide(review, "restrict", home)
        _hide(review, "restrict", discussion)
    purged = {(host, path) for host, path, keys in edge if not keys}
    for reveal in reveals:
        for host in hosts:
            assert client.get(reveal, HTTP_HOST=host).status_code == 404
            assert (host, reveal) in purged


@pytest.mark.django_db
def test_an_edge_named_by_wagtails_older_setting_is_purged_and_kept_current(
    client, django_capture_on_commit_callbacks
):
    """Wagtail still reads an edge from ``WAGTAILFRONTENDCACHE_LOCATION``
    alone. The club takes Wagtail's own purges off the signals and sends
    them on commit: it must send them to that edge too, or an unpublished
    review stays there."""
    server = bound_edge()
    serve_in_thread(server)
    RecordingEdge.received = []
    location = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with override_settings(WAGTAILFRONTENDCACHE_LOCATION=location):
            review = make_review()
            RecordingEdge.received.clear()
            with django_capture_on_commit_callbacks(execute=True):
                review.unpublish()
            purged = _url_purges(RecordingEdge.received)
            assert review.url in purged
            assert f"/api/v3/reviews/{review.pk}/" in purged
    finally:
        server.shutdown()
        server.server_close()


# An edge purged by URL only, for changes that are not to a page ------------
#
# A page's own change purges its URLs (above). A member renamed or gone, an
# answer to a meeting or a renamed book changes pages too: the xkey edge
# gets their keys, an edge purged by URL only the addresses of those pages.


@pytest.fixture
def shown_member(db):
    """A member shown beside a review and a comment in a discussion."""
    member = UserFactory(first_name="Tatiana", last_name="Orlova")
    review = make_review(reviewer=member, owner=member, title="Frozen Neva")
    discussion = make_discussion(title="Leningrad, part one")
    DiscussionCommentFactory(page=discussion, author=member)
    return member, review, discussion


def _shown_at(review, discussion) -> set[str]:
    return {
        review.url,
        f"/api/v3/reviews/{review.pk}/",
        f"/api/v2/pages/{review.pk}/",
        discussion.url,
        f"/api/v3/discussions/{discussion.pk}/",
    }


def _rename(member) -> None:
    member.last_name = "Initials-Only"
    member.save()


@pytest.mark.django_db
@pytest.mark.parametrize("change", [_rename, lambda member: member.delete()])
def test_a_member_renamed_or_deleted_purges_the_pages_that_show_them_by_url(
    url_edge, django_capture_on_commit_callbacks, shown_member, change
):
    member, review, discussion = shown_member
    url_edge.clear()
    with django_capture_on_commit_callbacks(execute=True):
        change(member)
    assert _shown_at(review, discussion) <= _url_purges(url_edge)


@pytest.mark.django_db
def test_a_save_that_shows_nothing_new_purges_nothing(
    url_edge, django_capture_on_commit_callbacks, shown_member
):
    member, _, _ = shown_member
    url_edge.clear()
    with django_capture_on_commit_callbacks(execute=True):
        member.set_password("a new passphrase 42")
        member.save()
    assert url_edge == []


#: The edge ``FRONTEND_CACHE_PURGE_URL`` configures (bookclub/settings/production.py,
#: tests/production/test_deploy_settings.py): a proxy purged by URL only.
PROXY_BACKEND = "reviews.frontend_cache.URLPurgeBackend"


@pytest.mark.django_db
def test_an_answer_to_a_meeting_waits_for_a_silent_proxy_only_for_its_timeout(
    django_capture_on_commit_callbacks, caplog
):
    """An answer to a meeting purges its discussion by URL (247fed3), in the
    request that saved it. Wagtail's HTTP purger waits for as long as the
    edge does: a proxy that took the connection and never answered held the
    answer's request, and each one after it, for ever."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)  # takes connections, never answers
    backend = {
        "proxy": {
            "BACKEND": PROXY_BACKEND,
            "LOCATION": f"http://127.0.0.1:{silent.getsockname()[1]}",
            "TIMEOUT": 0.2,
        }
    }
    discussion = make_discussion(title="Leningrad, part three")
    # Closing the socket frees a purge that would otherwise wait for ever.
    unblock = threading.Timer(20, silent.close)
    unblock.start()
    started = time.monotonic()
    try:
        with (
            override_settings(WAGTAILFRONTENDCACHE=backend),
            django_capture_on_commit_callbacks(execute=True),
        ):
            MeetingRSVPFactory(page=discussion, member=UserFactory())
    finally:
        unblock.cancel()
        silent.close()
    assert time.monotonic() - started < 10, "the answer waited for the edge"
    assert "does not answer" in caplog.text


def test_the_proxy_backend_counts_as_purged_by_url_only():
    with override_settings(
        WAGTAILFRONTENDCACHE={"proxy": {"BACKEND": PROXY_BACKEND, "LOCATION": "x"}}
    ):
        assert purges_by_url_only()


@pytest.mark.django_db
def test_an_answer_to_a_meeting_purges_its_discussion_by_url(
    url_edge, django_capture_on_commit_callbacks
):
    discussion = make_discussion(title="Leningrad, part two")
    url_edge.clear()
    with django_capture_on_commit_callbacks(execute=True):
        MeetingRSVPFactory(page=discussion, member=UserFactory())
    assert {discussion.url, f"/api/v3/discussions/{discussion.pk}/"} <= _url_purges(
        url_edge
    )


@pytest.mark.django_db
def test_a_renamed_book_purges_its_reviews_and_its_answer_by_url(
    url_edge, django_capture_on_commit_callbacks
):
    book = BookFactory(title="The Siege")
    review = make_review(book=book, title="Cold and hunger")
    url_edge.clear()
    with django_capture_on_commit_callbacks(execute=True):
        book.title = "The Siege (revised)"
        book.save()
    assert {
        review.url,
        f"/api/v3/reviews/{review.pk}/",
        f"/api/v3/books/{book.pk}/",
    } <= _url_purges(url_edge)


@pytest.mark.django_db
def test_a_book_saved_where_no_edge_is_purged_by_url_looks_up_no_page(
    django_capture_on_commit_callbacks,
):
    """The pages that show a book are looked up for an edge purged by URL
    only: a site without one saves a book without those queries."""
    book = BookFactory(title="The Siege")
    make_review(book=book, body=[spoiler(book, None, "The end", "Anna lives.")])
    make_series("Leningrad", [(book, 1)])
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        book.title = "The Siege (revised)"
        book.save()
    pages = ('FROM "reviews_reviewpage"', 'FROM "reviews_discussionpage"')
    looked_up = [
        query["sql"]
        for query in queries
        if any(table in query["sql"] for table in pages)
        # the reference index read by target: the pages naming the book
        or '"to_object_id"' in query["sql"].partition("WHERE")[2]
    ]
    assert looked_up == []


@pytest.mark.django_db
def test_a_book_added_to_a_series_purges_the_series_and_the_book_by_url(
    url_edge, django_capture_on_commit_callbacks
):
    first, second = BookFactory(title="The Siege"), BookFactory(title="The Betrayal")
    series = make_series("Leningrad", [(first, 1)])
    url_edge.clear()
    with django_capture_on_commit_callbacks(execute=True):
        SeriesEntry.objects.create(series=series, book=second, position=2)
    assert {series.url, f"/api/v3/books/{second.pk}/"} <= _url_purges(url_edge)


# What a review shows of other pages and books ------------------------------
#
# A review names its book's series ("Book 1 of Leningrad") and the books its
# spoilers spoil, in its page and its API answers; the book's API answer names
# the series too. A series hidden or renamed, a book added to or taken from a
# series, or a book renamed changes those answers, not only its own.


def _hide_series(series, change: str) -> None:
    if change == "unpublish":
        series.unpublish()
    elif change == "restrict":
        PageViewRestriction.objects.create(
            page=series, restriction_type=PageViewRestriction.LOGIN
        )
    elif change == "delete":
        series.delete()
    else:
        series.title = "Untitled"
        series.save_revision().publish()


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["unpublish", "restrict", "delete", "rename"])
def test_a_series_hidden_or_renamed_purges_the_reviews_of_its_books_by_url(
    client, url_edge, django_capture_on_commit_callbacks, change
):
    """An edge purged by URL only went on naming a series beside the
    reviews of its books once it was unpublished, restricted or deleted."""
    book = BookFactory(title="The Siege")
    review = make_review(book=book, title="Cold and hunger")
    series = make_series(f"Leningrad {MARKER}", [(book, 1)])
    review_api = f"/api/v3/reviews/{review.pk}/"
    assert MARKER in client.get(review.url).content.decode()
    assert MARKER in client.get(review_api).content.decode()
    url_edge.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _hide_series(series, change)
    assert MARKER not in client.get(review.url).content.decode()
    assert MARKER not in client.get(review_api).content.decode()
    assert {review.url, review_api, f"/api/v3/books/{book.pk}/"} <= _url_purges(
        url_edge
    )


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["add", "remove"])
def test_a_series_entry_purges_the_reviews_of_its_book_by_url(
    client, url_edge, django_capture_on_commit_callbacks, change
):
    """A book added to a series (or taken from it) shows on its reviews as
    "Book 2 of Leningrad" (or no longer does)."""
    first, second = BookFactory(title="The Siege"), BookFactory(title="The Betrayal")
    review = make_review(book=second, title="After the thaw")
    series = make_series(f"Leningrad {MARKER}", [(first, 1)])
    if change == "remove":
        SeriesEntry.objects.create(series=series, book=second, position=2)
    url_edge.clear()
    with django_capture_on_commit_callbacks(execute=True):
        if change == "add":
            SeriesEntry.objects.create(series=series, book=second, position=2)
        else:
            SeriesEntry.objects.filter(book=second).delete()
    shown = MARKER in client.get(review.url).content.decode()
    assert shown == (change == "add")
    assert {review.url, f"/api/v3/reviews/{review.pk}/"} <= _url_purges(url_edge)


@pytest.mark.django_db
def test_a_renamed_book_purges_the_reviews_that_spoil_it_and_its_series_by_url(
    client, url_edge, django_capture_on_commit_callbacks
):
    """A review of the second book that spoils the first names the first in
    its spoiler's warning; a series page lists its books by title, reviewed
    or not."""
    siege, betrayal = BookFactory(title="The Siege"), BookFactory(title="Betrayal")
    review = make_review(
        book=betrayal,
        title="After the thaw",
        body=[spoiler(siege, None, "How the first book ends", "Anna lives.")],
    )
    series = make_series("Leningrad", [(siege, 1), (betrayal, 2)])
    assert "The Siege" in client.get(review.url).content.decode()
    url_edge.clear()
    with django_capture_on_commit_callbacks(execute=True):
        siege.title = f"The Siege {MARKER}"
        siege.save()
    for url in (review.url, series.url):
        assert MARKER in client.get(url).content.decode(), url
        assert url in _url_purges(url_edge), url
    assert f"/api/v3/reviews/{review.pk}/" in _url_purges(url_edge)


# What the home page and the discussion index list besides pages ------------


def _change_round(round_, change: str) -> None:
    if change == "rename":
        round_.title = f"Spring picks {MARKER}"
        round_.save()
    elif change == "close":
        round_.closes_at = timezone.now() - timedelta(minutes=1)
        round_.save()
    else:
        round_.delete()


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["open", "rename", "close", "delete"])
def test_a_nomination_round_shows_at_once_on_the_pages_that_list_it(
    client, url_edge, django_capture_on_commit_callbacks, change
):
    """The home page and the discussion index name the round open now, with
    the date it closes; both are shared with every visitor. A round opened,
    renamed, closed early or deleted showed on neither until max-age, at an
    edge purged by URL only, nor (the home page) in the server's own copy."""
    listing = [site_root().url, discussion_index().url]
    round_ = None
    if change != "open":
        round_ = NominationRoundFactory(title=f"Spring picks {MARKER}")
        if change == "rename":
            round_.title = "Spring picks"
            round_.save()
    before = {url: MARKER in client.get(url).content.decode() for url in listing}
    assert before == dict.fromkeys(listing, change in ("close", "delete"))
    url_edge.clear()
    with django_capture_on_commit_callbacks(execute=True):
        if round_ is None:
            NominationRoundFactory(title=f"Spring picks {MARKER}")
        else:
            _change_round(round_, change)
    for url in listing:
        shown = MARKER in client.get(url).content.decode()
        assert shown == (change in ("open", "rename")), url
        assert url in _url_purges(url_edge), url


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["body", "cover"])
def test_an_image_deleted_purges_the_pages_that_show_it_by_url(
    client, url_edge, django_capture_on_commit_callbacks, where
):
    """A review shows an image of its body, and its book's cover: an edge
    purged by URL only went on serving the page with the deleted image (its
    renditions gone with it) until max-age."""
    image = make_image(f"Frozen river {MARKER}")
    book = BookFactory(title="The Siege", cover=image if where == "cover" else None)
    body = [image_block(image)] if where == "body" else [paragraph("Plain.")]
    review = make_review(book=book, title="Cold and hunger", body=body)
    rendition = "/media/images/"
    assert rendition in client.get(review.url).content.decode()
    url_edge.clear()
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert rendition not in client.get(review.url).content.decode()
    assert {review.url, f"/api/v3/reviews/{review.pk}/"} <= _url_purges(url_edge)
