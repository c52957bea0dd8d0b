"""The edge cache as production runs it: Varnish (xkey) in front of two app
nodes. Changes go through node A over HTTP (the Wagtail admin, the club's
forms); reads go through Varnish and straight to node B. Every assertion
is on the raw bytes a client receives."""

from __future__ import annotations

import http.client
import json
import time
import uuid
from dataclasses import dataclass

import pytest

from benchmarks.resilience import Browser, publish_form
from benchmarks.runtime import run_django
from tests.edge.conftest import REPURGE_SECONDS

# django_db: the servers start from a copy of the test database (migrated_copy).
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

V2_LIST = "/api/v2/pages/?type=reviews.ReviewPage&fields=*&limit=50"
V3_LIST = "/api/v3/reviews/?limit=50"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def cache(self) -> str:
        return self.headers.get("x-cache", "")


def get(port: int, path: str, headers: dict[str, str] | None = None) -> Answer:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"} | (headers or {}))
        response = conn.getresponse()
        return Answer(
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            response.read(),
        )
    finally:
        conn.close()


def edge_get(edge, path: str, **headers: str) -> Answer:
    return get(edge.varnish.port, path, headers)


def node_b_get(edge, path: str) -> Answer:
    return get(edge.servers[1].port, path)


def warm(edge, *paths: str) -> None:
    """Each path is stored at the edge: the second read is a hit."""
    for path in paths:
        edge_get(edge, path)
        answer = edge_get(edge, path)
        assert answer.status == 200, (path, answer.status)
        assert answer.cache == "hit", (path, answer.headers)


def detail_paths(review: dict) -> list[str]:
    return [
        f"/api/v2/pages/{review['id']}/",
        f"/api/v3/reviews/{review['id']}/",
        review["url"],
    ]


def node_a(edge, username: str) -> Browser:
    browser = Browser(edge.servers[0].port)
    assert browser.login(username, edge.club["password"])
    return browser


#: When the last change was posted (time.monotonic()).
_last_change = [0.0]


def post(browser: Browser, path: str, form: dict) -> tuple[int, dict, bytes]:
    form = form | {"csrfmiddlewaretoken": browser.cookies.get("csrftoken", "")}
    try:
        return browser.request("POST", path, form)
    finally:
        _last_change[0] = time.monotonic()


@pytest.fixture(autouse=True)
def _after_the_last_changes_second_purge():
    """The nodes purge a change's keys once more a moment later
    (``REPURGE_SECONDS``): the test before's would drop what this one
    stores."""
    time.sleep(max(0.0, _last_change[0] + REPURGE_SECONDS + 0.2 - time.monotonic()))


def test_anonymous_reads_are_stored_and_their_keys_never_reach_the_client(edge):
    review = edge.club["reviews"][0]
    paths = [V2_LIST, V3_LIST, "/reviews/", *detail_paths(review)]
    warm(edge, *paths)
    for path in paths:
        answer = edge_get(edge, path)
        assert "xkey" not in answer.headers
        assert "surrogate-key" not in answer.headers


def test_an_edit_published_through_node_a_shows_at_once_everywhere(edge):
    review = edge.club["reviews"][1]
    paths = [V2_LIST, V3_LIST, "/reviews/", *detail_paths(review)]
    warm(edge, *paths)
    marker = f"Edited {uuid.uuid4().hex[:10]}"

    status, headers, _ = post(
        node_a(edge, edge.club["editor"]),
        f"/admin/pages/{review['id']}/edit/",
        publish_form(review, marker),
    )
    assert status == 302 and "/login/" not in headers.get("Location", "")

    for path in paths:
        assert marker.encode() in edge_get(edge, path).body, path
        assert marker.encode() in node_b_get(edge, path).body, path


def test_a_new_review_shows_at_once_in_the_listings(edge):
    paths = [V2_LIST, V3_LIST, "/reviews/"]
    warm(edge, *paths)
    title = f"New at the edge {uuid.uuid4().hex[:8]}"
    page = {
        "title": title,
        "slug": title.lower().replace(" ", "-"),
        "book": edge.club["book"],
        "reviewer": edge.club["reviews"][0]["reviewer"],
    }

    status, _, _ = post(
        node_a(edge, edge.club["editor"]),
        f"/admin/pages/add/reviews/reviewpage/{edge.club['review_index']}/",
        publish_form(page, "A new review."),
    )
    assert status == 302

    for path in paths:
        assert title.encode() in edge_get(edge, path).body, path
        assert title.encode() in node_b_get(edge, path).body, path


