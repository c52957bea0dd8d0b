"""Hidden spoilers and gated questions are sent without their content, and
revealed on request: a no-JavaScript link and a small shared endpoint."""

import re
import uuid

import pytest
from django.core.cache import cache
from wagtail.models import PageViewRestriction

from tests.factories import (
    UserFactory,
    make_discussion,
    make_review,
    paragraph,
    spoiler,
)

from .conftest import shared_review
from .helpers import ENDING_MARKER, LATER_MARKER, MARKER, bearer

pytestmark = pytest.mark.django_db

# Every test here reads the review: built once for the module.
siege, betrayal, review = shared_review()

ALL_MARKERS = (MARKER, LATER_MARKER, ENDING_MARKER)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _ids(page) -> dict[str, str]:
    """Spoiler block ids of ``page``'s body, by label."""
    return {
        child.value["label"]: child.id
        for child in page.body
        if child.block_type == "spoiler"
    }


def _early(review) -> str:
    return _ids(review)["An early turn"]


def _endpoint(page, block_id: str) -> str:
    return f"/club/reveal/{page.pk}/{block_id}/"


def _anchors(html: str) -> dict[str, dict[str, str]]:
    """The page's links, by their text."""
    links = {}
    for attrs, text in re.findall(r"<a ([^>]*)>([^<]*)</a>", html):
        links.setdefault(text.strip(), []).append(
            dict(re.findall(r'([\w-]+)="([^"]*)"', attrs))
        )
    return links


def test_anonymous_page_holds_labels_and_scope_never_content(client, review):
    response = client.get(review.url)
    assert response.status_code == 200
    for marker in ALL_MARKERS:
        assert marker.encode() not in response.content
    text = " ".join(response.content.decode().split())
    assert "How the first book ends" in text
    assert "reveals <cite>The Siege</cite>, the ending included" in text
    assert "reveals <cite>The Betrayal</cite> up to chapter 5" in text
    assert "public" in response["Cache-Control"], "still shared by caches"


def test_member_without_progress_is_sent_no_content(client, review):
    client.force_login(UserFactory(username="newcomer"))
    response = client.get(review.url)
    assert response.status_code == 200
    for marker in ALL_MARKERS:
        assert marker.encode() not in response.content
    assert b"Show this spoiler" in response.content


def test_each_hidden_spoiler_has_a_reveal_link_to_itself(client, review):
    html = client.get(review.url).content.decode()
    links = _anchors(html)["Show this spoiler"]
    ids = _ids(review)
    assert len(links) == 3
    for link, block_id in zip(links, ids.values(), strict=True):
        assert link["href"] == f"{review.url}?reveal={block_id}#{block_id}"
        assert link["data-reveal-url"] == _endpoint(review, block_id)
        assert link["rel"] == "nofollow"
        assert f'id="{block_id}"' in html


def test_reveal_link_renders_that_one_block_open(client, review):
    block_id = _early(review)
    response = client.get(review.url, {"reveal": block_id})
    assert response.status_code == 200
    assert MARKER.encode() in response.content
    assert LATER_MARKER.encode() not in response.content
    assert ENDING_MARKER.encode() not in response.content
    html = response.content.decode()
    assert re.search(rf'<details[^>]*id="{block_id}"[^>]* open', html)
    assert "You asked to see this one" in html
    hide = _anchors(html)["Hide it again"][0]
    assert hide["href"] == f"{review.url}#{block_id}"
    assert response["X-Robots-Tag"] == "noindex"
    assert not client.get(review.url).has_header("X-Robots-Tag")


def test_reveal_keeps_the_readers_other_parameters(client, review, betrayal):
    block_id = _ids(review)["How the first book ends"]
    html = client.get(review.url, {"read": f"{betrayal.pk}:5"}).content.decode()
    hrefs = [link["href"] for link in _anchors(html)["Show this spoiler"]]
    expected = f"{review.url}?read={betrayal.pk}%3A5&amp;reveal={block_id}#{block_id}"
    assert expected in hrefs


def test_revealed_page_is_shared_but_never_served_for_the_plain_page(client, review):
    block_id = _early(review)
    revealed = client.get(review.url, {"reveal": block_id})
    assert "public" in revealed["Cache-Control"]
    again = client.get(review.url, {"reveal": block_id})
    assert again.content == revealed.content
    plain = client.get(review.url)
    assert MARKER.encode() not in plain.content
    assert "public" in plain["Cache-Control"]


@pytest.mark.parametrize(
    "value",
    [
        "not-a-uuid",
        "12345678123456781234567812345678",  # a UUID, but not as Wagtail writes it
        "' OR 1=1 --",
        "x" * 5000,
    ],
)
def test_bad_reveal_value_is_a_400_like_a_bad_read(client, review, value):
    response = client.get(review.url, {"reveal": value})
    assert response.status_code == 400
    assert b"reveal must be a block id" in response.content
    assert b">Back to the page</a>" in response.content


