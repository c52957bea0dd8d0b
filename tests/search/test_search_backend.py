"""Any search string gets an answer, never a database error."""

import pytest

from tests.factories import make_review

pytestmark = pytest.mark.django_db

ODD_SEARCHES = [" ", '"', '""', 'siege"', "(", "*", "NEAR", "a OR", "-", "^", ":", "'"]


@pytest.mark.parametrize("query", ODD_SEARCHES)
@pytest.mark.parametrize("url", ["/api/v2/pages/", "/api/v3/pages/"])
def test_odd_search_strings_answer_200(client, book, url, query):
    make_review(book=book, title="The siege review")
    response = client.get(url, {"search": query})
    assert response.status_code == 200


def test_quotes_do_not_stop_a_search_from_matching(client, book):
    make_review(book=book, title="Winter in Leningrad")
    response = client.get("/api/v2/pages/", {"search": '"Leningrad"'})
    assert [item["title"] for item in response.json()["items"]] == [
        "Winter in Leningrad"
    ]
