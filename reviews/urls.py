"""The plugin's own URLs. A site includes them with ``include("reviews.urls")``."""

from django.urls import path, register_converter

from . import views
from .converters import ChapterRangeConverter, ObjectIdConverter
from .feeds import LatestReviewsFeed
from .read_only import read_only
from .views import (
    accounts,
    books,
    discussions,
    notifications,
    reveal,
    rounds,
    stats,
    tokens,
)

app_name = "reviews"

register_converter(ObjectIdConverter, "club_id")
register_converter(ChapterRangeConverter, "chapter_range")

urlpatterns = [
    path("feeds/reviews/", read_only(LatestReviewsFeed()), name="review_feed"),
    path(
        "club/discussions/<club_id:page_id>/comments/",
        discussions.post_comment,
        name="comment_post",
    ),
    path(
        "club/comments/<club_id:comment_id>/edit/",
        discussions.edit_comment,
        name="comment_edit",
    ),
    path(
        "club/comments/<club_id:comment_id>/delete/",
        discussions.delete_comment,
        name="comment_delete",
    ),
    path(
        "club/comments/<club_id:comment_id>/report/",
        discussions.report_comment,
        name="comment_report",
    ),
    path(
        "club/reveal/<club_id:page_id>/comments/<chapter_range:chapter_range>/",
        discussions.reveal_comments,
        name="reveal_comments",
    ),
    path("club/discussions/<club_id:page_id>/rsvp/", discussions.rsvp, name="rsvp"),
    path(
        "club/discussions/<club_id:page_id>/meeting.ics",
        discussions.meeting_calendar,
        name="meeting_ics",
    ),
    path("club/meetings.ics", discussions.meetings_feed, name="meetings_ics"),
    path("club/next-book/", rounds.round_index, name="next_book"),
    path(
        "club/next-book/<club_id:round_id>/",
        rounds.round_detail,
        name="next_book_round",
    ),
    path(
        "club/next-book/<club_id:round_id>/nominate/",
        rounds.nominate,
        name="next_book_nominate",
    ),
    path("club/next-book/<club_id:round_id>/vote/", rounds.vote, name="next_book_vote"),
    path("club/join/<str:token>/", accounts.join, name="join"),
    path(
        "club/follow/book/<club_id:book_id>/",
        notifications.follow_book,
        name="follow_book",
    ),
    path(
        "club/follow/discussion/<club_id:page_id>/",
        notifications.follow_discussion,
        name="follow_discussion",
    ),
    path(
        "club/unsubscribe/<str:token>/",
        notifications.unsubscribe,
        name="unsubscribe",
    ),
    path("club/stats/", stats.club_stats, name="club_stats"),
    path("reading/", views.my_reading, name="my_reading"),
    path(
        "reading/notifications/",
        notifications.notification_settings,
        name="notification_settings",
    ),
    path("reading/stats/", stats.my_stats, name="my_stats"),
    path("reading/tokens/", tokens.my_tokens, name="my_tokens"),
    path(
        "reading/tokens/<club_id:token_id>/revoke/",
        tokens.revoke_token,
        name="revoke_token",
    ),
    path("reading/export.csv", views.reading_export_csv, name="reading_export_csv"),
    path("reading/export.json", views.reading_export_json, name="reading_export_json"),
    path("reading/<club_id:book_id>/", views.update_progress, name="update_progress"),
    path(
        "reading/<club_id:book_id>/remove/",
        views.remove_progress,
        name="remove_progress",
    ),
    path("search/", views.search, name="search"),
    path("books/", books.book_index, name="book_index"),
    path("books/<slug:slug>/", books.book_detail, name="book"),
    path(
        "club/reveal/<club_id:page_id>/<uuid:block_id>/",
        reveal.reveal_block,
        name="reveal_block",
    ),
]
