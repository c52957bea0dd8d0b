"""Bad ``spoilers=`` and ``read=`` values: a 400 that says why, never a 500."""

import re

import pytest

from .conftest import shared_review

pytestmark = pytest.mark.django_db

# Every test here reads the review: built once for the module.
siege, betrayal, review = shared_review()

BAD_VALUES = [
    ({"spoilers": "maybe"}, "spoilers"),
    ({"spoilers": "SHOW"}, "spoilers"),
    ({"spoilers": "x" * 10_000}, "spoilers"),
    ({"spoilers": ["show", "hide"]}, "spoilers"),
    ({"read": "all of them"}, "read"),
    ({"read": "the-siege"}, "read"),
    ({"read": "BOOK:-3"}, "read"),
    ({"read": "-1"}, "read"),
    ({"read": "BOOK:0"}, "read"),
    ({"read": "BOOK:2.5"}, "read"),
    ({"read": "BOOK:"}, "read"),
    ({"read": "BOOK,"}, "read"),
    ({"read": "BOOK:1:2"}, "read"),
    ({"read": "1" * 10_000}, "read"),
    ({"read": ",".join(["BOOK"] * 2_500)}, "read"),
    ({"read": "BOOK\x00"}, "read"),
    ({"read": "99999999"}, "read"),
]


def _fill(params: dict, book) -> dict:
    def fill(value):
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value.replace("BOOK", str(book.pk))

    return {key: fill(value) for key, value in params.items()}


def _urls(review) -> dict[str, str]:
    return {
        "v2 list": "/api/v2/pages/",
        "v2 detail": f"/api/v2/pages/{review.pk}/",
        "v2 find": f"/api/v2/pages/find/?html_path={review.url}",
        "v3 list": "/api/v3/pages/",
        "v3 detail": f"/api/v3/pages/{review.pk}/",
        "v3 find": f"/api/v3/pages/find/?id={review.pk}",
    }


@pytest.mark.parametrize(("params", "param"), BAD_VALUES)
def test_bad_reader_parameters_are_a_json_400_on_every_api_endpoint(
    client, review, siege, params, param
):
    for endpoint, url in _urls(review).items():
        response = client.get(url, _fill(params, siege))
        assert response.status_code == 400, (endpoint, response.content[:300])
        error = response.json()
        assert error["param"] == param, endpoint
        assert error["detail"]
        assert len(response.content) < 1_000, "the error does not echo the value"


def test_v3_errors_are_problem_details_like_the_rest_of_v3(client, review):
    response = client.get(f"/api/v3/pages/{review.pk}/", {"read": "x"})
    assert response["Content-Type"] == "application/problem+json"
    error = response.json()
    assert error["status"] == 400
    assert error["title"] == "Bad Request"
    assert "read must look like" in error["detail"]


def test_unknown_book_is_named_in_the_error(client, review, siege):
    for url in ("/api/v2/pages/", "/api/v3/pages/"):
        response = client.get(url, {"read": f"{siege.pk},424242:3"})
        assert response.status_code == 400
        # As whole numbers: the book's id may be a part of 424242 (42, 242).
        named = re.findall(r"\d+", response.json()["detail"])
        assert "424242" in named
        assert str(siege.pk) not in named


def test_bad_parameters_on_a_page_are_a_400_page(client, review):
    response = client.get(review.url, {"read": "chapter three"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "That link cannot be read" in html
    assert "read must look like" in html


@pytest.mark.parametrize("value", ["", "hide"])
def test_default_values_are_fine(client, review, value):
    assert client.get(review.url, {"spoilers": value}).status_code == 200
    assert client.get("/api/v2/pages/", {"spoilers": value}).status_code == 200
    assert (
        client.get("/api/v3/pages/", {"spoilers": value, "read": ""}).status_code == 200
    )


def test_the_admin_keeps_its_own_query_parameters(admin_client, review):
    response = admin_client.get("/admin/pages/", {"read": "not-ours"})
    assert response.status_code == 200
