"""The rule as each channel applies it (basic cases; see the spoiler issue
tests for the full marker sweep)."""

import pytest

from tests.factories import BookFactory, make_review, paragraph, spoiler

pytestmark = pytest.mark.django_db

MARKER = "XYZZYMARKER"


@pytest.fixture
def review(book):
    return make_review(
        book=book,
        summary="Spoiler-free teaser.",
        body=[paragraph("Open text."), spoiler(book, 5, "Chapter five", MARKER)],
    )


def _spoiler_value(items):
    return next(b for b in items if b["type"] == "spoiler")["value"]


def test_api_v2_hides_then_shows_on_request(client, review, book):
    url = f"/api/v2/pages/{review.pk}/"
    hidden = client.get(url).json()
    value = _spoiler_value(hidden["body"])
    assert value == {
        "spoils": {"id": book.pk, "title": book.title},
        "chapter": 5,
        "label": "Chapter five",
        "hidden": True,
        "content": None,
    }
    assert MARKER not in client.get(url).content.decode()
    shown = client.get(url, {"spoilers": "show"})
    assert MARKER in shown.content.decode()
    assert _spoiler_value(shown.json()["body"])["hidden"] is False
    assert "private" in shown["Cache-Control"]
    assert MARKER in client.get(url, {"read": f"{book.pk}:5"}).content.decode()
    assert MARKER not in client.get(url, {"read": f"{book.pk}:4"}).content.decode()


def test_api_v3_detail_applies_the_rule(client, review, book):
    url = f"/api/v3/pages/{review.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    assert MARKER not in response.content.decode()
    assert _spoiler_value(response.json()["body"])["hidden"] is True
    shown = client.get(url, {"read": str(book.pk)})
    assert MARKER in shown.content.decode()


@pytest.mark.parametrize("url", ["/api/v2/pages/", "/api/v3/pages/", "/"])
@pytest.mark.parametrize(
    "params", [{"spoilers": "maybe"}, {"read": "abc"}, {"read": "1:x"}]
)
def test_bad_reader_parameters_are_a_400_never_a_500(client, url, params):
    response = client.get(url, params)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert response.json()["param"] in params


def test_feed_carries_the_summary_only(client, review):
    body = client.get("/feeds/reviews/").content.decode()
    assert "Spoiler-free teaser." in body
    assert MARKER not in body
    assert "Open text." not in body


def test_html_head_carries_the_summary_only(client, review):
    html = client.get(review.url).content.decode()
    head = html.split("</head>")[0]
    assert "Spoiler-free teaser." in head
    assert MARKER not in head
    assert '"@type": "Review"' in head


def test_member_progress_marks_the_spoiler_as_read(client, review, book, member):
    from tests.factories import ReadingProgressFactory

    ReadingProgressFactory(member=member, book=book, chapter=5)
    client.force_login(member)
    html = client.get(review.url).content.decode()
    assert "You have read this far" in html
    assert "Spoiler alert" not in html


def test_other_books_do_not_count(client, book):
    other = BookFactory()
    page = make_review(book=book, body=[spoiler(book, 2, "Two", MARKER)])
    response = client.get(f"/api/v2/pages/{page.pk}/", {"read": str(other.pk)})
    assert MARKER not in response.content.decode()
