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


def _read_as_sent_shows_no_secret(client, url: str) -> None:
    """``url`` read as UTF-8 asks for nothing: no copy kept for the request
    that asked in another charset may answer it."""
    plain = client.get(url)
    assert plain.status_code == 200
    assert SECRET not in plain.content.decode()


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
    _read_as_sent_shows_no_secret(client, url)


@pytest.mark.parametrize("method", ["get", "head"])
def test_an_api_query_decoded_into_a_reader_parameter_is_never_shared(
    client, review, method
):
    url = f"/api/v2/pages/{review.pk}/?+AHM-poilers=show"
    asked = getattr(client, method)(url, **UTF7)
    assert asked.status_code == 200
    assert "public" not in asked["Cache-Control"]
    _read_as_sent_shows_no_secret(client, url)


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


def test_a_block_opened_by_a_query_only_its_charset_spells_is_not_kept_for_others(
    client, review
):
    """A page with a block opened on request is shared at the address that
    asks for it. An address that asks for it only when decoded as UTF-7 asks
    for nothing when read as sent: its page must not be kept with the
    block open, or every reader who follows the link is shown it."""
    block = next(child.id for child in review.body if child.block_type == "spoiler")
    url = f"{review.url}?+AHI-eveal={block}"
    opened = client.get(url, **UTF7)
    assert opened.status_code == 200
    assert SECRET in opened.content.decode()
    assert "private" in opened["Cache-Control"]
    _read_as_sent_shows_no_secret(client, url)


@pytest.mark.parametrize("where", ["page", "v2"])
def test_a_query_its_charset_spells_as_asking_is_never_answered_from_the_shared_copy(
    client, review, where
):
    """The shared copy at an address that asks for nothing as sent is not
    the answer to a request whose charset reads it as asking for spoilers."""
    base = review.url if where == "page" else f"/api/v2/pages/{review.pk}/"
    url = f"{base}?+AHM-poilers=show"
    for _ in range(2):
        shared = client.get(url)
        assert SECRET not in shared.content.decode()
    asked = client.get(url, **UTF7)
    assert asked.status_code == 200
    assert SECRET in asked.content.decode()
