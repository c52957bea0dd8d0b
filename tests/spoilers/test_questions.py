"""Discussion questions with a chapter follow the spoiler rule."""

import pytest

from tests.factories import ReadingProgressFactory, make_discussion

from .helpers import split_html

pytestmark = pytest.mark.django_db


def _question(text: str, chapter: int | None, book=None) -> dict:
    return {
        "type": "question",
        "value": {
            "question": text,
            "book": book.pk if book else None,
            "chapter": chapter,
        },
    }


@pytest.fixture
def discussion(siege, betrayal):
    return make_discussion(
        book=betrayal,
        title="Meeting about The Betrayal",
        questions=[
            _question("OPENQUESTION about the book?", None),
            _question("EARLYQUESTION about chapter 3?", 3),
            _question("LATEQUESTION about chapter 20?", 20),
            _question("FIRSTBOOKQUESTION about the first book's end?", 30, siege),
        ],
    )


def test_anonymous_reader_is_sent_gated_questions_scope_only_and_counted(
    client, discussion
):
    html = client.get(discussion.url).content.decode()
    outside, _, _ = split_html(html)
    assert "OPENQUESTION" in outside
    for gated in ("EARLYQUESTION", "LATEQUESTION", "FIRSTBOOKQUESTION"):
        assert gated not in html, "not even behind a closed <details>"
    assert html.count("Show this question") == 3
    assert "3 questions are about chapters you have not reached yet" in outside
    assert "A question about The Siege up to chapter 30" in " ".join(outside.split())


def test_member_sees_the_questions_their_progress_covers(
    client, discussion, reader_at_chapter_5
):
    client.force_login(reader_at_chapter_5)
    html = client.get(discussion.url).content.decode()
    outside, _, _ = split_html(html)
    assert "EARLYQUESTION" in outside
    assert "LATEQUESTION" not in outside
    assert "FIRSTBOOKQUESTION" not in outside
    assert "2 questions are about chapters you have not reached yet" in outside


def test_api_hides_gated_questions_by_the_same_rule(
    client, discussion, siege, betrayal
):
    def shown(params=None, **kwargs):
        for version in ("v2", "v3"):
            data = client.get(
                f"/api/{version}/pages/{discussion.pk}/", params or {}, **kwargs
            ).json()
            yield {
                q["value"]["question"].split()[0]
                for q in data["questions"]
                if not q["value"]["hidden"]
            }

    for result in shown():
        assert result == {"OPENQUESTION"}
    for result in shown({"read": f"{betrayal.pk}:20"}):
        assert result == {"OPENQUESTION", "EARLYQUESTION", "LATEQUESTION"}
    for result in shown({"read": f"{siege.pk}"}):
        assert result == {"OPENQUESTION", "FIRSTBOOKQUESTION"}
    for result in shown({"spoilers": "show"}):
        assert len(result) == 4


def test_hidden_question_text_is_null_in_the_api(client, discussion):
    data = client.get(f"/api/v2/pages/{discussion.pk}/").json()
    late = [q["value"] for q in data["questions"] if q["value"]["chapter"] == 20][0]
    assert late["hidden"] is True
    assert late["question"] is None
    assert (
        "LATEQUESTION"
        not in client.get(f"/api/v3/pages/{discussion.pk}/").content.decode()
    )


def test_finishing_the_book_shows_its_questions(client, discussion, betrayal):
    from tests.factories import UserFactory

    member = UserFactory(username="done")
    ReadingProgressFactory(member=member, book=betrayal, finished=True)
    client.force_login(member)
    outside, _, _ = split_html(client.get(discussion.url).content.decode())
    assert "LATEQUESTION" in outside
    assert "FIRSTBOOKQUESTION" not in outside, "that one is about the first book"
