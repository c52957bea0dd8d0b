"""The canary sweep: no response the site serves carries a byte it must withhold.

The demo club is loaded once for this module, with canaries planted (see
``canary.py``). Every route the URL resolver knows is then requested, as an
anonymous reader (with and without a session, and after the canaries' author
fetched the same URL, to catch a personal response kept in a shared cache), as
a member with no progress, and, under ``/api/``, as that member with a token.
Each response's raw bytes, headers included, must hold no canary; so must any
email sent meanwhile.

A route added later must be given a probe here (``PROBES``) or an exemption
with a reason (``EXEMPT``): ``test_every_route_is_swept`` fails until it is.
A leak fails its test: there is no list of known ones.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote

import pytest
from django.core import mail
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from reviews.notifications.unsubscribe import make_token
from tests.fixtures.database import built_once

from .canary import CanaryWorld, build_canary_world
from .helpers import bearer

pytestmark = pytest.mark.slow

# --- the routes ------------------------------------------------------------


def _walk(patterns, prefix: str = "", namespace: tuple[str, ...] = ()):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + ((pattern.namespace,) if pattern.namespace else ())
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = ":".join((*namespace, pattern.name)) if pattern.name else route
            yield name, route


def served_routes() -> dict[str, str]:
    """Every route of the site, by its namespaced URL name (or its pattern)."""
    return dict(_walk(get_resolver().url_patterns))


#: Routes not swept, and why. A prefix of the route's pattern or its name.
EXEMPT: dict[str, str] = {
    "admin/": "the Wagtail admin: members' privacy there has its own tests",
    "accounts/logout/": "logs out; sends no content",
}


@dataclass(frozen=True)
class Probe:
    """One request: method, path (with its query), JSON body, and the
    canaries that asking for this on purpose may show."""

    path: str
    method: str = "get"
    body: dict | None = None
    asked_for: frozenset[str] = frozenset()


Probes = Callable[[CanaryWorld], list[Probe]]


def get(*paths: str) -> list[Probe]:
    return [Probe(path) for path in paths]


def send(method: str, *paths: str, body: dict | None = None) -> list[Probe]:
    return [Probe(path, method, body if body is not None else {}) for path in paths]


#: Pages by id, for the detail routes: every planted page and a demo one.
PAGE_KEYS = (
    "review",
    "draft",
    "pending",
    "unpublished",
    "loginonly",
    "groupsonly",
    "password",
    "discussion",
)
IMAGE_KEYS = ("spoiler_image", "upload_image", "pending_image")
DOCUMENT_KEYS = ("spoiler_document", "upload_document")


def _pages(w: CanaryWorld) -> list[int]:
    return [w.ids[key] for key in PAGE_KEYS]


#: Pages a write is tried on: one a reader may see, and hidden ones. (Every
#: page for every write and reader would double the sweep's time.)
WRITTEN_KEYS = ("review", "draft", "pending", "groupsonly")


def _written(w: CanaryWorld) -> list[int]:
    return [w.ids[key] for key in WRITTEN_KEYS]


def _images(w: CanaryWorld) -> list[int]:
    return [w.ids[key] for key in IMAGE_KEYS]


def _documents(w: CanaryWorld) -> list[int]:
    return [w.ids[key] for key in DOCUMENT_KEYS]


def _page_path(pk: int) -> str:
    from wagtail.models import Page

    return "/" + Page.objects.get(pk=pk).url_path.split("/", 2)[2]


def _tree(w: CanaryWorld) -> list[Probe]:
    """Every page of the tree at its URL, whatever its state, but the two
    pages with gated content (their own channels below)."""
    from wagtail.models import Page

    gated = (w.ids["review"], w.ids["discussion"])
    pages = Page.objects.filter(depth__gt=2).exclude(pk__in=gated).order_by("path")
    return get("/", *("/" + page.url_path.split("/", 2)[2] for page in pages))


def _page_reveals(w: CanaryWorld) -> list[Probe]:
    """The no-JavaScript reveal of each gated block: only that block opens."""
    return [
        Probe(
            f"{_page_path(w.ids[page])}?reveal={uid}",
            asked_for=w.block_reveals.get(name, frozenset()),
        )
        for name, (page, uid) in w.blocks.items()
    ]


def _discussion_reveals(w: CanaryWorld) -> list[Probe]:
    url = _page_path(w.ids["discussion"])
    return [
        *get(*(f"{url}?reveal_comments={spelling}" for spelling in RANGE_SPELLINGS)),
        Probe(
            f"{url}?reveal_comments={OPENED_RANGE}", asked_for=frozenset({"comment"})
        ),
    ]


def _reveal_blocks(w: CanaryWorld) -> list[Probe]:
    """The JavaScript reveal of each spoiler, and of a block through pages a
    reader may not see (draft, pending, restricted): those are 404s."""
    from django.urls import reverse

    def url(page_key: str, block: str) -> str:
        return reverse("reviews:reveal_block", args=[w.ids[page_key], block])

    probes = [
        Probe(url(page, uid), asked_for=w.block_reveals.get(name, frozenset()))
        for name, (page, uid) in w.blocks.items()
    ]
    for key in ("draft", "pending", "unpublished", "loginonly", "password"):
        probes += get(url(key, w.blocks["plain"][1]))
    return probes


#: How a chapter range may be spelled in a URL, most likely first.
#: The canary comment is about chapter 22: none of these ranges holds it.
RANGE_SPELLINGS = ("1-5", "16-20", "ending", "1")
#: The range that holds it, opened on purpose: nothing else may come with it.
OPENED_RANGE = "21-25"


def _reveal_comments(w: CanaryWorld) -> list[Probe]:
    """Open the comments about early chapters: the later ones stay hidden."""
    from django.urls import NoReverseMatch, reverse

    paths = []
    for key in ("discussion", "demo_discussion"):
        for spelling in RANGE_SPELLINGS:
            try:
                paths.append(
                    reverse("reviews:reveal_comments", args=[w.ids[key], spelling])
                )
            except NoReverseMatch:
                continue
    assert paths, "reviews:reveal_comments: add its range spelling to RANGE_SPELLINGS"
    opened = reverse(
        "reviews:reveal_comments", args=[w.ids["discussion"], OPENED_RANGE]
    )
    return [*get(*paths), Probe(opened, asked_for=frozenset({"comment"}))]


def _unsubscribe(w: CanaryWorld) -> list[Probe]:
    path = f"/club/unsubscribe/{make_token(w.stranger, 'replies')}/"
    return [
        *get(path, "/club/unsubscribe/not-a-token/"),
        *send("post", path, body={"List-Unsubscribe": "One-Click"}),
    ]


V2 = "/api/v2"
V3 = "/api/v3"
CSV = {"Accept": "text/csv"}

PROBES: dict[str, Probes] = {
    # The page tree, feeds, sitemap, search and calendars.
    "wagtail_serve": _tree,
    "wagtail_serve#review": lambda w: get(
        _page_path(w.ids["review"]), _page_path(w.ids["review"]) + "?spoilers=hide"
    ),
    "wagtail_serve#reveal": _page_reveals,
    "wagtail_serve#redirect": lambda w: get(
        "/carol-old-draft/", "/carol-old-password/"
    ),
    "wagtail_serve#discussion": lambda w: get(_page_path(w.ids["discussion"])),
    "wagtail_serve#discussion-reveal": _discussion_reveals,
    "sitemap": lambda w: get("/sitemap.xml"),
    "robots_txt": lambda w: get("/robots.txt"),
    "reviews:review_feed": lambda w: get("/feeds/reviews/"),
    "reviews:search": lambda w: get(
        "/search/?q=canary", "/search/?q=unread", "/search/?q=carol", "/search/?q=the"
    ),
    "reviews:book_index": lambda w: get("/books/", "/books/?page=2"),
    "reviews:book": lambda w: get(
        "/books/the-unread-book/",
        "/books/the-siege/",
        "/books/the-betrayal/",
        "/books/the-unread-book/?spoilers=hide",
    ),
    "reviews:meetings_ics": lambda w: get("/club/meetings.ics"),
    "reviews:meeting_ics": lambda w: get(
        f"/club/discussions/{w.ids['discussion']}/meeting.ics",
        f"/club/discussions/{w.ids['demo_discussion']}/meeting.ics",
    ),
    "reviews:next_book": lambda w: get("/club/next-book/"),
    "reviews:next_book_round": lambda w: get(f"/club/next-book/{w.ids['round']}/"),
    "reviews:next_book_nominate": lambda w: send(
        "post", f"/club/next-book/{w.ids['round']}/nominate/", body={}
    ),
    "reviews:next_book_vote": lambda w: send(
        "post", f"/club/next-book/{w.ids['round']}/vote/", body={}
    ),
    # Comments and meetings: forms and actions.
    "reviews:comment_post": lambda w: send(
        "post",
        f"/club/discussions/{w.ids['discussion']}/comments/",
        body={"body": "Only the cover so far.", "chapter": "1"},
    ),
    "reviews:comment_edit": lambda w: get(f"/club/comments/{w.ids['comment']}/edit/"),
    "reviews:comment_delete": lambda w: get(
        f"/club/comments/{w.ids['comment']}/delete/"
    ),
    "reviews:comment_report": lambda w: get(
        f"/club/comments/{w.ids['comment']}/report/"
    ),
    "reviews:rsvp": lambda w: send(
        "post", f"/club/discussions/{w.ids['discussion']}/rsvp/", body={}
    ),
    # The reader's own reading, and its exports.
    "reviews:my_reading": lambda w: get("/reading/"),
    "reviews:reading_export_csv": lambda w: get("/reading/export.csv"),
    "reviews:reading_export_json": lambda w: get("/reading/export.json"),
    "reviews:update_progress": lambda w: send(
        "post", f"/reading/{w.ids['book']}/", body={"chapter": "1"}
    ),
    "reviews:remove_progress": lambda w: (
        get(f"/reading/{w.ids['book']}/remove/")
        + send("post", f"/reading/{w.ids['book']}/remove/")
    ),
    "reviews:my_stats": lambda w: get("/reading/stats/", "/reading/stats/?year=1999"),
    "reviews:my_tokens": lambda w: (
        get("/reading/tokens/")
        + send("post", "/reading/tokens/", body={"name": "Sweep"})
    ),
    "reviews:revoke_token": lambda w: send("post", "/reading/tokens/1/revoke/"),
    "reviews:club_stats": lambda w: get("/club/stats/"),
    # Following, email settings and unsubscribing.
    "reviews:follow_book": lambda w: send(
        "post", f"/club/follow/book/{w.ids['book']}/", body={"next": "/"}
    ),
    "reviews:follow_discussion": lambda w: send(
        "post",
        f"/club/follow/discussion/{w.ids['discussion']}/",
        body={"next": "/"},
    ),
    "reviews:notification_settings": lambda w: get("/reading/notifications/"),
    "reviews:unsubscribe": _unsubscribe,
    # The reveal endpoints.
    "reviews:reveal_block": _reveal_blocks,
    "reviews:reveal_comments": _reveal_comments,
    # Logins and restricted pages.
    "login": lambda w: get("/accounts/login/?next=/reviews/"),
    "password_reset": lambda w: [
        *get("/accounts/password-reset/"),
        *send("post", "/accounts/password-reset/", body={"email": "carol@example.org"}),
    ],
    "password_reset_done": lambda w: get("/accounts/password-reset/sent/"),
    "password_reset_confirm": lambda w: get("/accounts/password-reset/MQ/bad-token/"),
    "password_reset_complete": lambda w: get("/accounts/password-reset/done/"),
    "reviews:join": lambda w: get("/club/join/not-a-token/"),
    "wagtailcore_login": lambda w: get("/_util/login/?next=/reviews/"),
    "wagtailcore_authenticate_with_password": lambda w: get(
        f"/_util/authenticate_with_password/{w.ids['password_restriction']}/"
        f"{w.ids['password']}/"
    ),
    "wagtaildocs_serve": lambda w: get(
        *(f"/documents/{pk}/notes.txt" for pk in _documents(w))
    ),
    "wagtaildocs_authenticate_with_password": lambda w: get(
        "/documents/authenticate_with_password/1/"
    ),
    # API v2, Wagtail's endpoints as the club mounts them.
    "wagtailapi:pages:listing": lambda w: get(
        f"{V2}/pages/?fields=*",
        f"{V2}/pages/?type=reviews.ReviewPage&fields=*&limit=50",
        f"{V2}/pages/?type=reviews.DiscussionPage&fields=*",
        f"{V2}/pages/?search=canary&fields=*",
        f"{V2}/pages/?search=unread&fields=*",
        f"{V2}/pages/?type=reviews.ReviewPage&fields=*&rich_text_format=html",
    ),
    "wagtailapi:pages:detail": lambda w: get(
        *(f"{V2}/pages/{pk}/?fields=*" for pk in _pages(w)),
        *(f"{V2}/pages/{pk}/?rich_text_format=html" for pk in _pages(w)),
    ),
    "wagtailapi:pages:find": lambda w: get(
        f"{V2}/pages/find/?html_path=/reviews/{w.canaries['draft-slug']}/",
        *(f"{V2}/pages/find/?id={pk}" for pk in _pages(w)),
    ),
    "wagtailapi:images:listing": lambda w: get(
        f"{V2}/images/?fields=*&limit=50", f"{V2}/images/?search=canary"
    ),
    "wagtailapi:images:detail": lambda w: get(
        *(f"{V2}/images/{pk}/?fields=*" for pk in _images(w))
    ),
    "wagtailapi:images:find": lambda w: get(
        *(f"{V2}/images/find/?id={pk}" for pk in _images(w))
    ),
    "wagtailapi:documents:listing": lambda w: get(
        f"{V2}/documents/?fields=*&limit=50", f"{V2}/documents/?search=canary"
    ),
    "wagtailapi:documents:detail": lambda w: get(
        *(f"{V2}/documents/{pk}/?fields=*" for pk in _documents(w))
    ),
    "wagtailapi:documents:find": lambda w: get(
        *(f"{V2}/documents/find/?id={pk}" for pk in _documents(w))
    ),
    "api_v2_openapi": lambda w: get(f"{V2}/openapi.json"),
    # API v3: Wagtail's own endpoints.
    "wagtailapi_v3:api-root": lambda w: get(f"{V3}/"),
    "wagtailapi_v3:openapi-json": lambda w: get(f"{V3}/openapi.json"),
    "wagtailapi_v3:openapi-view": lambda w: get(f"{V3}/docs/"),
    "wagtailapi_v3:list_pages": lambda w: get(
        f"{V3}/pages/",
        f"{V3}/pages/?fields=*",
        f"{V3}/pages/?type=reviews.ReviewPage&fields=*",
        f"{V3}/pages/?search=canary",
    ),
    "wagtailapi_v3:create_page": lambda w: send(
        "post",
        f"{V3}/pages/",
        body={"type": "reviews.ReviewPage", "parent": w.ids["draft"], "title": "x"},
    ),
    "wagtailapi_v3:find_page": lambda w: get(
        f"{V3}/pages/find/?html_path=/reviews/{w.canaries['draft-slug']}/",
        *(f"{V3}/pages/find/?id={pk}" for pk in _pages(w)),
    ),
    "wagtailapi_v3:detail_page": lambda w: get(
        *(f"{V3}/pages/{pk}/" for pk in _pages(w)),
        *(f"{V3}/pages/{pk}/?fields=*" for pk in _pages(w)),
    ),
    "wagtailapi_v3:update_page": lambda w: send(
        "patch", *(f"{V3}/pages/{pk}/" for pk in _written(w))
    ),
    "wagtailapi_v3:delete_page": lambda w: send(
        "delete", *(f"{V3}/pages/{pk}/" for pk in _written(w))
    ),
    "wagtailapi_v3:list_page_revisions": lambda w: get(
        *(f"{V3}/pages/{pk}/revisions/" for pk in _pages(w))
    ),
    "wagtailapi_v3:detail_page_revision": lambda w: get(
        f"{V3}/pages/{w.ids['pending']}/revisions/{w.ids['pending_revision']}/"
    ),
    **{
        f"wagtailapi_v3:pages_actions_{action}": (
            lambda w, action=action: send(
                "post", *(f"{V3}/pages/{pk}/actions/{action}/" for pk in _written(w))
            )
        )
        for action in (
            "publish",
            "unpublish",
            "copy",
            "move",
            "delete",
            "revert",
            "convert_alias",
            "create_alias",
            "copy_for_translation",
        )
    },
    "wagtailapi_v3:list_schemas": lambda w: get(f"{V3}/schema/"),
    "wagtailapi_v3:get_schema_for_type": lambda w: get(
        f"{V3}/schema/reviews.ReviewPage/"
    ),
    "wagtailapi_v3:list_sites": lambda w: get(f"{V3}/sites/"),
    "wagtailapi_v3:create_site": lambda w: send("post", f"{V3}/sites/"),
    "wagtailapi_v3:detail_site": lambda w: get(f"{V3}/sites/{w.ids['site']}/"),
    "wagtailapi_v3:update_site": lambda w: send(
        "patch", f"{V3}/sites/{w.ids['site']}/"
    ),
    "wagtailapi_v3:delete_site": lambda w: send(
        "delete", f"{V3}/sites/{w.ids['site']}/"
    ),
    "wagtailapi_v3:whoami": lambda w: get(f"{V3}/whoami/"),
    "wagtailapi_v3:list_redirects": lambda w: get(f"{V3}/redirects/"),
    "wagtailapi_v3:create_redirect": lambda w: send("post", f"{V3}/redirects/"),
    "wagtailapi_v3:find_redirect": lambda w: get(
        f"{V3}/redirects/find/?html_path=/reviews/{w.canaries['draft-slug']}/"
    ),
    "wagtailapi_v3:detail_redirect": lambda w: get(f"{V3}/redirects/1/"),
    "wagtailapi_v3:update_redirect": lambda w: send("patch", f"{V3}/redirects/1/"),
    "wagtailapi_v3:delete_redirect": lambda w: send("delete", f"{V3}/redirects/1/"),
    "wagtailapi_v3:list_snippets": lambda w: get(
        f"{V3}/snippets/reviews.book/", f"{V3}/snippets/reviews.Book/"
    ),
    "wagtailapi_v3:create_snippet": lambda w: send(
        "post", f"{V3}/snippets/reviews.book/"
    ),
    "wagtailapi_v3:detail_snippet": lambda w: get(
        f"{V3}/snippets/reviews.book/{w.ids['book']}/"
    ),
    "wagtailapi_v3:update_snippet": lambda w: send(
        "patch", f"{V3}/snippets/reviews.book/{w.ids['book']}/"
    ),
    "wagtailapi_v3:delete_snippet": lambda w: send(
        "delete", f"{V3}/snippets/reviews.book/{w.ids['book']}/"
    ),
    "wagtailapi_v3:list_snippet_revisions": lambda w: get(
        f"{V3}/snippets/reviews.book/{w.ids['book']}/revisions/"
    ),
    "wagtailapi_v3:detail_snippet_revision": lambda w: get(
        f"{V3}/snippets/reviews.book/{w.ids['book']}/revisions/1/"
    ),
    **{
        f"wagtailapi_v3:snippets_actions_{action}": (
            lambda w, action=action: send(
                "post", f"{V3}/snippets/reviews.book/{w.ids['book']}/actions/{action}/"
            )
        )
        for action in (
            "delete",
            "publish",
            "unpublish",
            "revert",
            "copy_for_translation",
        )
    },
    "wagtailapi_v3:list_images": lambda w: get(
        f"{V3}/images/", f"{V3}/images/?search=canary", f"{V3}/images/?limit=100"
    ),
    "wagtailapi_v3:create_image": lambda w: send("post", f"{V3}/images/"),
    "wagtailapi_v3:detail_image": lambda w: get(
        *(f"{V3}/images/{pk}/" for pk in _images(w))
    ),
    "wagtailapi_v3:update_image": lambda w: send(
        "patch", *(f"{V3}/images/{pk}/" for pk in _images(w))
    ),
    "wagtailapi_v3:delete_image": lambda w: send(
        "delete", *(f"{V3}/images/{pk}/" for pk in _images(w))
    ),
    "wagtailapi_v3:list_documents": lambda w: get(
        f"{V3}/documents/", f"{V3}/documents/?search=canary"
    ),
    "wagtailapi_v3:create_document": lambda w: send("post", f"{V3}/documents/"),
    "wagtailapi_v3:detail_document": lambda w: get(
        *(f"{V3}/documents/{pk}/" for pk in _documents(w))
    ),
    "wagtailapi_v3:update_document": lambda w: send(
        "patch", *(f"{V3}/documents/{pk}/" for pk in _documents(w))
    ),
    "wagtailapi_v3:delete_document": lambda w: send(
        "delete", *(f"{V3}/documents/{pk}/" for pk in _documents(w))
    ),
    # API v3: the club's routers.
    "wagtailapi_v3:club_books_list": lambda w: get(
        f"{V3}/books/", f"{V3}/books/?limit=100"
    ),
    "wagtailapi_v3:club_books_detail": lambda w: get(
        f"{V3}/books/{w.ids['book']}/", f"{V3}/books/{w.ids['siege']}/"
    ),
    "wagtailapi_v3:club_reviews_list": lambda w: get(
        f"{V3}/reviews/",
        f"{V3}/reviews/?limit=100",
        f"{V3}/reviews/?book={w.ids['book']}",
        f"{V3}/reviews/?search=canary",
    ),
    "wagtailapi_v3:club_reviews_create": lambda w: [
        Probe(
            f"{V3}/reviews/",
            "post",
            {
                "book": w.ids["siege"],
                "title": "Dora's draft",
                "summary": "A summary.",
                "body": [
                    {
                        "type": "image",
                        "value": {
                            "image": {
                                "image": w.ids["spoiler_image"],
                                "decorative": True,
                                "alt_text": "",
                            },
                            "caption": "",
                        },
                    }
                ],
            },
        )
    ],
    "wagtailapi_v3:club_reviews_detail": lambda w: get(
        *(f"{V3}/reviews/{pk}/" for pk in _pages(w))
    ),
    "wagtailapi_v3:club_reviews_update": lambda w: send(
        "patch", *(f"{V3}/reviews/{pk}/" for pk in _written(w))
    ),
    "wagtailapi_v3:club_reviews_submit": lambda w: send(
        "post", *(f"{V3}/reviews/{pk}/submit/" for pk in _written(w))
    ),
    "wagtailapi_v3:club_reviews_withdraw": lambda w: send(
        "post", *(f"{V3}/reviews/{pk}/withdraw/" for pk in _written(w))
    ),
    "wagtailapi_v3:club_series_list": lambda w: get(f"{V3}/series/"),
    "wagtailapi_v3:club_series_detail": lambda w: get(
        *(f"{V3}/series/{pk}/" for pk in _pages(w))
    ),
    "wagtailapi_v3:club_discussions_list": lambda w: get(f"{V3}/discussions/"),
    "wagtailapi_v3:club_discussions_detail": lambda w: get(
        f"{V3}/discussions/{w.ids['discussion']}/",
        f"{V3}/discussions/{w.ids['demo_discussion']}/",
    ),
    "wagtailapi_v3:club_progress_list": lambda w: get(f"{V3}/progress/"),
    "wagtailapi_v3:club_progress_detail": lambda w: get(
        f"{V3}/progress/{w.ids['book']}/"
    ),
    "wagtailapi_v3:club_progress_update": lambda w: send(
        "put", f"{V3}/progress/{w.ids['book']}/", body={"chapter": 1}
    ),
    "wagtailapi_v3:club_rsvps": lambda w: get(
        *(f"{V3}/discussions/{pk}/rsvps/" for pk in _pages(w)),
        f"{V3}/discussions/{w.ids['demo_discussion']}/rsvps/",
    ),
    "wagtailapi_v3:club_rsvp_answer": lambda w: send(
        "put",
        *(f"{V3}/discussions/{pk}/rsvp/" for pk in _written(w)),
        f"{V3}/discussions/{w.ids['demo_discussion']}/rsvp/",
        body={"answer": "going"},
    ),
    "wagtailapi_v3:club_progress_patch": lambda w: send(
        "patch", f"{V3}/progress/{w.ids['book']}/", body={"chapter": 1}
    ),
    "wagtailapi_v3:club_preview": lambda w: get(f"{V3}/preview/?token=not-a-token"),
    "wagtailapi_v3:list_comments": lambda w: get(
        f"{V3}/discussions/{w.ids['discussion']}/comments/",
        f"{V3}/discussions/{w.ids['demo_discussion']}/comments/",
    ),
    "wagtailapi_v3:create_comment": lambda w: send(
        "post",
        f"{V3}/discussions/{w.ids['discussion']}/comments/",
        body={"body": "Only the cover so far.", "chapter": 1},
    ),
    "wagtailapi_v3:get_comment": lambda w: get(
        f"{V3}/discussions/{w.ids['discussion']}/comments/{w.ids['comment']}/"
    ),
    "wagtailapi_v3:update_comment": lambda w: send(
        "patch",
        f"{V3}/discussions/{w.ids['discussion']}/comments/{w.ids['comment']}/",
    ),
    "wagtailapi_v3:delete_comment": lambda w: send(
        "delete",
        f"{V3}/discussions/{w.ids['discussion']}/comments/{w.ids['comment']}/",
    ),
    "wagtailapi_v3:report_comment": lambda w: send(
        "post",
        f"{V3}/discussions/{w.ids['discussion']}/comments/{w.ids['comment']}/report/",
        body={"reason": "spoiler"},
    ),
    "wagtailapi_v3:list_rounds": lambda w: get(f"{V3}/rounds/"),
    "wagtailapi_v3:get_round": lambda w: get(f"{V3}/rounds/{w.ids['round']}/"),
    "wagtailapi_v3:reading_export_json": lambda w: get(f"{V3}/reading/export.json"),
    "wagtailapi_v3:reading_export_csv": lambda w: get(f"{V3}/reading/export.csv"),
}

# --- the readers -----------------------------------------------------------

#: anonymous: no cookie at all. anonymous-session: an anonymous session
#: cookie. anonymous-after-author: the author fetched each URL just before
#: (a personal response must never be served to others from a cache).
#: member: Dora, logged in, no progress. member-token: Dora with a bearer
#: token (API routes only).
VIEWERS = (
    "anonymous",
    "anonymous-session",
    "anonymous-after-author",
    "member",
    "member-token",
)


def _route_of(channel: str) -> str:
    """``wagtail_serve#review`` is one channel of the route ``wagtail_serve``."""
    return channel.split("#", 1)[0]