@pytest.mark.parametrize(
    ("action", "position"), [("unpublish", 2), ("privacy", 3), ("delete", 4)]
)
def test_an_unpublished_restricted_or_deleted_review_is_gone_at_once(
    edge, action, position
):
    review = edge.club["reviews"][position]
    listings = [V2_LIST, V3_LIST, "/reviews/"]
    warm(edge, *listings, *detail_paths(review))
    editor = node_a(edge, edge.club["editor"])

    if action == "privacy":
        status, _, body = post(
            editor,
            f"/admin/pages/{review['id']}/privacy/",
            {"restriction_type": "login", "password": ""},
        )
        assert status == 200 and json.loads(body)["step"] == "set_privacy_done"
    else:
        status, _, _ = post(editor, f"/admin/pages/{review['id']}/{action}/", {})
        assert status == 302

    title = review["title"].encode()
    for read in (edge_get, node_b_get):
        for path in listings:
            answer = read(edge, path)
            assert answer.status == 200 and title not in answer.body, path
        for path in detail_paths(review):
            answer = read(edge, path)
            assert answer.status in (302, 404), (path, answer.status)
            assert title not in answer.body, path


def test_a_moved_review_leaves_its_old_address_and_listing_at_once(edge):
    review = edge.club["reviews"][6]
    warm(edge, V2_LIST, "/reviews/", *detail_paths(review))

    status, _, _ = post(
        node_a(edge, edge.club["editor"]),
        f"/admin/pages/{review['id']}/move/{edge.club['archive_index']}/confirm/",
        {},
    )
    assert status == 302

    new_url = f"/archive/{review['slug']}/"
    title = review["title"].encode()
    for read in (edge_get, node_b_get):
        old = read(edge, review["url"])
        assert old.status != 200 or title not in old.body
        assert title not in read(edge, "/reviews/").body
        assert title in read(edge, new_url).body
        detail = json.loads(read(edge, f"/api/v2/pages/{review['id']}/").body)
        assert detail["meta"]["html_url"].endswith(new_url)


def test_reader_dependent_responses_are_never_stored(edge):
    review = edge.club["reviews"][5]
    member = node_a(edge, edge.club["member"])
    session = f"sessionid={member.cookies['sessionid']}"
    detail = f"/api/v2/pages/{review['id']}/"
    personal = [
        (review["url"], {"Cookie": session}),
        (detail, {"Cookie": session}),
        (detail, {"Authorization": "Bearer not-a-token"}),
        (f"{detail}?spoilers=show", {}),
        (f"{detail}?read={review['book']}", {}),
        (f"{review['url']}?spoilers=show", {}),
        (edge.club["reveal"], {}),
    ]
    for path, headers in personal:
        for _ in range(3):
            answer = edge_get(edge, path, **headers)
            assert answer.cache != "hit", (path, headers)

    # What the member and the reader who asked for spoilers saw stays theirs.
    page = edge_get(edge, review["url"])
    assert page.status == 200
    assert edge.club["member_name"].encode() not in page.body
    assert b"spoiler--hidden" in page.body
    api = json.loads(edge_get(edge, detail).body)
    spoilers = [b for b in api["body"] if b["type"] == "spoiler"]
    assert spoilers and all(b["value"]["content"] is None for b in spoilers)


def test_a_comment_shows_at_once_and_leaves_review_listings_stored(edge):
    discussion = edge.club["discussions"][0]
    warm(edge, discussion["url"], V3_LIST, "/reviews/")
    before = edge_get(edge, discussion["url"]).body
    text = f"Comment {uuid.uuid4().hex[:10]}"

    status, _, _ = post(
        node_a(edge, edge.club["member"]),
        f"/club/discussions/{discussion['id']}/comments/",
        {"body": text, "chapter": "", "parent": ""},
    )
    assert status == 302

    # A comment about the whole book is hidden from a reader who declared no
    # progress: the anonymous page counts one more hidden comment, never
    # its text, and the edge serves that page at once.
    after = edge_get(edge, discussion["url"])
    assert after.cache != "hit"
    assert after.body != before
    assert after.body == node_b_get(edge, discussion["url"]).body
    assert text.encode() not in after.body
    for path in (V3_LIST, "/reviews/"):
        assert edge_get(edge, path).cache == "hit", path


