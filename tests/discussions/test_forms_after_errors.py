"""A form that comes back with errors is found and read, and reloading the
address it was sent to does not end on a blank page.

The comment form sits at the foot of a long discussion page: after a
refused comment the page came back scrolled to the top, with the error at
the bottom, and reloading that address (or going back to it) answered 405
with an empty body. The same for a refused chapter on a book's progress.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from wagtail.models import PageViewRestriction

from tests.discussions.conftest import shared_discussion

pytestmark = pytest.mark.django_db

book, discussion = shared_discussion()


def post_url(discussion) -> str:
    return reverse("reviews:comment_post", args=[discussion.pk])


def test_the_comment_form_is_sent_to_an_address_that_lands_on_it(
    client, discussion, member
):
    """The browser scrolls a page that came back with errors to the form."""
    client.force_login(member)
    html = client.get(discussion.url).content.decode()
    assert f'action="{post_url(discussion)}#comment-form"' in html


def test_a_refused_comment_describes_its_fields_with_help_that_exists(
    client, discussion, member
):
    client.force_login(member)
    response = client.post(post_url(discussion), {"body": "", "chapter": ""})
    assert response.status_code == 200
    html = response.content.decode()
    form = html[html.index('id="comment-form"') :]
    form = form[: form.index("</form>")]
    described = re.findall(r'aria-describedby="([^"]+)"', form)
    assert described
    for ids in described:
        for target in ids.split():
            assert f'id="{target}"' in form, target
    assert "This field is required." in form
    # The error list is a block of its own, never inside a paragraph.
    assert not re.search(r"<p>(?:(?!</p>).)*<ul class=\"errorlist", form, re.S)


def test_reloading_the_comment_address_goes_back_to_the_discussion(
    client, discussion, member
):
    client.force_login(member)
    response = client.get(post_url(discussion))
    assert response.status_code == 302
    assert response["Location"] == f"{discussion.url}#comments"


def test_the_comment_address_of_a_hidden_discussion_is_still_missing(
    client, discussion, member
):
    PageViewRestriction.objects.create(
        page=discussion,
        restriction_type=PageViewRestriction.PASSWORD,
        password="club",  # noqa: S106
    )
    client.force_login(member)
    response = client.get(post_url(discussion))
    assert response.status_code == 404
    assert discussion.url.encode() not in response.content


def test_reloading_a_books_progress_address_goes_back_to_my_reading(
    client, book, member
):
    client.force_login(member)
    url = reverse("reviews:update_progress", args=[book.pk])
    refused = client.post(url, {"chapter": "999"})
    assert refused.status_code == 200
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:my_reading")
