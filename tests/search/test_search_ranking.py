"""Search ranks title matches first, counts and pages exactly, and costs a
fixed number of queries however many reviews match.

Runs on SQLite (FTS5) and, with DATABASE_URL, on PostgreSQL: the club ranks
on the index table on both (bookclub.search).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import PageViewRestriction
from wagtail.search.backends import get_search_backend

from reviews.models import ReviewPage
from tests.factories import BookFactory, make_review, paragraph

pytestmark = pytest.mark.django_db

TERM = "lighthouse"


@pytest.fixture
def ranked_reviews():
    """The title match is the oldest review, so "newest first" alone would
    put it last; the others say the term more often, in summary and body."""
    in_title = make_review(
        book=BookFactory(title="Harbour"),
        title="The lighthouse keeper",
        summary="A quiet book.",
    )
    in_text = [
        make_review(
            book=BookFactory(title=f"Harbour {n}"),
            title=f"Coastal review {n}",
            summary="A lighthouse, another lighthouse, and a lighthouse again.",
            body=[paragraph("The lighthouse stands for the lighthouse of memory.")],
        )
        for n in range(3)
    ]
    make_review(book=BookFactory(title="Inland"), title="Unrelated", summary="Fields.")
    return in_title, in_text


def _titles(results) -> list[str]:
    return [page.title for page in results]


def test_backend_puts_the_title_match_first(ranked_reviews):
    in_title, in_text = ranked_reviews
    results = get_search_backend().search(TERM, ReviewPage.objects.live())
    titles = _titles(results)
    assert titles[0] == in_title.title
    assert sorted(titles[1:]) == sorted(page.title for page in in_text)
    assert results.count() == 4


def test_a_phrase_and_an_or_search_rank_the_same_way(ranked_reviews):
    in_title, _ = ranked_reviews
    backend = get_search_backend()
    either = backend.search(f"{TERM} nowhere", ReviewPage.objects.live(), operator="or")
    assert _titles(either)[0] == in_title.title
    assert len(_titles(either)) == 4
    both = backend.search(f"{TERM} nowhere", ReviewPage.objects.live(), operator="and")
    assert _titles(both) == []


def test_v2_api_puts_the_title_match_first(client, ranked_reviews):
    in_title, _ = ranked_reviews
    data = client.get(
        "/api/v2/pages/", {"type": "reviews.ReviewPage", "search": TERM}
    ).json()
    assert data["meta"]["total_count"] == 4
    assert data["items"][0]["title"] == in_title.title


def test_search_page_puts_the_title_match_first(client, ranked_reviews):
    in_title, _ = ranked_reviews
    response = client.get(reverse("reviews:search"), {"q": TERM})
    assert [page.title for page in response.context["results"]][0] == in_title.title
    assert "4 reviews for" in response.content.decode()


def test_scores_can_be_annotated(ranked_reviews):
    results = get_search_backend().search(TERM, ReviewPage.objects.live())
    scored = list(results.annotate_score("_score"))
    assert all(isinstance(page._score, float) for page in scored)


def test_counts_and_pages_are_exact_and_skip_hidden_reviews(client):
    book = BookFactory(title="Shore")
    made = [
        make_review(book=book, title=f"Beacon {n}", summary=f"A {TERM}.")
        for n in range(23)
    ]
    make_review(book=book, title="Draft beacon", summary=TERM, live=False)
    private = make_review(book=book, title="Private beacon", summary=TERM)
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.LOGIN
    )
    seen = []
    for offset in (0, 10, 20):
        data = client.get(
            "/api/v2/pages/",
            {
                "type": "reviews.ReviewPage",
                "search": TERM,
                "limit": 10,
                "offset": offset,
            },
        ).json()
        assert data["meta"]["total_count"] == 23
        seen += [item["title"] for item in data["items"]]
    assert sorted(seen) == sorted(page.title for page in made)
    assert len(seen) == 23, "no review on two pages"


def test_v3_club_search_finds_the_same_reviews(client, ranked_reviews):
    in_title, in_text = ranked_reviews
    items = client.get("/api/v3/reviews/", {"search": TERM}).json()["items"]
    assert sorted(item["title"] for item in items) == sorted(
        [in_title.title] + [page.title for page in in_text]
    )


def _search_queries(client, count: int) -> int:
    book = BookFactory(title=f"Catalogue of {count}")
    for n in range(count):
        make_review(book=book, title=f"Entry {count}-{n}", summary=f"{TERM} {count}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            "/api/v2/pages/",
            {"type": "reviews.ReviewPage", "search": f"{TERM} {count}", "limit": 20},
        )
    assert response.status_code == 200
    assert response.json()["meta"]["total_count"] == count
    return len(queries.captured_queries)


def test_a_search_costs_the_same_queries_for_three_matches_or_thirty(client):
    _search_queries(client, 1)  # per-process lookups (site, content types)
    assert _search_queries(client, 3) == _search_queries(client, 30)


def test_ranked_search_runs_three_queries(ranked_reviews):
    backend = get_search_backend()
    results = backend.search(TERM, ReviewPage.objects.live())
    with CaptureQueriesContext(connection) as queries:
        assert results.count() == 4
        assert len(list(results[:2])) == 2
    assert len(queries.captured_queries) <= 3, "rank, restrict, fetch the page"


def test_autocomplete_keeps_working(ranked_reviews):
    from reviews.models import Book

    found = get_search_backend().autocomplete("Harb", Book)
    assert found.count() == 4
    assert {book.title for book in found} == {
        "Harbour",
        "Harbour 0",
        "Harbour 1",
        "Harbour 2",
    }


def test_many_matches_are_restricted_in_the_database(monkeypatch, client):
    """Past MAX_LITERAL_IDS matches the queryset is restricted with a
    subquery instead of listing ids: same count, same pages."""
    from bookclub.search import ranked

    book = BookFactory(title="Shore")
    made = [
        make_review(book=book, title=f"Beacon {n}", summary=f"A {TERM}.")
        for n in range(5)
    ]
    make_review(book=book, title="Draft beacon", summary=TERM, live=False)

    def pages() -> list[list[str]]:
        found = []
        for offset in (0, 2, 4):
            data = client.get(
                "/api/v2/pages/",
                {"type": "reviews.ReviewPage", "search": TERM, "limit": 2}
                | {"offset": offset},
            ).json()
            assert data["meta"]["total_count"] == 5
            found.append([item["title"] for item in data["items"]])
        return found

    with_ids = pages()
    monkeypatch.setattr(ranked, "MAX_LITERAL_IDS", 2)
    monkeypatch.setattr("django.conf.settings.BOOKCLUB_API_RESPONSE_CACHE", False)
    assert pages() == with_ids
    assert sorted(sum(with_ids, [])) == sorted(page.title for page in made)


def test_a_search_ordered_by_a_field_keeps_that_order(client, ranked_reviews):
    """``order=`` filters the queryset by the matches and keeps its order,
    with no ranking; counts and pages stay exact."""
    in_title, in_text = ranked_reviews
    expected = sorted([in_title.title, *(page.title for page in in_text)])
    backend = get_search_backend()
    results = backend.search(
        TERM, ReviewPage.objects.live().order_by("title"), order_by_relevance=False
    )
    assert _titles(results) == expected
    assert results.count() == 4
    assert _titles(results[1:3]) == expected[1:3]
    assert results[1:3].count() == 2

    data = client.get(
        "/api/v2/pages/",
        {"type": "reviews.ReviewPage", "search": TERM, "order": "-title", "limit": 2},
    ).json()
    assert data["meta"]["total_count"] == 4
    assert [item["title"] for item in data["items"]] == expected[::-1][:2]


def test_a_search_ordered_by_a_field_costs_a_fixed_number_of_queries(client, settings):
    settings.BOOKCLUB_API_RESPONSE_CACHE = False
    for n in range(6):
        make_review(title=f"Beacon {n}", summary=f"The {TERM} again.")
    url = "/api/v2/pages/?type=reviews.ReviewPage&order=title&limit=3&search=" + TERM
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url.replace("limit=3", "limit=2"))
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(few.captured_queries) == len(more.captured_queries)


def test_the_search_page_finds_only_public_published_reviews(client, book):
    make_review(book=book, title="Open harbour")
    make_review(book=book, title="Draft harbour", live=False)
    private = make_review(book=book, title="Private harbour")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.LOGIN
    )
    html = client.get("/search/", {"q": "harbour"}).content.decode()
    assert "Open harbour" in html
    assert "Draft harbour" not in html
    assert "Private harbour" not in html
