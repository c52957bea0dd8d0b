"""A move is honoured by the moment it commits, not when its signal comes.

Wagtail's move commits the new tree paths and the page's own save (which
retires ``all``) in one transaction, and sends ``post_page_move`` (which
retires ``site``) after it. A value kept until ``site`` alone moves on (the
restricted paths were, for a while) is stale in between: a restricted page
whose path a reorder shifted was listed as public. What any other process
serves in that window must already be right.
"""

from __future__ import annotations

import pytest
from django.test import Client
from wagtail.models import PageViewRestriction
from wagtail.signals import post_page_move

from reviews.derived import forget_in_process
from reviews.response_cache import forget_local
from tests.factories import make_review, review_index

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SECRET = "Members-only review title"


def _run_first(signal, receiver):
    """Connect ``receiver`` so that it runs before every other receiver: the
    moment after the move's commit when the media index walks the moved
    subtree and ``site`` has not moved on yet."""
    signal.connect(receiver, weak=False, dispatch_uid="test-move-window")
    with signal.lock:
        entry = signal.receivers.pop()
        signal.receivers.insert(0, entry)
        signal.sender_receivers_cache.clear()


def _listings(client: Client) -> dict[str, bytes]:
    return {
        path: client.get(path, HTTP_HOST="localhost").content
        for path in (
            "/api/v2/pages/?type=reviews.ReviewPage&fields=title",
            "/api/v3/reviews/",
            "/reviews/",
            "/feeds/reviews/",
        )
    }


def test_a_reorder_keeps_a_restricted_review_out_of_every_listing_at_once():
    forget_in_process()
    forget_local()
    review_index()
    secret = make_review(title=SECRET, slug="members-only")
    public = make_review(title="Open review", slug="open")
    PageViewRestriction.objects.create(
        page=secret, restriction_type=PageViewRestriction.LOGIN
    )
    client = Client()
    before = _listings(client)
    assert all(SECRET.encode() not in body for body in before.values()), before
    seen: dict[str, bytes] = {}

    def during(sender, **kwargs):
        # The move has committed; what another process would serve now:
        seen.update(_listings(Client()))

    _run_first(post_page_move, during)
    try:
        # Drag "Open review" above the restricted one in the explorer.
        public.move(secret, pos="left")
    finally:
        post_page_move.disconnect(dispatch_uid="test-move-window")
    leaked = {path for path, body in seen.items() if SECRET.encode() in body}
    assert not leaked, f"restricted review listed publicly at {sorted(leaked)}"