def _exempt(name: str, route: str) -> str | None:
    for prefix, reason in EXEMPT.items():
        if route.startswith(prefix) or name == prefix:
            return reason
    return None


def _applies(viewer: str, route: str) -> bool:
    """A token only authenticates the APIs; an anonymous session cookie
    changes nothing there either (the APIs read no anonymous session)."""
    if route.startswith("api/"):
        return viewer != "anonymous-session"
    return viewer != "member-token"


def _sweep_params() -> Iterator[object]:
    routes = served_routes()
    for channel in sorted(PROBES):
        route = routes.get(_route_of(channel))
        if route is None:
            continue  # a route not (or no longer) served
        for viewer in VIEWERS:
            if not _applies(viewer, route):
                continue
            yield pytest.param(channel, viewer, id=f"{channel}@{viewer}")


# --- the world, once per module ---------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[CanaryWorld]:
    """The demo club and its canaries, built once and rolled back at the end."""
    with built_once(django_db_blocker):
        yield build_canary_world()


def _client(world: CanaryWorld, viewer: str) -> Client:
    client = Client(raise_request_exception=False)
    if viewer == "anonymous-session":
        session = client.session
        session["seen"] = True
        session.save()
    elif viewer in ("member", "member-token"):
        if viewer == "member":
            client.force_login(world.stranger)
        else:
            client.defaults.update(
                {
                    f"HTTP_{key.upper()}": value
                    for key, value in bearer(world.stranger).items()
                }
            )
    return client


