"""The builders in reviews/stream_values.py give values the blocks accept as
they are: what the demo, the importer, the seed and the factories store is what
an editor would have saved."""

import pytest

from reviews.blocks import QuestionStreamBlock, ReviewStreamBlock
from reviews.stream_values import heading, paragraph, question, quote, spoiler

pytestmark = pytest.mark.django_db


def _without_ids(raw):
    out = []
    for block in raw:
        value = block["value"]
        if isinstance(value, dict) and "content" in value:
            value = {**value, "content": _without_ids(value["content"])}
        out.append({"type": block["type"], "value": value})
    return out


def test_review_blocks_validate_and_store_unchanged(book):
    raw = [
        paragraph("Plain <b>and bold</b>.", block_id="p1"),
        heading("What stays with you"),
        quote("Warmth is something you make.", "A reader"),
        spoiler(
            "How it ends",
            [paragraph("Everyone survives."), quote("Nobody dies.", "")],
            spoils=book.pk,
            chapter=12,
        ),
        spoiler("The ending", [paragraph("It rains.")]),
    ]
    block = ReviewStreamBlock()
    value = block.clean(block.to_python(raw))
    stored = block.get_prep_value(value)
    assert stored[0]["id"] == "p1"
    assert _without_ids(stored) == _without_ids(raw)
    spoiled = value[3].value
    assert spoiled["spoils"] == book
    assert spoiled["chapter"] == 12
    assert value[4].value["spoils"] is None  # the reviewed book


def test_questions_validate_and_store_unchanged(book):
    raw = [question("Who is telling the truth?", book=book.pk, chapter=3)]
    block = QuestionStreamBlock()
    value = block.clean(block.to_python(raw))
    assert _without_ids(block.get_prep_value(value)) == _without_ids(raw)
