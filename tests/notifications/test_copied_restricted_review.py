"""A copy of a restricted review, published by the admin's copy, is mailed
to nobody: Wagtail sends ``page_published`` for the copy before it copies
the source's view restriction onto it, outside any transaction, so the
email is enqueued (and, with the immediate task backend, sent) while the
copy looks public."""

from __future__ import annotations

import pytest
from wagtail.models import Page, PageViewRestriction

from tests.factories import copy_in_admin, make_review, paragraph


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("migrated_db")
def test_a_copy_of_a_restricted_review_is_never_mailed(
    smtp, book, reader, reviewer, client, django_user_model
):
    source = make_review(
        book=book,
        owner=reviewer,
        title="Members only: the ending",
        body=[paragraph("PRIVATECANARY")],
    )
    # A password only the committee has: no member may read it.
    PageViewRestriction.objects.create(
        page=source, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )
    smtp.raw.clear()
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    response = copy_in_admin(
        client, source, "Members only: copied", "members-only-copied"
    )
    assert response.status_code == 302
    copy = Page.objects.get(slug="members-only-copied")
    assert copy.live and PageViewRestriction.objects.filter(page=copy).exists()
    mailed = b"\n".join(smtp.raw)
    assert b"Members only: copied" not in mailed
    assert b"members-only-copied" not in mailed
    assert b"PRIVATECANARY" not in mailed
    assert smtp.raw == []
