"""Search: spoiler content never reaches the index; labels and books do.

Runs on SQLite (FTS5) and, with DATABASE_URL, on PostgreSQL: the database
search backend differs between them, the rule must not.
"""

import pytest
from django.urls import reverse
from wagtail.models import Page
from wagtail.search.backends import get_search_backend
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from reviews.models import ReviewPage
from tests.factories import UserFactory

from .conftest import shared_review
from .helpers import ENDING_MARKER, LATER_MARKER, MARKER, OPEN_WORD

pytestmark = pytest.mark.django_db

# Every test here reads the review: built once for the module.
siege, betrayal, review = shared_review()

DRAFT_MARKER = "DRAFTWHISPERMARK"


def search_reviews(query: str) -> list[str]:
    results = get_search_backend().search(query, ReviewPage.objects.live())
    return [page.title for page in results]


def search_pages(query: str) -> list[str]:
    return [page.title for page in Page.objects.live().search(query)]


def test_the_index_holds_label_and_spoiled_book_never_content(review):
    content = review.body.stream_block.get_searchable_content(review.body)
    text = " ".join(content)
    assert "How the first book ends" in text
    assert "The Siege" in text
    assert OPEN_WORD in text
    for marker in (MARKER, LATER_MARKER, ENDING_MARKER):
        assert marker not in text


@pytest.mark.parametrize("search", [search_reviews, search_pages])
def test_backend_finds_open_words_labels_and_books_but_not_spoilers(review, search):
    assert search(OPEN_WORD) == ["After the siege"], "the index is live"
    assert search("first book ends") == ["After the siege"]
    for marker in (MARKER, LATER_MARKER, ENDING_MARKER):
        assert search(marker) == []
        assert search(marker.lower()) == []


def test_v2_search_finds_nothing_inside_a_spoiler(client, review):
    found = client.get("/api/v2/pages/", {"search": OPEN_WORD}).json()
    assert [item["title"] for item in found["items"]] == ["After the siege"]
    for params in (
        {"search": MARKER},
        {"search": MARKER, "type": "reviews.ReviewPage", "fields": "*"},
        {"search": ENDING_MARKER, "search_operator": "or"},
    ):
        response = client.get("/api/v2/pages/", params)
        assert response.status_code == 200
        assert response.json()["meta"]["total_count"] == 0


def test_v3_search_finds_nothing_inside_a_spoiler(client, review):
    found = client.get("/api/v3/pages/", {"search": OPEN_WORD}).json()
    assert [item["title"] for item in found["items"]] == ["After the siege"]
    response = client.get(
        "/api/v3/pages/", {"search": MARKER, "type": "reviews.ReviewPage"}
    )
    assert response.status_code == 200
    assert response.json()["items"] == []


def _edit_data(review, spoiler_text: str, label: str) -> dict:
    return nested_form_data(
        {
            "title": review.title,
            "slug": review.slug,
            "book": review.book_id,
            "rating": "4.5",
            "summary": review.summary,
            "body": streamfield(
                [
                    ("paragraph", rich_text(f"<p>{OPEN_WORD} and open opinion.</p>")),
                    (
                        "spoiler",
                        {
                            "spoils": review.book_id,
                            "chapter": "3",
                            "label": label,
                            "content": streamfield(
                                [("paragraph", rich_text(f"<p>{spoiler_text}</p>"))]
                            ),
                        },
                    ),
                ]
            ),
            "tags": "",
            "reviewer": "",
        }
    )


def test_saving_a_draft_or_publishing_in_the_admin_keeps_spoilers_unindexed(
    client, review
):
    editor = UserFactory(username="chief", is_superuser=True, is_staff=True)
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:edit", args=(review.pk,))

    response = client.post(url, _edit_data(review, DRAFT_MARKER, "A drafted warning"))
    assert response.status_code == 302, (
        response.context and response.context["form"].errors
    )
    review.refresh_from_db()
    assert review.has_unpublished_changes
    assert search_reviews(DRAFT_MARKER) == []
    assert search_reviews(MARKER) == [], "the live spoiler is still not indexed"
    assert search_reviews(OPEN_WORD) == ["After the siege"]

    data = _edit_data(review, DRAFT_MARKER, "A drafted warning")
    data["action-publish"] = "action-publish"
    response = client.post(url, data)
    assert response.status_code == 302
    assert search_reviews(DRAFT_MARKER) == []
    assert search_reviews("drafted warning") == ["After the siege"]
    client.logout()
    api = client.get("/api/v2/pages/", {"search": DRAFT_MARKER}).json()
    assert api["meta"]["total_count"] == 0


class TestSearchPage:
    def test_finds_reviews_by_open_words_and_shows_summaries_only(self, client, review):
        response = client.get(reverse("reviews:search"), {"q": OPEN_WORD})
        html = response.content.decode()
        assert response.status_code == 200
        assert "After the siege" in html
        assert "Quieter than the first book, and more frightening." in html
        assert "open opinion" not in html, "never body text"
        assert "1 review for" in html

    @pytest.mark.parametrize("marker", [MARKER, LATER_MARKER, ENDING_MARKER])
    def test_finds_nothing_for_a_word_inside_a_spoiler(self, client, review, marker):
        html = client.get(reverse("reviews:search"), {"q": marker}).content.decode()
        assert "No published review matches" in html
        assert "After the siege" not in html.split("</h1>", 1)[1].split("<footer")[0]

    def test_drafts_and_private_pages_are_not_found(self, client, review, betrayal):
        from wagtail.models import PageViewRestriction

        from tests.factories import make_review

        make_review(book=betrayal, title="Unpublished thoughts", live=False)
        private = make_review(book=betrayal, title="Members-only thoughts")
        PageViewRestriction.objects.create(
            page=private, restriction_type=PageViewRestriction.LOGIN
        )
        html = client.get(reverse("reviews:search"), {"q": "Betrayal"}).content.decode()
        assert "After the siege" in html
        assert "Unpublished thoughts" not in html
        assert "Members-only thoughts" not in html

    def test_paginates(self, client, betrayal):
        from tests.factories import make_review

        # By their titles: the module's review of The Betrayal is not one of them.
        for n in range(12):
            make_review(book=betrayal, title=f"Pagination review {n}")
        first = client.get(reverse("reviews:search"), {"q": "Pagination"})
        assert len(first.context["results"]) == 10
        assert "Page 1 of 2" in first.content.decode()
        second = client.get(reverse("reviews:search"), {"q": "Pagination", "page": 2})
        assert len(second.context["results"]) == 2
        odd = client.get(reverse("reviews:search"), {"q": "Pagination", "page": "x"})
        assert odd.status_code == 200

    @pytest.mark.parametrize(
        "query",
        [
            '"',
            "'",
            "AND",
            "OR NOT",
            "*",
            "siege)(",
            "-",
            "\x00",
            "é" * 300,
            "%_",
            'a"b',
            '"open',
        ],
    )
    def test_odd_queries_never_break_the_page(self, client, review, query):
        response = client.get(reverse("reviews:search"), {"q": query})
        assert response.status_code == 200

    def test_empty_query_shows_just_the_form(self, client, review):
        response = client.get(reverse("reviews:search"))
        assert response.status_code == 200
        assert response.context["results"] is None
        assert 'type="search"' in response.content.decode()
