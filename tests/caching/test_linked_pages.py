"""A cached page that links to another page is retired when that page goes.

Rich text writes a link's URL only while its target is live and public
(reviews/rich_text.py); the slug of a page that was unpublished or deleted
can itself be a spoiler. So a response that links to a page depends on that
page: a copy kept in the server's cache (and, through its tags, at the edge)
must not outlive the target's unpublishing.
"""

from __future__ import annotations

import pytest

from tests.factories import make_discussion, make_review, make_series

pytestmark = pytest.mark.django_db

CHANNELS = {
    "html": lambda page: page.url,
    "v2": lambda page: f"/api/v2/pages/{page.pk}/?fields=body&rich_text_format=html",
}


def _linking(book, target):
    return make_review(
        book=book,
        body=[
            {
                "type": "paragraph",
                "value": f'<p>Then read <a linktype="page" id="{target.pk}">'
                "the next one</a>.</p>",
            }
        ],
    )


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("change", ["unpublish", "delete"])
def test_a_cached_link_to_a_page_goes_when_the_page_goes(
    client, book, channel, change, django_capture_on_commit_callbacks
):
    target = make_review(book=book, slug="linkedslugcanary")
    linking = _linking(book, target)
    url = CHANNELS[channel](linking)
    first = client.get(url)
    assert first.status_code == 200
    assert b"linkedslugcanary" in first.content
    assert b"linkedslugcanary" in client.get(url).content  # now from the cache

    with django_capture_on_commit_callbacks(execute=True):
        if change == "unpublish":
            target.unpublish()
        else:
            target.delete()

    after = client.get(url)
    assert after.status_code == 200
    assert b"the next one" in after.content
    assert b"linkedslugcanary" not in after.content


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("kind", ["review", "discussion", "series"])
def test_a_cached_link_to_a_page_comes_back_when_the_page_is_published_again(
    client, book, channel, kind, django_capture_on_commit_callbacks
):
    """A page unpublished, its links cached as plain text, then published
    again: the links carry its URL again at once. Its first publication
    date does not move, so the change is not a first publish."""
    if kind == "review":
        target = make_review(book=book, slug="linkedslugcanary")
    elif kind == "discussion":
        target = make_discussion(slug="linkedslugcanary")  # another book
    else:
        target = make_series("Linked", [(book, 1)], slug="linkedslugcanary")
    linking = _linking(book, target)
    url = CHANNELS[channel](linking)
    with django_capture_on_commit_callbacks(execute=True):
        target.unpublish()
    hidden = client.get(url)
    assert b"the next one" in hidden.content
    assert b"linkedslugcanary" not in hidden.content
    assert b"linkedslugcanary" not in client.get(url).content  # now from the cache

    with django_capture_on_commit_callbacks(execute=True):
        target.refresh_from_db()
        target.save_revision().publish()

    assert b"linkedslugcanary" in client.get(url).content
