"""API v2 and v3: the spoiler block's shape, and who sees its content."""

import pytest

from reviews.roles import MEMBERS, ensure_groups
from tests.factories import ReadingProgressFactory, make_review, review_index, spoiler

from .conftest import shared_review
from .helpers import ENDING_MARKER, LATER_MARKER, MARKER, bearer, spoiler_values

pytestmark = pytest.mark.django_db

# Every test here reads the review: built once for the module.
siege, betrayal, review = shared_review()

ALL_MARKERS = (MARKER, LATER_MARKER, ENDING_MARKER)


def v2_detail(review):
    return f"/api/v2/pages/{review.pk}/"


def v3_detail(review):
    return f"/api/v3/pages/{review.pk}/"


V2_LIST = "/api/v2/pages/"
V3_LIST = "/api/v3/pages/"


def _by_label(body: list[dict]) -> dict[str, dict]:
    return {value["label"]: value for value in spoiler_values(body)}


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("detail2", {}),
        ("detail2", {"fields": "*"}),
        ("list2", {"type": "reviews.ReviewPage", "fields": "*"}),
        ("list2", {"type": "reviews.ReviewPage", "fields": "body"}),
        ("list2", {"fields": "*"}),
        ("detail3", {}),
        ("detail3", {"rich_text_format": "html"}),
        ("list3", {}),
        ("list3", {"type": "reviews.ReviewPage"}),
    ],
)
def test_anonymous_clients_never_receive_spoiler_content(client, review, url, params):
    target = {
        "detail2": v2_detail(review),
        "list2": V2_LIST,
        "detail3": v3_detail(review),
        "list3": V3_LIST,
    }[url]
    response = client.get(target, params)
    assert response.status_code == 200, response.content
    body = response.content.decode()
    assert "After the siege" in body
    for marker in ALL_MARKERS:
        assert marker not in body


@pytest.mark.parametrize("detail", [v2_detail, v3_detail])
def test_hidden_spoiler_block_follows_the_contract(client, review, betrayal, detail):
    body = client.get(detail(review)).json()["body"]
    block = next(b for b in body if b["type"] == "spoiler")
    assert isinstance(block["id"], str) and block["id"]
    assert block["value"] == {
        "spoils": {"id": betrayal.pk, "title": "The Betrayal"},
        "chapter": 5,
        "label": "An early turn",
        "hidden": True,
        "content": None,
    }


@pytest.mark.parametrize("detail", [v2_detail, v3_detail])
def test_spoilers_show_reveals_every_spoiler(client, review, detail):
    response = client.get(detail(review), {"spoilers": "show"})
    values = spoiler_values(response.json()["body"])
    assert [v["hidden"] for v in values] == [False, False, False]
    shown = values[0]["content"]
    assert shown[0]["type"] == "paragraph"
    assert MARKER in shown[0]["value"]
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("detail", [v2_detail, v3_detail])
def test_read_covering_a_chapter_reveals_only_up_to_it(
    client, review, betrayal, detail
):
    response = client.get(detail(review), {"read": f"{betrayal.pk}:5"})
    body = response.content.decode()
    assert MARKER in body
    assert LATER_MARKER not in body
    assert ENDING_MARKER not in body
    assert "private" in response["Cache-Control"]


def test_v2_list_with_read_reveals_in_every_item(client, review, betrayal):
    response = client.get(
        V2_LIST,
        {"type": "reviews.ReviewPage", "fields": "body", "read": f"{betrayal.pk}:5"},
    )
    [item] = response.json()["items"]
    labels = _by_label(item["body"])
    assert labels["An early turn"]["hidden"] is False
    assert labels["Late in the book"]["hidden"] is True


def test_member_session_on_v2_uses_their_progress(client, review, reader_at_chapter_5):
    client.force_login(reader_at_chapter_5)
    response = client.get(v2_detail(review))
    labels = _by_label(response.json()["body"])
    assert labels["An early turn"]["hidden"] is False
    assert MARKER in response.content.decode()
    assert labels["Late in the book"]["hidden"] is True
    assert LATER_MARKER not in response.content.decode()
    assert "private" in response["Cache-Control"]


def test_member_bearer_token_on_v2_uses_their_progress(
    client, review, reader_at_chapter_5
):
    response = client.get(v2_detail(review), headers=bearer(reader_at_chapter_5))
    labels = _by_label(response.json()["body"])
    assert labels["An early turn"]["hidden"] is False
    assert labels["Late in the book"]["hidden"] is True


