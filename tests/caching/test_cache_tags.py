"""The tag scheme: which responses a change retires, and which it leaves."""

from __future__ import annotations

from reviews import cache_tags as tags


def _retires(change: frozenset[str], response: frozenset[str]) -> bool:
    return bool(change & response)


REVIEW_LIST = tags.for_route("wagtailapi_v3:club_reviews_list", {})
V2_LIST = tags.for_route("wagtailapi:pages:listing", {})
REVIEW_INDEX = tags.for_page(tags.REVIEW_INDEX, 3)
HOME = tags.for_page(tags.OTHER, 2)


def test_a_comment_retires_its_discussion_not_the_review_listings():
    change = tags.retired_by_comment(40)
    assert _retires(change, tags.for_page(tags.DISCUSSION, 40))
    assert _retires(
        change,
        tags.for_route("wagtailapi_v3:club_discussions_detail", {"discussion_id": 40}),
    )
    for response in (
        REVIEW_LIST,
        REVIEW_INDEX,
        HOME,
        tags.for_page(tags.REVIEW, 10),
        tags.for_page(tags.DISCUSSION, 41),
        tags.for_route("wagtailapi_v3:club_reviews_detail", {"review_id": 10}),
    ):
        assert not _retires(change, response)


def test_publishing_a_review_retires_it_its_listings_and_its_book():
    change = tags.retired_by_page(tags.REVIEW, 10, book_id=5)
    for response in (
        tags.for_page(tags.REVIEW, 10),
        tags.for_route("wagtailapi_v3:club_reviews_detail", {"review_id": "10"}),
        tags.for_route("wagtailapi:pages:detail", {"pk": 10}),
        tags.for_route("wagtailapi_v3:detail_page", {"page_id": 10}),
        tags.for_route("wagtailapi_v3:club_books_detail", {"book_id": 5}),
        tags.for_route("wagtailapi_v3:club_books_list", {}),
        tags.for_route("reviews:review_feed", {}),
        REVIEW_LIST,
        V2_LIST,
        REVIEW_INDEX,
        HOME,
    ):
        assert _retires(change, response), response
    for response in (
        tags.for_page(tags.REVIEW, 11),
        tags.for_page(tags.DISCUSSION, 40),
        tags.for_route("wagtailapi_v3:club_books_detail", {"book_id": 6}),
        tags.for_route("wagtailapi_v3:club_discussions_list", {}),
    ):
        assert not _retires(change, response), response


def test_a_round_retires_the_pages_that_list_it_not_the_reviews():
    """The home page and the discussion index name the round open now."""
    change = tags.retired_by_round()
    for response in (HOME, tags.for_page(tags.DISCUSSION_INDEX, 5)):
        assert _retires(change, response), response
    for response in (REVIEW_LIST, REVIEW_INDEX, tags.for_page(tags.REVIEW, 1)):
        assert not _retires(change, response), response


def test_structure_changes_retire_every_response():
    change = tags.retired_by_structure()
    for response in (REVIEW_LIST, V2_LIST, HOME, tags.for_page(tags.REVIEW, 1)):
        assert _retires(change, response)


def test_an_unknown_route_is_retired_by_any_change():
    unknown = tags.for_route("somewhere:else", {})
    for change in (
        tags.retired_by_vote(),
        tags.retired_by_rsvp(1),
        tags.retired_by_comment(1),
        tags.retired_by_book(1),
    ):
        assert _retires(change, unknown)


def test_a_bad_id_in_a_route_falls_back_to_everything():
    assert tags.ALL in tags.for_route("wagtailapi:pages:detail", {"pk": "x"})


def test_the_header_value_is_sorted_and_space_separated():
    assert tags.header_value({"page-2", "books", "site"}) == "books page-2 site"


V2_REVIEWS = tags.for_route(
    "wagtailapi:pages:listing", {}, {"type": "reviews.ReviewPage", "fields": "*"}
)
#: The hot set of the benchmark (benchmarks/endpoints.py, HOT_PATHS).
HOT_SET = (
    HOME,
    V2_REVIEWS,
    REVIEW_LIST,
    REVIEW_INDEX,
    tags.for_page(tags.SERIES_INDEX, 4),
    tags.for_route("wagtailapi_v3:club_books_list", {}),
    tags.for_page(tags.DISCUSSION_INDEX, 5),
)


