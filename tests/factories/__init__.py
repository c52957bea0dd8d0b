"""Test data for the club: model factories (factory_boy), pages under their
real parents, StreamField blocks, images, discussions and club life.

Import what a test needs from here; the modules group them by kind.
"""

from tests.factories.discussions import (
    DiscussionCommentFactory,
    MeetingRSVPFactory,
    NominationFactory,
    NominationRoundFactory,
)
from tests.factories.images import cover_png, make_cover, make_image
from tests.factories.models import (
    BookFactory,
    ReadingProgressFactory,
    UserFactory,
    user_in,
)
from tests.factories.pages import (
    copy_in_admin,
    discussion_index,
    make_discussion,
    make_review,
    make_series,
    paragraph,
    review_index,
    series_index,
    site_root,
    spoiler,
)
from tests.factories.tokens import bearer, token_client

__all__ = [
    "BookFactory",
    "DiscussionCommentFactory",
    "MeetingRSVPFactory",
    "NominationFactory",
    "NominationRoundFactory",
    "ReadingProgressFactory",
    "UserFactory",
    "bearer",
    "copy_in_admin",
    "cover_png",
    "discussion_index",
    "make_cover",
    "make_discussion",
    "make_image",
    "make_review",
    "make_series",
    "paragraph",
    "review_index",
    "series_index",
    "site_root",
    "spoiler",
    "token_client",
    "user_in",
]
