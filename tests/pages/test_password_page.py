"""A page behind a shared password asks for it in the club's own layout,
without naming what it hides."""

from __future__ import annotations

import pytest
from wagtail.models import PageViewRestriction

from tests.factories import make_review

pytestmark = pytest.mark.django_db


def test_the_password_form_is_in_the_sites_layout_and_names_nothing(client):
    review = make_review(
        title="A closely kept review", summary="Something only the club reads."
    )
    restriction = PageViewRestriction.objects.create(
        page=review,
        restriction_type=PageViewRestriction.PASSWORD,
        password="letmein",  # noqa: S106
    )
    html = client.get(review.url).content.decode()
    assert 'class="site-header"' in html and 'aria-label="Main"' in html
    assert "css/bookclub.css" in html
    assert "<title>Password required · " in html
    assert '<meta name="description"' in html and "noindex" in html
    action = f"/_util/authenticate_with_password/{restriction.pk}/{review.pk}/"
    assert f'action="{action}"' in html
    assert "closely kept" not in html and "only the club reads" not in html

    response = client.post(action, {"password": "letmein", "return_url": review.url})
    assert response.status_code == 302
    assert "closely kept" in client.get(review.url).content.decode()
