"""Every page that says when a meeting starts says it the same way, with the
club's time zone: "Thursday 11 July 2030, 19:00 BST" (Europe/London), as the
calendar files do."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.factories import BookFactory, discussion_index, make_discussion, site_root

from .helpers import LONDON, spoken

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return " ".join(html.split())


@pytest.fixture(
    params=[
        datetime(2030, 7, 11, 18, 0, tzinfo=UTC),  # 19:00 BST
        datetime(2030, 1, 10, 19, 30, tzinfo=UTC),  # 19:30 GMT
    ],
    ids=["summer", "winter"],
)
def discussion(request, settings):
    settings.TIME_ZONE = "Europe/London"
    book = BookFactory(title="The Siege")
    return make_discussion(book=book, title="Meeting", starts_at=request.param)


def test_the_words_are_worked_out_right():
    assert spoken(datetime(2030, 7, 11, 18, tzinfo=UTC)) == (
        "Thursday 11 July 2030, 19:00 BST"
    )
    assert spoken(datetime(2030, 1, 10, 19, 30, tzinfo=UTC)) == (
        "Thursday 10 January 2030, 19:30 GMT"
    )


@pytest.mark.parametrize(
    "where", ["home page", "discussion index", "discussion page", "book page"]
)
def test_every_page_gives_the_time_with_its_zone(client, discussion, where):
    url = {
        "home page": site_root().url,
        "discussion index": discussion_index().url,
        "discussion page": discussion.url,
        "book page": discussion.book.get_absolute_url(),
    }[where]
    response = client.get(url)
    assert response.status_code == 200
    machine = discussion.starts_at.astimezone(LONDON).isoformat()
    expected = f'<time datetime="{machine}">{spoken(discussion.starts_at)}</time>'
    assert expected in _text(response.content.decode())


def test_the_admin_dashboard_gives_it_too(client, editor, discussion):
    client.force_login(editor)
    html = _text(client.get("/admin/").content.decode())
    assert f"Meeting</a>, {spoken(discussion.starts_at)}" in html


def test_a_comments_time_names_its_zone_too(client, discussion, member):
    from reviews.models import DiscussionComment

    comment = DiscussionComment.objects.create(
        page=discussion, author=member, body="Well met."
    )
    local = comment.created_at.astimezone(LONDON)
    shown = f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"
    client.force_login(member)  # a comment about the whole book: its author's
    assert shown in _text(client.get(discussion.url).content.decode())
