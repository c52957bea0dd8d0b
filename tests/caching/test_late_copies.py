"""While one client rebuilds a response, the others get the previous copy,
but only when what changed cannot matter: a comment posted, a vote, an
RSVP. Anything that may hide, reveal or rename (a comment removed or
edited, a publish, an unpublish) makes them wait for the new copy."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.urls import resolve

from reviews import cache_tags
from reviews.invalidation import retire
from reviews.models import CacheTag, DiscussionComment
from reviews.response_cache import store
from reviews.response_cache.middleware import ResponseCacheMiddleware
from tests.caching.clients import at_once
from tests.factories import UserFactory, make_discussion

CLIENTS = 6
URL = "/reviews/busy-review/"
BUILD_SECONDS = 0.6


class SlowPage:
    """A page whose every build takes :data:`BUILD_SECONDS` and says which
    build it was."""

    def __init__(self) -> None:
        self.builds = 0

    def __call__(self, request):
        self.builds += 1
        body = f"<p>build {self.builds}</p>"
        time.sleep(BUILD_SECONDS)
        request.resolver_match = resolve(URL)  # Wagtail's page serving
        return HttpResponse(body, content_type="text/html")


def _request(rf):
    made = rf.get(URL)
    made.user = AnonymousUser()
    return made


def _at_once(middleware, rf) -> list:
    return at_once(middleware, lambda: _request(rf), CLIENTS)


def _cached_page(rf) -> tuple[SlowPage, ResponseCacheMiddleware]:
    view = SlowPage()
    middleware = ResponseCacheMiddleware(view)
    assert middleware(_request(rf)).content == b"<p>build 1</p>"
    assert middleware(_request(rf)).content == b"<p>build 1</p>"
    assert view.builds == 1
    return view, middleware


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_db")
def test_after_a_late_ok_change_one_rebuilds_and_the_others_get_the_copy(rf):
    view, middleware = _cached_page(rf)
    retire(cache_tags.retired_by_comment(1), late_ok=True)

    answers = _at_once(middleware, rf)

    assert view.builds == 2
    bodies = [response.content for _, response in answers]
    assert bodies.count(b"<p>build 2</p>") == 1
    assert bodies.count(b"<p>build 1</p>") == CLIENTS - 1
    for took, response in answers:
        if response.content == b"<p>build 1</p>":
            # Nobody waited for the rebuild, and nobody may keep the copy.
            assert took < BUILD_SECONDS
            assert response["Cache-Control"] == "no-cache"
        else:
            assert "public" in response["Cache-Control"]
    # Once rebuilt, everyone has the new copy, and caches may keep it again.
    after = middleware(_request(rf))
    assert after.content == b"<p>build 2</p>"
    assert "public" in after["Cache-Control"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_db")
def test_after_a_strict_change_everyone_waits_for_the_new_copy(rf):
    view, middleware = _cached_page(rf)
    retire(cache_tags.retired_by_comment(1))

    answers = _at_once(middleware, rf)

    assert view.builds == 2
    assert {response.content for _, response in answers} == {b"<p>build 2</p>"}
    assert all("public" in r["Cache-Control"] for _, r in answers)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_db")
def test_a_strict_change_after_a_late_ok_one_is_waited_for(rf):
    view, middleware = _cached_page(rf)
    retire(cache_tags.retired_by_vote(), late_ok=True)
    retire(cache_tags.retired_by_comment(1))

    answers = _at_once(middleware, rf)

    assert {response.content for _, response in answers} == {b"<p>build 2</p>"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_db")
def test_one_client_after_another_sees_a_late_ok_change_at_once(rf):
    view, middleware = _cached_page(rf)
    retire(cache_tags.retired_by_comment(1), late_ok=True)

    assert middleware(_request(rf)).content == b"<p>build 2</p>"
    assert middleware(_request(rf)).content == b"<p>build 2</p>"


# Which changes may show late ------------------------------------------------


def _strict(name: str) -> int:
    return CacheTag.objects.get(name=name).strict_version


def _version(name: str) -> int:
    return CacheTag.objects.get(name=name).version


@pytest.fixture
def discussion():
    return make_discussion(title="Late Night Talk")


@pytest.mark.django_db
def test_a_posted_comment_may_show_late(discussion):
    tag = cache_tags.comments(discussion.pk)
    retire({tag})
    strict, version = _strict(tag), _version(tag)

    DiscussionComment.objects.create(
        page=discussion, author=UserFactory(), body="Loved the ending"
    )

    assert _version(tag) != version
    assert _strict(tag) == strict


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["edit", "remove", "delete"])
def test_an_edited_removed_or_deleted_comment_never_shows_late(discussion, change):
    comment = DiscussionComment.objects.create(
        page=discussion, author=UserFactory(), body="The ending: everyone lives"
    )
    tag = cache_tags.comments(discussion.pk)
    strict = _strict(tag)

    if change == "edit":
        comment.body = "No spoilers here"
        comment.save()
    elif change == "remove":
        comment.removed = True
        comment.save()
    else:
        comment.delete()

    assert _strict(tag) != strict
    assert _strict(cache_tags.ALL) == _version(cache_tags.ALL)


@pytest.mark.django_db
def test_a_publish_never_shows_late(discussion):
    before = _strict(cache_tags.ALL)
    discussion.save_revision().publish()
    assert _strict(cache_tags.ALL) != before
    assert _strict(cache_tags.page(discussion.pk)) == _version(
        cache_tags.page(discussion.pk)
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_db")
def test_with_the_shared_cache_down_a_late_copy_is_rebuilt_not_served(
    rf, private_redis, settings
):
    """A late copy goes out only while another client builds. With Redis
    unreachable, the backend says no to every lock (as to every write), and
    nobody is building: the copy kept in this process's memory was served,
    without the comment, for as long as Redis stayed down."""
    settings.CACHES = {
        "default": {
            "BACKEND": "bookclub.cache.ResilientRedisCache",
            "LOCATION": private_redis.url,
            "OPTIONS": {"DOWN_RETRY_SECONDS": 30},
        }
    }
    view, middleware = _cached_page(rf)
    retire(cache_tags.retired_by_comment(1), late_ok=True)
    private_redis.stop()
    try:
        answer = middleware(_request(rf))
    finally:
        private_redis.start()
    assert answer.content == b"<p>build 2</p>"
    assert view.builds == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_db")
def test_a_process_with_a_late_copy_takes_the_one_another_process_rebuilt(rf):
    """After a late-ok change, one process rebuilds and shares the page. A
    second process, whose memory still held the late copy, built it again
    (and, while it did, served its clients the late copy) instead of taking
    the one already shared."""
    view, middleware = _cached_page(rf)
    retire(cache_tags.retired_by_comment(1), late_ok=True)
    with store._local_lock:
        second_process = dict(store._local)  # its memory: build 1
    store.forget_local()
    assert middleware(_request(rf)).content == b"<p>build 2</p>"

    with store._local_lock:
        store._local.update(second_process)
    assert middleware(_request(rf)).content == b"<p>build 2</p>"
    assert view.builds == 2