def test_revealing_too_many_blocks_at_once_is_a_400(client, review):
    ids = [str(uuid.uuid4()) for _ in range(11)]
    response = client.get(review.url, {"reveal": ids})
    assert response.status_code == 400


def test_unknown_block_id_reveals_nothing(client, review):
    response = client.get(review.url, {"reveal": str(uuid.uuid4())})
    assert response.status_code == 200
    for marker in ALL_MARKERS:
        assert marker.encode() not in response.content


# The endpoint


def test_endpoint_answers_the_blocks_content_alone(client, review):
    response = client.get(_endpoint(review, _early(review)))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert MARKER.encode() in response.content
    assert LATER_MARKER.encode() not in response.content
    assert ENDING_MARKER.encode() not in response.content
    assert b"<html" not in response.content
    assert "public" in response["Cache-Control"]
    assert "max-age" in response["Cache-Control"]
    assert response["ETag"]
    assert response["X-Robots-Tag"] == "noindex"


def test_endpoint_answer_is_the_same_for_everyone(client, review, betrayal):
    url = _endpoint(review, _early(review))
    anonymous = client.get(url).content
    client.force_login(UserFactory(username="finisher"))
    member = client.get(url, {"read": str(betrayal.pk)}).content
    assert member == anonymous


def test_endpoint_is_cached_like_an_anonymous_page(client, review):
    url = _endpoint(review, _early(review))
    first = client.get(url)
    cached = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert cached.status_code == 304


def test_endpoint_answers_a_gated_question(client, siege, betrayal):
    discussion = make_discussion(
        book=betrayal,
        title="Meeting",
        questions=[
            {
                "type": "question",
                "value": {"question": "GATEDQUESTION?", "book": None, "chapter": 9},
            }
        ],
    )
    block_id = discussion.questions[0].id
    page = client.get(discussion.url).content
    assert b"GATEDQUESTION" not in page
    assert f"?reveal={block_id}#{block_id}".encode() in page
    revealed = client.get(discussion.url, {"reveal": block_id}).content
    assert b"GATEDQUESTION" in revealed
    answer = client.get(_endpoint(discussion, block_id))
    assert answer.status_code == 200
    assert b"GATEDQUESTION" in answer.content


def _looks_missing(client, response) -> bool:
    """A 404 with the very body of a page that never existed (less the path,
    which a 404 page repeats)."""
    missing_url = f"/club/reveal/999999/{uuid.uuid4()}/"
    missing = client.get(missing_url)
    path = response.wsgi_request.path.encode()
    return (
        response.status_code == missing.status_code == 404
        and response.content.replace(path, b"")
        == missing.content.replace(missing_url.encode(), b"")
    )


def test_endpoint_404s_for_unknown_block_and_open_blocks(client, review):
    missing = client.get(_endpoint(review, str(uuid.uuid4())))
    assert missing.status_code == 404
    open_paragraph = next(c.id for c in review.body if c.block_type == "paragraph")
    assert client.get(_endpoint(review, open_paragraph)).status_code == 404
    assert client.get(f"/club/reveal/{review.pk}/not-a-uuid/").status_code == 404


def test_endpoint_404s_for_a_draft_exactly_like_a_missing_page(client, betrayal):
    draft = make_review(
        book=betrayal,
        live=False,
        body=[paragraph("x"), spoiler(betrayal, None, "Draft", MARKER)],
    )
    response = client.get(_endpoint(draft, _ids(draft)["Draft"]))
    assert MARKER.encode() not in response.content
    assert _looks_missing(client, response)


@pytest.mark.parametrize(
    "restriction", [PageViewRestriction.LOGIN, PageViewRestriction.PASSWORD]
)
def test_endpoint_404s_for_a_restricted_page_even_to_members(
    client, review, restriction
):
    PageViewRestriction.objects.create(
        page=review, restriction_type=restriction, password="secret"
    )
    url = _endpoint(review, _early(review))
    response = client.get(url)
    assert MARKER.encode() not in response.content
    assert _looks_missing(client, response)
    client.force_login(UserFactory(username="insider"))
    assert client.get(url).status_code == 404


def test_endpoint_404s_once_the_page_is_unpublished(client, review):
    url = _endpoint(review, _early(review))
    assert client.get(url).status_code == 200
    review.unpublish()
    response = client.get(url)
    assert response.status_code == 404
    assert MARKER.encode() not in response.content


def test_endpoint_does_not_answer_writes(client, review):
    response = client.post(_endpoint(review, _early(review)))
    assert response.status_code == 405
    assert MARKER.encode() not in response.content


# Progress opens what it covers


