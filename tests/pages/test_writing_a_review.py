"""Where a member finds how to write a review: reviews are written in the
admin, and "My reading" links there for whoever may add one."""

from __future__ import annotations

import pytest

from reviews.roles import MEMBERS
from tests.factories import review_index, user_in

pytestmark = pytest.mark.django_db


def test_my_reading_links_a_member_to_the_review_form(client, groups):
    index = review_index()
    client.force_login(user_in(groups[MEMBERS], "nina"))
    html = client.get("/reading/").content.decode()
    form_url = f"/admin/pages/add/reviews/reviewpage/{index.pk}/"
    assert f'<a href="{form_url}">Write a review</a>' in html
    assert client.get(form_url).status_code == 200


def test_no_link_for_someone_who_may_not_add_reviews(client, member):
    review_index()
    client.force_login(member)
    html = client.get("/reading/").content.decode()
    assert "/admin/pages/add/" not in html
    assert "Write a review" not in html
