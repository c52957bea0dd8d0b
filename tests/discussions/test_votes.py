"""Choosing the next book: nominations, one vote per member per round."""

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from reviews.models import Nomination, NominationRound, Vote
from tests.factories import (
    BookFactory,
    NominationFactory,
    NominationRoundFactory,
    UserFactory,
    bearer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_round():
    return NominationRoundFactory(title="Autumn")


@pytest.fixture
def nominations(open_round):
    return [
        NominationFactory(round=open_round, book=BookFactory(title=title))
        for title in ("Life and Fate", "Middlemarch")
    ]


def vote(client, nomination_round, nomination):
    return client.post(
        f"/club/next-book/{nomination_round.pk}/vote/",
        {"nomination": nomination.pk},
    )


def test_members_nominate_a_catalogue_book_with_a_pitch(client, open_round, member):
    book = BookFactory(title="The Siege")
    client.force_login(member)
    url = f"/club/next-book/{open_round.pk}/nominate/"
    response = client.post(url, {"book": book.pk, "pitch": "Winter reading."})
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert (nomination.book, nomination.nominated_by) == (book, member)
    html = client.get(f"/club/next-book/{open_round.pk}/").content.decode()
    assert "Winter reading." in html and "You nominated" in html
    another = BookFactory()
    client.post(url, {"book": another.pk, "pitch": "And this"})
    assert Nomination.objects.count() == 1, "one nomination per member"


def test_a_book_is_nominated_once_per_round(client, open_round, nominations, member):
    client.force_login(member)
    response = client.post(
        f"/club/next-book/{open_round.pk}/nominate/",
        {"book": nominations[0].book.pk, "pitch": "Me too"},
    )
    assert "already nominated this book" in response.content.decode()
    assert Nomination.objects.count() == 2


def test_one_vote_per_member_changeable_until_close(
    client, open_round, nominations, member
):
    first, second = nominations
    client.force_login(member)
    assert vote(client, open_round, first).status_code == 302
    assert Vote.objects.get(member=member).nomination == first
    vote(client, open_round, second)
    assert Vote.objects.filter(round=open_round, member=member).count() == 1
    assert Vote.objects.get(member=member).nomination == second
    with pytest.raises(IntegrityError):
        Vote.objects.create(round=open_round, nomination=first, member=member)


def test_votes_are_counted_in_their_own_round_only(client, open_round, member):
    other_round = NominationRoundFactory()
    foreign = NominationFactory(round=other_round)
    client.force_login(member)
    response = vote(client, open_round, foreign)
    assert response.status_code == 200
    assert not Vote.objects.exists()


def test_the_result_shows_when_the_round_closes(
    client, open_round, nominations, member, other_member
):
    first, second = nominations
    for voter, choice in ((member, first), (other_member, first)):
        client.force_login(voter)
        vote(client, open_round, choice)
    client.force_login(UserFactory())
    vote(client, open_round, second)
    url = f"/club/next-book/{open_round.pk}/"
    html = client.get(url).content.decode()
    assert "The club will read" not in html and "2 votes" not in html
    api = client.get(f"/api/v3/rounds/{open_round.pk}/").json()
    assert api["status"] == "open"
    assert [n["votes"] for n in api["nominations"]] == [None, None]
    assert api["winners"] == [] and api["total_votes"] is None

    NominationRound.objects.filter(pk=open_round.pk).update(closes_at=timezone.now())
    html = client.get(url).content.decode()
    assert "The club will read <a href=" in html
    assert "<cite>Life and Fate</cite></a> by" in html
    assert "with 2 of 3 votes" in html
    assert vote(client, open_round, second).status_code == 302
    assert Vote.objects.filter(nomination=second).count() == 1, "closed: no change"
    api = client.get(f"/api/v3/rounds/{open_round.pk}/").json()
    assert api["status"] == "closed"
    assert api["winners"] == [first.pk] and api["total_votes"] == 3
    assert [n["votes"] for n in api["nominations"]] == [2, 1]


def test_api_rounds_are_read_only_and_know_your_vote(
    client, open_round, nominations, member
):
    client.force_login(member)
    vote(client, open_round, nominations[1])
    client.logout()
    listed = client.get("/api/v3/rounds/").json()
    assert [r["title"] for r in listed] == ["Autumn"]
    assert listed[0]["your_vote"] is None
    mine = client.get(f"/api/v3/rounds/{open_round.pk}/", **bearer(member)).json()
    assert mine["your_vote"] == nominations[1].pk
    assert client.post("/api/v3/rounds/", {}, "application/json").status_code == 405
    assert client.get("/api/v3/rounds/999999/").status_code == 404


def test_scheduled_rounds_stay_out_of_sight(client):
    later = NominationRoundFactory(
        opens_at=timezone.now() + timedelta(days=2),
        closes_at=timezone.now() + timedelta(days=9),
    )
    assert client.get(f"/club/next-book/{later.pk}/").status_code == 404
    assert client.get(f"/api/v3/rounds/{later.pk}/").status_code == 404
    assert client.get("/api/v3/rounds/").json() == []


def test_the_discussion_index_points_to_an_open_round(client, open_round, discussion):
    html = client.get(discussion.get_parent().url).content.decode()
    assert f'href="/club/next-book/{open_round.pk}/"' in html


def test_editors_open_a_round_in_the_admin(client):
    from reviews.roles import EDITORS, MEMBERS, ensure_groups
    from tests.factories import review_index

    groups = ensure_groups(review_index())
    editor = UserFactory(username="edith")
    editor.groups.add(groups[EDITORS])
    member = UserFactory(username="maya")
    member.groups.add(groups[MEMBERS])
    url = "/admin/snippets/reviews/nominationround/add/"
    closes = (timezone.now() + timedelta(days=7)).strftime("%Y-%m-%d %H:%M")
    opens = timezone.now().strftime("%Y-%m-%d %H:%M")
    data = {"title": "Spring", "opens_at": opens, "closes_at": closes}
    client.force_login(member)
    client.post(url, data)
    assert not NominationRound.objects.exists()
    client.force_login(editor)
    response = client.post(url, {**data, "closes_at": opens})
    assert response.status_code == 200, "closing before opening is refused"
    assert not NominationRound.objects.exists()
    assert client.post(url, data).status_code == 302
    assert NominationRound.objects.get().created_by == editor
