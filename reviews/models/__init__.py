"""The plugin's models, split by kind and re-exported here by name."""

from .books import (
    Book,
    ReadingProgress,
    book_left,
    newly_live,
    rating_changed,
    remember_stored_book,
    was_live,
)
from .caching import CacheTag, EdgePurge, EdgePurger
from .club import MeetingRSVP, Nomination, NominationRound, Vote
from .comments import (
    COMMENT_EDIT_WINDOW,
    COMMENT_MAX_LENGTH,
    CommentReport,
    DiscussionComment,
)
from .discussions import DiscussionIndexPage, DiscussionPage
from .imports import GoodreadsImport, GoodreadsImportJob
from .invitations import Invitation
from .media import DocumentApproval, ImageApproval, PublishedMediaUse
from .members import MemberProfile, public_id_of
from .notifications import Follow, Notification, NotificationSettings
from .reviews import ReviewDailyViews, ReviewIndexPage, ReviewPage, ReviewPageTag
from .series import SeriesEntry, SeriesIndexPage, SeriesPage
from .webhooks import Webhook, WebhookDelivery, WebhookEvent

__all__ = [
    "COMMENT_EDIT_WINDOW",
    "COMMENT_MAX_LENGTH",
    "Book",
    "CacheTag",
    "CommentReport",
    "DiscussionComment",
    "DiscussionIndexPage",
    "DiscussionPage",
    "DocumentApproval",
    "EdgePurge",
    "EdgePurger",
    "Follow",
    "GoodreadsImport",
    "GoodreadsImportJob",
    "ImageApproval",
    "Invitation",
    "MeetingRSVP",
    "MemberProfile",
    "Nomination",
    "NominationRound",
    "Notification",
    "NotificationSettings",
    "PublishedMediaUse",
    "ReadingProgress",
    "ReviewDailyViews",
    "ReviewIndexPage",
    "ReviewPage",
    "ReviewPageTag",
    "SeriesEntry",
    "SeriesIndexPage",
    "SeriesPage",
    "Vote",
    "Webhook",
    "WebhookDelivery",
    "WebhookEvent",
    "book_left",
    "public_id_of",
    "remember_stored_book",
    "newly_live",
    "rating_changed",
    "was_live",
]