def test_rsvp_and_vote_purge_only_what_shows_them(edge):
    discussion = edge.club["discussions"][1]
    warm(edge, discussion["url"], V3_LIST, "/reviews/")
    member = node_a(edge, edge.club["member"])

    status, _, _ = post(
        member, f"/club/discussions/{discussion['id']}/rsvp/", {"answer": "going"}
    )
    assert status == 302
    assert edge_get(edge, discussion["url"]).cache != "hit"

    status, _, _ = post(
        member,
        f"/club/next-book/{edge.club['round']}/vote/",
        {"nomination": edge.club["nomination"]},
    )
    assert status == 302
    for path in (V3_LIST, "/reviews/"):
        assert edge_get(edge, path).cache == "hit", path


def test_a_review_published_about_another_book_leaves_that_books_answer_at_once(
    edge,
):
    """The book's answer counts its reviews: the edge, node B and the edge
    again must stop counting one published, through node A, about another."""
    review = edge.club["reviews"][7]
    other = edge.club["book"]
    assert review["book"] != other, "the seed gives this review another book"
    left, joined = f"/api/v3/books/{review['book']}/", f"/api/v3/books/{other}/"
    warm(edge, left, joined)
    count_left = json.loads(edge_get(edge, left).body)["review_count"]
    count_joined = json.loads(edge_get(edge, joined).body)["review_count"]

    status, headers, _ = post(
        node_a(edge, edge.club["editor"]),
        f"/admin/pages/{review['id']}/edit/",
        publish_form(review | {"book": other}, "About another book."),
    )
    assert status == 302 and "/login/" not in headers.get("Location", "")

    for read in (
        lambda path: edge_get(edge, path),
        lambda path: node_b_get(edge, path),
    ):
        assert json.loads(read(left).body)["review_count"] == count_left - 1
        assert json.loads(read(joined).body)["review_count"] == count_joined + 1


#: Varnish keeps an answer for its max-age (60 s) plus grace: a write the
#: edge were not told of would show for that long.
WITHIN_SECONDS = 10


@pytest.mark.parametrize(
    ("review_at", "write"),
    [
        (8, "Page.objects.filter(pk={id}).update(live=False)"),
        (
            9,
            "PageViewRestriction.objects.bulk_create("
            "[PageViewRestriction(page_id={id}, restriction_type='login')])",
        ),
    ],
    ids=["unpublished-by-update", "restricted-by-bulk-create"],
)
def test_a_write_without_signals_from_another_process_leaves_the_edge(
    edge, review_at, write
):
    """A script's ``update()`` or ``bulk_create`` sends no signal, so no
    node hears of it: the database's triggers queue its tags and the
    stack's ``manage.py purge_edge`` purges them, well before the edge's
    copies would expire."""
    review = edge.club["reviews"][review_at]
    listings = [V2_LIST, V3_LIST, "/reviews/"]
    warm(edge, *listings, *detail_paths(review))

    run_django(
        [
            "manage.py",
            "shell",
            "-c",
            "from wagtail.models import Page, PageViewRestriction; "
            + write.format(id=review["id"]),
        ],
        edge.purger.env,
    )
    _last_change[0] = time.monotonic()

    title = review["title"].encode()
    deadline = time.monotonic() + WITHIN_SECONDS
    shown: list[str] = listings + detail_paths(review)
    while shown and time.monotonic() < deadline:
        shown = [
            path
            for path in shown
            if (answer := edge_get(edge, path)).status == 200 and title in answer.body
        ]
        time.sleep(0.05)
    assert shown == [], f"still at the edge after {WITHIN_SECONDS} s"
    for path in detail_paths(review):
        assert node_b_get(edge, path).status in (302, 404), path
