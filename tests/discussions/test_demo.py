import os
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from reviews.models import DiscussionPage, MeetingRSVP, NominationRound
from tests.factories import site_root

pytestmark = pytest.mark.django_db


def test_demo_club_has_a_lively_discussion(client):
    call_command("load_demo", stdout=open(os.devnull, "w"))
    call_command("load_demo", stdout=open(os.devnull, "w"))
    discussion = DiscussionPage.objects.get(slug="the-betrayal")
    comments = discussion.comments.all()
    assert len({c.chapter for c in comments}) >= 5
    assert None in {c.chapter for c in comments}, "one about the whole book"
    assert comments.filter(parent__isnull=False).count() >= 2
    assert MeetingRSVP.objects.filter(page=discussion).count() >= 2
    (open_round,) = NominationRound.objects.open()
    assert open_round.nominations.count() >= 2
    alice = get_user_model().objects.get(username="alice")
    client.force_login(alice)
    response = client.get(discussion.url)
    gated = response.context["discussion"]
    assert gated.threads and gated.hidden.count > 0, "alice is at chapter 5"
    assert "are hidden until you get there" in response.content.decode()
    assert client.get(f"/club/next-book/{open_round.pk}/").status_code == 200


def test_the_demo_round_opens_and_closes_on_the_hour_in_the_clubs_time_zone():
    """A deadline like 14:37:12 reads as a mistake; a club sets 20:00."""
    from django.utils import timezone

    call_command("load_demo", stdout=open(os.devnull, "w"))
    (open_round,) = NominationRound.objects.open()
    for moment in (open_round.opens_at, open_round.closes_at):
        local = timezone.localtime(moment)
        assert (local.minute, local.second, local.microsecond) == (0, 0, 0), local
        assert 9 <= local.hour <= 21, local


def test_the_demo_hosts_are_named_as_every_other_page_names_them(client):
    """A meeting's host is a member: the discussion page names them as the
    home page's review cards and the list of who is coming do, not by a
    first name of its own."""
    call_command("load_demo", stdout=open(os.devnull, "w"))
    users = get_user_model().objects
    client.force_login(users.get(username="alice"))
    home = client.get(site_root().url).content.decode()
    for slug, expected in (
        ("the-betrayal", "Edith Editor"),
        ("persuasion", "Alice Marsh"),
    ):
        html = client.get(DiscussionPage.objects.get(slug=slug).url).content.decode()
        host = re.search(r"<dt>Host</dt><dd>(.*?)</dd>", html)
        assert host is not None and host[1] == expected
        assert f"Reviewed by {expected}" in home
    betrayal = client.get(DiscussionPage.objects.get(slug="the-betrayal").url)
    going = re.search(r"<strong>Going:</strong> (.*?)</p>", betrayal.content.decode())
    assert going is not None and "Edith Editor" in going[1].split(", ")