def test_comments_votes_and_rsvps_leave_the_hot_set_alone():
    for change in (
        tags.retired_by_comment(40),
        tags.retired_by_vote(),
        tags.retired_by_rsvp(40),
    ):
        for response in HOT_SET:
            assert not _retires(change, response), (change, response)


def test_a_pages_listing_that_may_show_discussions_follows_their_comments():
    change = tags.retired_by_comment(40)
    for query in ({}, {"type": "reviews.DiscussionPage"}, {"type": "wagtailcore.Page"}):
        for view in ("wagtailapi:pages:listing", "wagtailapi_v3:list_pages"):
            assert _retires(change, tags.for_route(view, {}, query)), (view, query)
    mixed = {"type": "reviews.ReviewPage,reviews.DiscussionPage"}
    assert _retires(change, tags.for_route("wagtailapi:pages:listing", {}, mixed))
    reviews_only = {"type": "REVIEWS.reviewpage"}
    assert not _retires(
        change, tags.for_route("wagtailapi_v3:list_pages", {}, reviews_only)
    )


def test_the_host_sites_page_types_without_comments_come_from_its_settings(settings):
    change = tags.retired_by_comment(40)
    home_only = {"type": "home.HomePage"}
    settings.BOOKCLUB_PAGE_TYPES_WITHOUT_COMMENTS = ["home.HomePage"]
    assert not _retires(
        change, tags.for_route("wagtailapi_v3:list_pages", {}, home_only)
    )
    # A host page type the plugin is not told about may show comments.
    settings.BOOKCLUB_PAGE_TYPES_WITHOUT_COMMENTS = []
    assert _retires(change, tags.for_route("wagtailapi_v3:list_pages", {}, home_only))


def test_a_repeated_type_counts_every_value(settings):
    from django.http import QueryDict

    settings.BOOKCLUB_PAGE_TYPES_WITHOUT_COMMENTS = ["home.HomePage"]
    change = tags.retired_by_comment(40)
    for query in (
        "type=reviews.DiscussionPage&type=home.HomePage",
        "type=home.HomePage&type=reviews.DiscussionPage",
    ):
        listing = tags.for_route("wagtailapi_v3:list_pages", {}, QueryDict(query))
        assert _retires(change, listing), query
    home_only = QueryDict("type=home.HomePage&type=home.HomePage")
    assert not _retires(
        change, tags.for_route("wagtailapi_v3:list_pages", {}, home_only)
    )


def test_a_series_change_retires_every_answer_that_names_a_books_series():
    """Every book in an API answer carries its series (``book.series``), a
    discussion's too: a series renamed, unpublished or given other books
    retires each of them, at the edge as well (its Surrogate-Key)."""
    naming_series = (
        tags.for_route("wagtailapi_v3:club_discussions_list", {}),
        tags.for_route("wagtailapi_v3:club_discussions_detail", {"discussion_id": 40}),
        tags.for_route("wagtailapi_v3:club_reviews_list", {}),
        tags.for_route("wagtailapi_v3:club_reviews_detail", {"review_id": 10}),
        tags.for_route("wagtailapi_v3:club_books_list", {}),
        tags.for_route("wagtailapi_v3:club_books_detail", {"book_id": 5}),
        tags.for_route("wagtailapi:pages:detail", {"pk": 10}),
        tags.for_route("wagtailapi_v3:detail_page", {"page_id": 10}),
        V2_LIST,
    )
    for change in (
        tags.retired_by_page(tags.SERIES_PAGE, 7),
        tags.retired_by_series_entry(),
    ):
        for response in naming_series:
            assert _retires(change - {tags.ALL}, response), (change, response)


def test_a_new_revision_retires_the_book_list_only_with_a_new_rating():
    books = tags.for_route("wagtailapi_v3:club_books_list", {})
    same = tags.retired_by_page(tags.REVIEW, 10, book_id=5, stayed=True, rated=False)
    rerated = tags.retired_by_page(tags.REVIEW, 10, book_id=5, stayed=True)
    assert not _retires(same, books)
    assert _retires(rerated, books)
    # The review's own book and the review listings go either way.
    for change in (same, rerated):
        assert _retires(
            change, tags.for_route("wagtailapi_v3:club_books_detail", {"book_id": 5})
        )
        assert _retires(change, REVIEW_LIST)
