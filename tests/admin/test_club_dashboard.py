"""The club in the Wagtail admin: a dashboard panel, display names, and
"Yes"/"No" where a listing shows a yes-or-no field."""

import re

import pytest
from django.urls import reverse

from reviews.models import CommentReport, DiscussionComment
from tests.factories import (
    NominationRoundFactory,
    ReadingProgressFactory,
    UserFactory,
    make_discussion,
)

pytestmark = pytest.mark.django_db


def _panel(client) -> str:
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    start = html.index('id="book-club-section"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def reported(editor, bruno):
    discussion = make_discussion(title="The Siege, chapters 1 to 10")
    comment = DiscussionComment.objects.create(
        page=discussion, author=bruno, body="Rude words", chapter=None
    )
    CommentReport.objects.create(comment=comment, reporter=editor, reason="Rude")
    return comment


def test_the_dashboard_shows_reports_the_next_meeting_and_the_open_round(
    client, editor, reported
):
    round_ = NominationRoundFactory(title="Our book for the winter")
    client.force_login(editor)
    panel = _panel(client)
    assert "1 reported comment" in panel
    assert "?reported=true" in panel
    assert "The Siege, chapters 1 to 10" in panel
    assert f'href="/club/next-book/{round_.pk}/"' in panel
    assert "Our book for the winter" in panel


def test_members_get_the_panel_without_the_moderation_queue(client, alice, reported):
    client.force_login(alice)
    panel = _panel(client)
    assert "Reports awaiting moderation" not in panel
    assert "no round open" in panel


def _listing(client, url_name: str) -> str:
    html = client.get(reverse(url_name)).content.decode()
    start = html.index('<table class="listing')
    return html[start : html.index("</table>", start)]


def test_comment_listing_shows_names_and_yes_or_no(client, editor, reported):
    client.force_login(editor)
    listing = _listing(client, "wagtailsnippets_reviews_discussioncomment:list")
    assert "Bruno Keller" in listing
    assert ">bruno<" not in listing
    cells = re.findall(r"<td[^>]*>\s*(.*?)\s*</td>", listing, re.S)
    assert "No" in cells
    assert "False" not in listing


def test_progress_listing_shows_names_and_yes_or_no(client, editor):
    member = UserFactory(username="zz_login", first_name="Dora", last_name="Newman")
    ReadingProgressFactory(member=member, finished=True)
    client.force_login(editor)
    listing = _listing(client, "wagtailsnippets_reviews_readingprogress:list")
    assert "Dora Newman" in listing
    assert "zz_login" not in listing
    assert "True" not in listing


def test_a_comments_reports_name_the_reporter(client, editor, reported):
    client.force_login(editor)
    url = reverse("wagtailsnippets_reviews_discussioncomment:edit", args=[reported.pk])
    html = client.get(url).content.decode()
    panel = html[html.index("Reports from members") :]
    assert "Edith Park: Rude" in panel
    assert "edith:" not in panel


def test_editors_choose_a_reviewer_by_name(client, editor, alice, bruno):
    from tests.factories import make_review

    review = make_review(owner=alice, reviewer=alice)
    client.force_login(editor)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[review.pk])).content
    select = html.decode().split('name="reviewer"', 1)[1].split("</select>", 1)[0]
    assert ">Alice Marsh</option>" in select
    assert ">Bruno Keller</option>" in select
    assert ">alice</option>" not in select
