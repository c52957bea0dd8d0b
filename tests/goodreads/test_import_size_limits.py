"""An imported review holds no more than a review written in the admin or
through the API may: at most 1,000 elements a text and 5,000 a body
(reviews/blocks.py). Both APIs' Markdown formats take time growing with the
square of one text's elements, for line breaks and bold runs as for list
items: a member's Goodreads review of 16,000 ``<br/>`` (96 kB, under the CSV
reader's field limit) imported as one paragraph of 16,000 elements, and
every markdown or db_markdown read of it took over 3 s; eight of them in
one listing took a worker past its timeout."""

import pytest

from reviews.blocks import MAX_BODY_ELEMENTS, MAX_TEXT_ELEMENTS, element_count
from reviews.models import ReviewPage

from .helpers import book_row, run_import

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "review",
    [
        "".join("x<br/>" for _ in range(3 * MAX_TEXT_ELEMENTS)),
        "".join("<b>x</b> " for _ in range(3 * MAX_TEXT_ELEMENTS)),
        # 14 paragraphs of 900 elements each: every text within its
        # limit, the body (12,614) past its own; 113 kB, under the CSV
        # reader's field limit.
        "<br/><br/>".join("".join("<i>y</i> " for _ in range(900)) for _ in range(14)),
    ],
    ids=["line-breaks", "bold-runs", "many-paragraphs"],
)
def test_an_imported_review_keeps_within_the_limits(reader, indexes, review):
    report = run_import(
        [book_row("The Long Review", My_Rating=4, My_Review=review)], reader
    )
    # Refused as a bad row that says why, and the import goes on.
    assert report.reviews_created == 0
    assert len(report.errors) == 1
    assert "may hold at most" in str(report.errors[0])
    for page in ReviewPage.objects.all():
        texts = [
            element_count(child.value.source)
            for child in page.body
            if hasattr(child.value, "source")
        ]
        assert max(texts, default=0) <= MAX_TEXT_ELEMENTS, texts[:3]
        assert len(page.body) + sum(texts) <= MAX_BODY_ELEMENTS
