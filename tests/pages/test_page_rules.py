from django.test import override_settings
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

    def test_index_parents_come_from_the_host_sites_setting(self):
        # The plugin names no model of the host site: this site lists its own
        # home page in BOOKCLUB_INDEX_PARENT_PAGE_TYPES.
        indexes = (ReviewIndexPage, SeriesIndexPage, DiscussionIndexPage)
        for index in indexes:
            self.assertAllowedParentPageTypes(index, {Page, HomePage})
        with override_settings(BOOKCLUB_INDEX_PARENT_PAGE_TYPES=["wagtailcore.Page"]):
            for index in indexes:
                self.assertAllowedParentPageTypes(index, {Page})
                self.assertCanNotCreateAt(HomePage, index)
        for index in indexes:
            self.assertCanCreateAt(HomePage, index)

    def test_without_a_setting_an_index_may_sit_under_any_page(self):
        with override_settings(BOOKCLUB_INDEX_PARENT_PAGE_TYPES=None):
            for index in (ReviewIndexPage, SeriesIndexPage, DiscussionIndexPage):
                self.assertCanCreateAt(HomePage, index)
                self.assertCanCreateAt(Page, index)
                self.assertCanNotCreateAt(ReviewPage, index)

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