def _send(client: Client, probe: Probe) -> HttpResponseBase:
    method = getattr(client, probe.method)
    if probe.method == "get":
        return method(probe.path)
    if probe.path.startswith("/api/"):
        return method(
            probe.path, data=json.dumps(probe.body), content_type="application/json"
        )
    return method(probe.path, data=probe.body)


def raw_bytes(response: HttpResponseBase) -> bytes:
    """Headers and body exactly as sent (a streamed body joined)."""
    if response.streaming:
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return headers.encode() + b"\n\n" + body


def _readings(data: bytes) -> Iterator[str]:
    """The bytes as text, and as a reader of each format would decode them:
    iCalendar lines unfolded, HTML entities and URL escapes undone."""
    text = data.decode("utf-8", errors="replace")
    yield text
    yield text.replace("\r\n ", "").replace("\r\n\t", "")
    yield html.unescape(text)
    yield unquote(text)


def leaks_in(data: bytes, canaries: dict[str, str]) -> set[str]:
    found = set()
    for reading in _readings(data):
        folded = reading.lower()
        found |= {kind for kind, value in canaries.items() if value.lower() in folded}
    return found


def _mail_bytes() -> bytes:
    parts = []
    for message in mail.outbox:
        parts.append(message.message().as_bytes())
        parts.append(f"{message.subject}\n{message.body}".encode())
        for content, _mimetype in getattr(message, "alternatives", []):
            parts.append(content if isinstance(content, bytes) else content.encode())
    return b"\n".join(parts)