def test_member_bearer_token_on_v3_uses_their_progress(
    client, betrayal, reader_at_chapter_5
):
    # Wagtail's own v3 page reads show a token user the pages they can edit:
    # the member's own review.
    groups = ensure_groups(review_index())
    reader_at_chapter_5.groups.add(groups[MEMBERS])
    own = make_review(
        book=betrayal,
        owner=reader_at_chapter_5,
        body=[
            spoiler(betrayal, 5, "Early", MARKER),
            spoiler(betrayal, 20, "Late", LATER_MARKER),
        ],
    )
    response = client.get(v3_detail(own), headers=bearer(reader_at_chapter_5))
    assert response.status_code == 200, response.content
    labels = _by_label(response.json()["body"])
    assert labels["Early"]["hidden"] is False
    assert labels["Late"]["hidden"] is True
    assert "private" in response["Cache-Control"]
    assert "Authorization" in response["Vary"]


def test_v3_reveals_by_the_session_members_progress(
    client, review, reader_at_chapter_5
):
    """The contract: a member's session counts in every API version (for what
    they may see; v3 still authenticates writes by bearer token only)."""
    assert _by_label(client.get(v3_detail(review)).json()["body"])["An early turn"][
        "hidden"
    ]
    client.force_login(reader_at_chapter_5)
    labels = _by_label(client.get(v3_detail(review)).json()["body"])
    assert labels["An early turn"]["hidden"] is False


def test_read_adds_to_a_members_progress_never_takes_away(
    client, review, betrayal, reader_at_chapter_5
):
    client.force_login(reader_at_chapter_5)
    lower = _by_label(
        client.get(v2_detail(review), {"read": f"{betrayal.pk}:1"}).json()["body"]
    )
    assert lower["An early turn"]["hidden"] is False
    higher = _by_label(
        client.get(v2_detail(review), {"read": f"{betrayal.pk}:20"}).json()["body"]
    )
    assert higher["Late in the book"]["hidden"] is False


@pytest.mark.parametrize("detail", [v2_detail, v3_detail])
def test_sequel_spoiling_book_1_needs_book_1_finished(
    client, review, siege, betrayal, detail
):
    def ending(params):
        return _by_label(client.get(detail(review), params).json()["body"])[
            "How the first book ends"
        ]

    assert ending({"read": str(betrayal.pk)})["hidden"] is True
    assert ending({"read": f"{siege.pk}:30"})["hidden"] is True, "not the ending"
    shown = ending({"read": str(siege.pk)})
    assert shown["hidden"] is False
    assert ENDING_MARKER in shown["content"][0]["value"]


def test_sequel_spoiling_book_1_for_members(
    client, review, finished_book_2_only, finished_book_1
):
    client.force_login(finished_book_2_only)
    labels = _by_label(client.get(v2_detail(review)).json()["body"])
    assert labels["How the first book ends"]["hidden"] is True
    assert labels["Late in the book"]["hidden"] is False
    client.force_login(finished_book_1)
    labels = _by_label(client.get(v2_detail(review)).json()["body"])
    assert labels["How the first book ends"]["hidden"] is False
    assert labels["An early turn"]["hidden"] is True


def test_spoils_field_names_the_books_and_furthest_chapters(
    client, review, siege, betrayal
):
    data = client.get(v2_detail(review)).json()
    assert data["spoils"] == [
        {"id": betrayal.pk, "title": "The Betrayal", "chapter": 20},
        {"id": siege.pk, "title": "The Siege", "chapter": None},
    ]


class TestCaching:
    """No shared cache may hand one reader's reveal to another."""

    @pytest.mark.parametrize("url", [V2_LIST, V3_LIST])
    def test_anonymous_default_is_shareable_but_varies_on_who_asks(
        self, client, review, url
    ):
        response = client.get(url, {"type": "reviews.ReviewPage"})
        assert "private" not in response.get("Cache-Control", "")
        vary = response["Vary"]
        assert "Cookie" in vary and "Authorization" in vary

    @pytest.mark.parametrize("url", [V2_LIST, V3_LIST, "/"])
    @pytest.mark.parametrize("params", [{"spoilers": "show"}, {"read": "ID"}])
    def test_reader_parameters_make_the_response_private(
        self, client, review, betrayal, url, params
    ):
        params = {k: v.replace("ID", str(betrayal.pk)) for k, v in params.items()}
        target = review.url if url == "/" else url
        response = client.get(target, params)
        assert response.status_code == 200
        assert "private" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]

    def test_member_html_page_is_private(self, client, review, member):
        client.force_login(member)
        response = client.get(review.url)
        assert "private" in response["Cache-Control"]
        assert "Cookie" in response["Vary"]


def test_member_progress_never_appears_in_the_public_api(client, review, betrayal):
    from tests.factories import UserFactory

    member = UserFactory(username="secretreader", first_name="Sam", last_name="Reed")
    ReadingProgressFactory(member=member, book=betrayal, chapter=17)
    for url, params in [
        (V2_LIST, {"fields": "*"}),
        (V2_LIST, {"type": "reviews.ReviewPage", "fields": "*"}),
        (v2_detail(review), {"fields": "*"}),
        (V3_LIST, {}),
        (v3_detail(review), {}),
    ]:
        body = client.get(url, params).content.decode()
        assert "secretreader" not in body
        assert "Sam Reed" not in body
        assert "reading_progress" not in body
