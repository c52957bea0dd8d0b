"""Every spelling of a query that Django reads as asking for spoilers is
treated as asking for them, whatever the raw query string looks like: such
an answer is the reader's own, never kept or shared."""

from __future__ import annotations

import pytest

from tests.factories import BookFactory, make_review, paragraph, spoiler

pytestmark = pytest.mark.django_db

SECRET = "SPELLINGSECRET"

# A GET's Content-Type charset is the encoding Django decodes its query with:
# in UTF-7, "+AHM-" is "s" and "+AHI-" is "r".
UTF7 = {"CONTENT_TYPE": "text/plain; charset=utf-7"}


@pytest.fixture
def review():
    book = BookFactory()
    return make_review(
        book=book, body=[paragraph("Open words."), spoiler(book, 3, "Late", SECRET)]
    )


@pytest.mark.parametrize(
    "query", ["+AHM-poilers=show", "+AHI-ead={book}:3", "+AHI-ead={book}"]
)
def test_a_query_decoded_into_a_reader_parameter_is_never_shared(client, review, query):
    url = f"{review.url}?{query.format(book=review.book_id)}"
    asked = client.get(url, **UTF7)
    assert asked.status_code == 200
    assert SECRET in asked.content.decode()
    assert "public" not in asked["Cache-Control"]
    assert "private" in asked["Cache-Control"]
    # The same address, read as UTF-8, asks for nothing: nothing kept.
    plain = client.get(url)
    assert plain.status_code == 200
    assert SECRET not in plain.content.decode()


@pytest.mark.parametrize("method", ["get", "head"])
def test_an_api_query_decoded_into_a_reader_parameter_is_never_shared(
    client, review, method
):
    url = f"/api/v2/pages/{review.pk}/?+AHM-poilers=show"
    asked = getattr(client, method)(url, **UTF7)
    assert asked.status_code == 200
    assert "public" not in asked["Cache-Control"]
    plain = client.get(url)
    assert plain.status_code == 200
    assert SECRET not in plain.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "{page}?+AHM-poilers=bogus",
        "{page}?+AHI-ead=x",
        "/api/v2/pages/{pk}/?+AHM-poilers=bogus",
        "/api/v3/reviews/{pk}?+AHI-ead=x",
    ],
)
def test_a_malformed_reader_parameter_however_spelled_is_a_400(client, review, url):
    url = url.format(page=review.url, pk=review.pk)
    assert client.get(url, **UTF7).status_code == 400
