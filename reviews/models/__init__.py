"""The plugin's models, split by kind and re-exported here by name."""

from .books import Book, ReadingProgress
from .discussions import (
    COMMENT_MAX_LENGTH,
    DiscussionComment,
    DiscussionIndexPage,
    DiscussionPage,
)
from .reviews import ReviewDailyViews, ReviewIndexPage, ReviewPage, ReviewPageTag
from .series import SeriesEntry, SeriesIndexPage, SeriesPage

__all__ = [
    "COMMENT_MAX_LENGTH",
    "Book",
    "DiscussionComment",
    "DiscussionIndexPage",
    "DiscussionPage",
    "ReadingProgress",
    "ReviewDailyViews",
    "ReviewIndexPage",
    "ReviewPage",
    "ReviewPageTag",
    "SeriesEntry",
    "SeriesIndexPage",
    "SeriesPage",
]
