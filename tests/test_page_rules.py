from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from home.models import HomePage
from reviews.models import (
    DiscussionIndexPage,
    DiscussionPage,
    ReviewIndexPage,
    ReviewPage,
    SeriesIndexPage,
    SeriesPage,
)


class PageTreeRulesTests(WagtailPageTestCase):
    def test_indexes_live_under_the_home_page(self):
        for index in (ReviewIndexPage, SeriesIndexPage, DiscussionIndexPage):
            self.assertCanCreateAt(HomePage, index)

    def test_reviews_only_under_the_review_index(self):
        self.assertAllowedParentPageTypes(ReviewPage, {ReviewIndexPage})
        self.assertCanNotCreateAt(HomePage, ReviewPage)
        self.assertCanNotCreateAt(SeriesIndexPage, ReviewPage)

    def test_series_and_discussions_under_their_own_index(self):
        self.assertAllowedParentPageTypes(SeriesPage, {SeriesIndexPage})
        self.assertAllowedParentPageTypes(DiscussionPage, {DiscussionIndexPage})

    def test_leaf_pages_have_no_children(self):
        for leaf in (ReviewPage, SeriesPage, DiscussionPage):
            self.assertAllowedSubpageTypes(leaf, set())

    def test_index_pages_hold_only_their_own_kind(self):
        self.assertAllowedSubpageTypes(ReviewIndexPage, {ReviewPage})
        self.assertAllowedSubpageTypes(SeriesIndexPage, {SeriesPage})
        self.assertAllowedSubpageTypes(DiscussionIndexPage, {DiscussionPage})

    def test_one_home_page(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertFalse(HomePage.can_create_at(Page.get_first_root_node()))