# --- the tests -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("channel", "viewer"), list(_sweep_params()))
def test_no_canary_reaches_the_reader(world: CanaryWorld, channel: str, viewer: str):
    probes = PROBES[channel](world)
    assert probes, f"{channel}: no request to make"
    hidden = world.hidden_from(viewer_is_member=viewer.startswith("member"))
    author = Client(raise_request_exception=False)
    if viewer == "anonymous-after-author":
        author.force_login(world.author)
    client = _client(world, viewer)
    leaks: list[str] = []
    errors: list[str] = []
    for probe in probes:
        if viewer == "anonymous-after-author" and probe.method == "get":
            _send(author, probe)
        response = _send(client, probe)
        if response.status_code >= 500:
            errors.append(
                f"{probe.method.upper()} {probe.path}: {response.status_code}"
            )
        # A canary the reader typed into the URL (a draft's slug) may echo.
        typed = {k for k, v in hidden.items() if v.lower() in probe.path.lower()}
        found = leaks_in(raw_bytes(response), hidden) - probe.asked_for - typed
        if found:
            leaks.append(f"{probe.method.upper()} {probe.path}: {sorted(found)}")
    found_in_mail = leaks_in(_mail_bytes(), hidden)
    if found_in_mail:
        leaks.append(f"email: {sorted(found_in_mail)}")
    assert not errors, "server errors:\n" + "\n".join(errors)
    assert not leaks, "canaries sent:\n" + "\n".join(leaks)


