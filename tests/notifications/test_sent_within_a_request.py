"""An email is written for its recipient even when it is sent inside
somebody else's request.

With the immediate task backend (the default), publishing a review sends
the followers' emails inside the editor's request. The editor may see
drafts and restricted pages; the recipient may not, so a link in the review
to such a page must reach the email as plain text, with no URL or slug.
"""

from __future__ import annotations

import pytest
from wagtail.models import PageViewRestriction

from reviews.roles import MODERATORS, ensure_groups
from tests.factories import UserFactory, make_review, review_index, token_client

#: Real commits, so the emails go out where they would: inside the request.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("migrated_db"),
]


def _link(page, text: str) -> dict:
    return {
        "type": "paragraph",
        "value": f'<p>Read <a linktype="page" id="{page.pk}">{text}</a> next.</p>',
    }


def test_an_editor_publishing_sends_no_link_the_recipient_may_not_follow(
    smtp, book, reader, reviewer
):
    editor = UserFactory(username="edna")
    editor.groups.add(ensure_groups(review_index())[MODERATORS])
    draft = make_review(book=book, live=False, slug="draftslugcanary")
    locked = make_review(book=book, slug="lockedslugcanary")
    PageViewRestriction.objects.create(
        page=locked, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    review = make_review(
        book=book,
        owner=reviewer,
        live=False,
        body=[_link(draft, "the draft"), _link(locked, "the locked one")],
    )
    answer = token_client(editor).post(
        f"/api/v3/pages/{review.pk}/actions/publish/",
        data={},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    raw = smtp.raw[-1]  # the locked review, published earlier, had its own
    assert b"the draft" in raw
    assert b"draftslugcanary" not in raw
    assert b"lockedslugcanary" not in raw