def test_progress_opens_what_it_covers_marked_read(client, review, reader_at_chapter_5):
    client.force_login(reader_at_chapter_5)
    response = client.get(review.url)
    html = response.content.decode()
    block_id = _early(review)
    assert MARKER in html
    opened = rf'<details class="spoiler spoiler--read" id="{block_id}" open'
    assert re.search(opened, html)
    assert html.count("You have read this far") == 1
    assert LATER_MARKER not in html
    assert ENDING_MARKER not in html
    assert "private" in response["Cache-Control"]


def test_read_parameter_opens_what_it_covers(client, review, betrayal):
    response = client.get(review.url, {"read": f"{betrayal.pk}:20"})
    html = response.content.decode()
    assert MARKER in html
    assert LATER_MARKER in html
    assert ENDING_MARKER not in html
    assert html.count("You have read this far") == 2
    assert "private" in response["Cache-Control"]


def test_spoilers_show_opens_everything(client, review):
    html = client.get(review.url, {"spoilers": "show"}).content.decode()
    for marker in ALL_MARKERS:
        assert marker in html
    assert html.count("You asked to see spoilers") == 3
    assert "Show this spoiler" not in html


# The APIs do not take reveal=


@pytest.mark.parametrize(
    "url",
    ["/api/v2/pages/{pk}/", "/api/v3/pages/{pk}/", "/api/v3/reviews/{pk}/"],
)
def test_apis_never_send_a_block_named_in_reveal(client, review, url):
    response = client.get(url.format(pk=review.pk), {"reveal": _early(review)})
    assert MARKER.encode() not in response.content


def test_api_with_token_and_reveal_still_hides(client, review):
    member = UserFactory(username="tokenreader")
    response = client.get(
        f"/api/v3/pages/{review.pk}/",
        {"reveal": _early(review)},
        headers=bearer(member),
    )
    assert MARKER.encode() not in response.content


# A block inside a revealed block asks the rule again


def _nested_body():
    """A stream whose spoilers may hold spoilers (the club's own schema does
    not nest them; the rule must not depend on that)."""
    from wagtail import blocks

    from reviews.blocks import SpoilerBlock

    class NestedContentBlock(blocks.StreamBlock):
        paragraph = blocks.RichTextBlock()
        spoiler = SpoilerBlock()

    class OuterSpoilerBlock(SpoilerBlock):
        content = NestedContentBlock()

    class BodyBlock(blocks.StreamBlock):
        spoiler = OuterSpoilerBlock()

    return BodyBlock()


def _nested_value(body, outer_id, inner_id, outer_book, inner_book):
    return body.to_python(
        [
            {
                "type": "spoiler",
                "id": outer_id,
                "value": {
                    "spoils": outer_book.pk,
                    "chapter": None,
                    "label": "Outer",
                    "content": [
                        {"type": "paragraph", "value": f"<p>{MARKER}</p>"},
                        {
                            "type": "spoiler",
                            "id": inner_id,
                            "value": {
                                "spoils": inner_book.pk,
                                "chapter": None,
                                "label": "Inner",
                                "content": [
                                    {
                                        "type": "paragraph",
                                        "value": f"<p>{ENDING_MARKER}</p>",
                                    }
                                ],
                            },
                        },
                    ],
                },
            }
        ]
    )


def test_a_spoiler_inside_a_revealed_spoiler_stays_hidden(rf, siege, betrayal):
    from reviews.blocks import READER_CONTEXT_KEY
    from reviews.spoilers import Reader, attach_reader

    body = _nested_body()
    outer_id, inner_id = str(uuid.uuid4()), str(uuid.uuid4())
    value = _nested_value(body, outer_id, inner_id, betrayal, siege)
    request = rf.get("/reviews/x/", {"reveal": outer_id})
    attach_reader(request)  # what ReaderMiddleware does
    for context in (
        {"request": request},  # the no-JavaScript link
        {"request": rf.get("/"), READER_CONTEXT_KEY: Reader(revealed={outer_id})},
    ):
        html = body.render(value, context)
        assert MARKER in html
        assert ENDING_MARKER not in html, "the inner spoiler is of another book"
        assert f"reveal={inner_id}#{inner_id}" in html
        assert html.count(f'id="{outer_id}"') <= 1


def test_a_broken_reveal_link_leads_back_to_the_page(client, review):
    """A reveal link cut short when copied: the 400 page says so and links back
    to the same page, keeping the parts of the address that were fine."""
    response = client.get(review.url, {"spoilers": "hide", "reveal": "nope"})
    assert response.status_code == 400
    html = response.content.decode()
    back = re.search(r'<a href="([^"]*)"[^>]*>Back to the page</a>', html)
    assert back, html
    assert back.group(1) == f"{review.url}?spoilers=hide"
    assert "cut short" in html
    assert client.get(back.group(1).replace("&amp;", "&")).status_code == 200