def test_every_route_is_swept():
    """A new route needs a probe in PROBES or a reason in EXEMPT."""
    swept = {_route_of(channel) for channel in PROBES}
    missing = [
        f"{name} ({route})"
        for name, route in sorted(served_routes().items())
        if name not in swept and _exempt(name, route) is None
    ]
    assert not missing, "routes the canary sweep does not request:\n" + "\n".join(
        missing
    )


@pytest.mark.django_db
def test_the_author_meets_the_canaries(world: CanaryWorld):
    """The sweep would prove nothing if the canaries were never served: their
    author, who has read every book, gets the ones planted in her pages."""
    from wagtail.models import Page

    author = Client()
    author.force_login(world.author)
    review = Page.objects.get(pk=world.ids["review"])
    response = author.get(review.url)
    assert response.status_code == 200
    assert {"spoiler", "nested-quote", "nested-caption"} <= leaks_in(
        raw_bytes(response), world.canaries
    )
    response = author.get(_page_path(world.ids["discussion"]))
    assert {"question", "comment"} <= leaks_in(raw_bytes(response), world.canaries)
    response = author.get(f"/api/v3/reviews/{world.ids['review']}/")
    assert "spoiler" in leaks_in(raw_bytes(response), world.canaries)
    assert leaks_in(raw_bytes(Client().get("/sitemap.xml")), world.canaries) == set()


