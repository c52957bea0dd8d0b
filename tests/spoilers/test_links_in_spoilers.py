"""A link inside a spoiler must not give away what the spoiler hides."""

from collections.abc import Iterator

import pytest

from reviews.models import ReviewPage
from tests.factories import make_review, paragraph
from tests.fixtures.database import built_once

from .conftest import BuiltReview, shared_review
from .helpers import head_of, spoiler_values

pytestmark = pytest.mark.django_db

# Every test here reads the linking review, on the conftest's books: built
# once for the module.
siege, betrayal, review = shared_review()

LINK_TEXT = "TRAPDOORLINKTEXT"
TARGET_SLUG = "what-happens-to-kolya"


@pytest.fixture(scope="module")
def built_linking_review(
    django_db_blocker, built_review: BuiltReview
) -> Iterator[tuple[int, int]]:
    with built_once(django_db_blocker):
        linking, target = _linking_review(built_review.betrayal)
        yield linking.pk, target.pk


@pytest.fixture
def linking_review(
    built_linking_review: tuple[int, int],
) -> tuple[ReviewPage, ReviewPage]:
    linking, target = built_linking_review
    return ReviewPage.objects.get(pk=linking), ReviewPage.objects.get(pk=target)


def _linking_review(betrayal) -> tuple[ReviewPage, ReviewPage]:
    target = make_review(
        book=betrayal,
        title="What happens to Kolya",
        slug=TARGET_SLUG,
        summary="Another review.",
    )
    body = [
        paragraph("Open words."),
        {
            "type": "spoiler",
            "value": {
                "spoils": betrayal.pk,
                "chapter": 12,
                "label": "A later visit",
                "content": [
                    {
                        "type": "paragraph",
                        "value": (
                            f'<p>See <a linktype="page" id="{target.pk}">'
                            f"{LINK_TEXT}</a>.</p>"
                        ),
                    }
                ],
            },
        },
    ]
    return make_review(book=betrayal, title="Linking review", body=body), target


@pytest.mark.parametrize("version", ["v2", "v3"])
@pytest.mark.parametrize(
    "rich_text_format", [None, "db_html", "html", "markdown", "db_markdown"]
)
def test_api_shows_nothing_of_a_hidden_link(
    client, linking_review, version, rich_text_format
):
    review, target = linking_review
    params = {"fields": "*"} if version == "v2" else {}
    if rich_text_format:
        params["rich_text_format"] = rich_text_format
    response = client.get(f"/api/{version}/pages/{review.pk}/", params)
    assert response.status_code == 200, response.content
    body = response.content.decode()
    assert LINK_TEXT not in body
    assert TARGET_SLUG not in body
    assert f'id=\\"{target.pk}\\"' not in body
    assert f"wagtail://page/{target.pk}" not in body
    [value] = spoiler_values(response.json()["body"])
    assert value["hidden"] is True and value["content"] is None


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_api_expands_the_link_once_the_reader_has_read_that_far(
    client, linking_review, betrayal, version
):
    review, _target = linking_review
    response = client.get(
        f"/api/{version}/pages/{review.pk}/",
        {"rich_text_format": "html", "read": f"{betrayal.pk}:12"},
    )
    [value] = spoiler_values(response.json()["body"])
    html = value["content"][0]["value"]
    assert f'href="/reviews/{TARGET_SLUG}/"' in html
    assert LINK_TEXT in html


def test_html_sends_the_link_only_with_the_revealed_spoiler(client, linking_review):
    review, _target = linking_review
    html = client.get(review.url).content.decode()
    assert TARGET_SLUG not in html
    assert LINK_TEXT not in html
    block_id = next(c.id for c in review.body if c.block_type == "spoiler")
    revealed = client.get(review.url, {"reveal": block_id}).content.decode()
    assert TARGET_SLUG not in head_of(revealed)
    assert f"/reviews/{TARGET_SLUG}/" in revealed


def test_search_ignores_link_text_inside_a_spoiler(client, linking_review):
    response = client.get("/api/v2/pages/", {"search": LINK_TEXT})
    assert response.json()["meta"]["total_count"] == 0
