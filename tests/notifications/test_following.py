"""The follow control on review and discussion pages, and the email
settings page."""

from __future__ import annotations

import pytest
from django.test import Client
from wagtail.models import PageViewRestriction

from reviews.models import Follow, Notification, NotificationSettings
from tests.factories import (
    ReadingProgressFactory,
    UserFactory,
    make_discussion,
    make_review,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_client(reader) -> Client:
    client = Client()
    client.force_login(reader)
    return client


def test_a_member_follows_a_book_from_a_review_and_stops(member_client, reader):
    review = make_review()
    book = review.book
    page = member_client.get(review.url)
    assert f'action="/club/follow/book/{book.pk}/"'.encode() in page.content
    assert b"Follow this book" in page.content

    response = member_client.post(
        f"/club/follow/book/{book.pk}/", {"action": "follow", "next": review.url}
    )
    assert response.status_code == 302 and response["Location"] == review.url
    assert Follow.objects.filter(member=reader, book=book).exists()
    assert b"Stop following this book" in member_client.get(review.url).content

    member_client.post(f"/club/follow/book/{book.pk}/", {"action": "unfollow"})
    assert not Follow.objects.filter(member=reader, book=book).exists()


def test_following_twice_keeps_one_follow(member_client, reader, book):
    for _ in range(2):
        member_client.post(f"/club/follow/book/{book.pk}/", {"action": "follow"})
    assert Follow.objects.filter(member=reader, book=book).count() == 1


def test_a_member_follows_a_discussion(member_client, reader, book):
    discussion = make_discussion(book=book)
    assert b"Follow this discussion" in member_client.get(discussion.url).content
    member_client.post(f"/club/follow/discussion/{discussion.pk}/")
    assert Follow.objects.filter(member=reader, discussion=discussion).exists()


def test_a_visitor_is_asked_to_log_in_and_the_page_stays_shareable(client, book):
    review = make_review(book=book)
    page = client.get(review.url)
    assert b"to follow this book by email" in page.content
    assert b"/club/follow/" not in page.content
    response = client.post(f"/club/follow/book/{book.pk}/", {"next": review.url})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Follow.objects.exists()


def test_a_restricted_discussion_cannot_be_followed(member_client, book):
    discussion = make_discussion(book=book)
    PageViewRestriction.objects.create(
        page=discussion, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    response = member_client.post(f"/club/follow/discussion/{discussion.pk}/")
    assert response.status_code == 404
    assert not Follow.objects.filter(discussion=discussion).exists()


def test_unknown_ids_are_404s(member_client):
    assert member_client.post("/club/follow/book/999999/").status_code == 404
    assert member_client.post("/club/follow/discussion/999999/").status_code == 404


def test_the_settings_page_saves_each_choice(member_client, reader, book):
    discussion = make_discussion(book=book)
    Follow.objects.create(member=reader, discussion=discussion)
    page = member_client.get("/reading/notifications/")
    assert page.status_code == 200
    assert b"The Siege" in page.content and discussion.title.encode() in page.content
    book_follow = Follow.objects.get(member=reader, book=book)
    discussion_follow = Follow.objects.get(member=reader, discussion=discussion)
    data = {
        "email_enabled": "on",
        "delivery": "daily",
        "follows-TOTAL_FORMS": "2",
        "follows-INITIAL_FORMS": "2",
        "follows-MIN_NUM_FORMS": "0",
        "follows-MAX_NUM_FORMS": "1000",
        "follows-0-id": str(discussion_follow.pk),
        "follows-0-reminders": "on",
        "follows-0-DELETE": "",
        "follows-1-id": str(book_follow.pk),
        "follows-1-new_reviews": "on",
        "follows-1-DELETE": "on",
    }
    response = member_client.post("/reading/notifications/", data)
    assert response.status_code == 302
    saved = NotificationSettings.objects.get(member=reader)
    assert saved.delivery == "daily" and not saved.replies
    discussion_follow.refresh_from_db()
    assert discussion_follow.reminders and not discussion_follow.replies
    assert not Follow.objects.filter(pk=book_follow.pk).exists()


def test_the_settings_page_never_touches_another_members_follow(
    member_client, reader, book
):
    other = UserFactory(username="otto")
    theirs = Follow.objects.create(member=other, book=book)
    data = {
        "email_enabled": "on",
        "replies": "on",
        "delivery": "each",
        "follows-TOTAL_FORMS": "1",
        "follows-INITIAL_FORMS": "1",
        "follows-MIN_NUM_FORMS": "0",
        "follows-MAX_NUM_FORMS": "1000",
        "follows-0-id": str(theirs.pk),
        "follows-0-DELETE": "on",
    }
    response = member_client.post("/reading/notifications/", data)
    assert response.status_code in (200, 302)
    assert Follow.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"delivery": "weekly", "follows-TOTAL_FORMS": "0"},
        {"follows-TOTAL_FORMS": "x", "follows-INITIAL_FORMS": "y"},
        {"follows-TOTAL_FORMS": "1", "follows-INITIAL_FORMS": "0", "follows-0-id": "z"},
    ],
)
def test_bad_settings_input_is_never_a_500(member_client, data):
    response = member_client.post("/reading/notifications/", data)
    assert response.status_code in (200, 302, 400)