MEMBER_EXPORTS = (
    "/reading/export.csv",
    "/reading/export.json",
    "/api/v3/reading/export.csv",
    "/api/v3/reading/export.json",
)


@pytest.mark.django_db
@pytest.mark.parametrize("path", MEMBER_EXPORTS)
def test_a_members_export_holds_only_their_own_reviews(world: CanaryWorld, path):
    """Dora's export has her review, and no title of anyone else's, public or
    not: the export is personal, never a window on other members."""
    import secrets

    from reviews.models import Book, ReviewPage
    from tests.factories import make_review, paragraph

    own = f"OWNREVIEW-{secrets.token_hex(5)}"
    make_review(
        book=Book.objects.get(pk=world.ids["siege"]),
        title=own,
        owner=world.stranger,
        reviewer=world.stranger,
        body=[paragraph(f"My own words, {own}.")],
    )
    others = {
        title
        for page in ReviewPage.objects.exclude(reviewer=world.stranger)
        for title in (page.title, page.draft_title)
    }
    client = Client()
    if path.startswith("/api/"):
        response = client.get(path, headers=bearer(world.stranger))
    else:
        client.force_login(world.stranger)
        response = client.get(path)
    assert response.status_code == 200
    data = raw_bytes(response).decode()
    assert own in data
    assert [title for title in others if title in data] == []
    assert leaks_in(raw_bytes(response), world.hidden_from(True)) == set()