def test_the_settings_page_is_for_members(client):
    response = client.get("/reading/notifications/")
    assert response.status_code == 302


def test_a_member_follows_a_book_from_its_own_page(member_client, reader):
    from tests.factories import BookFactory

    book = BookFactory(title="Life and Fate", slug="life-and-fate")
    page = member_client.get(book.get_absolute_url())
    assert page.status_code == 200
    assert f'action="/club/follow/book/{book.pk}/"'.encode() in page.content
    member_client.post(
        f"/club/follow/book/{book.pk}/", {"next": book.get_absolute_url()}
    )
    assert Follow.objects.filter(member=reader, book=book).exists()
    assert (
        b"Stop following this book"
        in member_client.get(book.get_absolute_url()).content
    )


def test_each_follow_on_the_settings_page_offers_only_its_own_choices(
    member_client, reader, book
):
    """A book's follow has no replies and a discussion's no new reviews, so
    neither says which kind it is for; leaving one says so, not "Delete"."""
    Follow.objects.create(member=reader, discussion=make_discussion(book=book))
    html = member_client.get("/reading/notifications/").content.decode()
    assert "Books only." not in html and "Discussions only." not in html
    assert html.count("Stop following") == 2
    assert ">Delete<" not in html and " Delete</label>" not in html


def test_an_edit_to_a_live_review_is_not_news_to_a_later_follower(book, reviewer):
    """Following a book brings its new reviews, not a "New review" email each
    time an editor fixes one that was published before the follow."""
    review = make_review(book=book, owner=reviewer, reviewer=reviewer)
    later = UserFactory(username="lena")
    ReadingProgressFactory(member=later, book=book, chapter=1)
    Follow.objects.create(member=later, book=book)

    review.title = "Winter in Leningrad, revised"
    review.save_revision().publish()
    assert not Notification.objects.filter(recipient=later).exists()

    newer = make_review(book=book, owner=reviewer, reviewer=reviewer)
    assert list(
        Notification.objects.filter(recipient=later).values_list("kind", "page_id")
    ) == [(Notification.Kind.REVIEW, newer.pk)]


def test_an_edit_to_a_live_review_asks_nothing_about_its_readers(
    book, reviewer, django_assert_num_queries
):
    """An editor's fix is settled by what the save read already: no query
    about view restrictions or followers, which only a first publish needs."""
    from wagtail.signals import page_published

    from reviews.notifications.events import on_page_published

    review = make_review(book=book, owner=reviewer, reviewer=reviewer)
    published = []

    def keep(sender, instance, **kwargs):
        published.append(instance)

    page_published.connect(keep, dispatch_uid="test_keep_published")
    try:
        review.title = "Winter in Leningrad, revised"
        review.save_revision().publish()
    finally:
        page_published.disconnect(dispatch_uid="test_keep_published")

    with django_assert_num_queries(0):
        on_page_published(sender=type(review), instance=published[-1])
