"""While a round is open nothing tells who is winning: not the numbers, and
not the order of the nominations either."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from reviews.models import NominationRound, Vote
from tests.factories import (
    BookFactory,
    NominationFactory,
    NominationRoundFactory,
    UserFactory,
    bearer,
)

pytestmark = pytest.mark.django_db

VOTE_COUNT = re.compile(r"\b\d+\s+votes?\b")


@pytest.fixture
def open_round():
    return NominationRoundFactory(title="Autumn")


@pytest.fixture
def leader_last(open_round):
    """Three nominations, oldest first; the newest one has all the votes."""
    start = timezone.now() - timedelta(hours=3)
    nominations = [
        NominationFactory(
            round=open_round,
            book=BookFactory(title=title),
            created_at=start + timedelta(hours=hour),
        )
        for hour, title in enumerate(("Middlemarch", "Life and Fate", "Stoner"))
    ]
    for _voter in range(2):
        Vote.objects.create(
            round=open_round, nomination=nominations[2], member=UserFactory()
        )
    return nominations


def titles_in_order(html: str, titles: list[str]) -> list[str]:
    return sorted(titles, key=lambda title: html.index(f"<cite>{title}</cite>"))


def test_an_open_round_lists_nominations_in_the_order_they_came(
    client, open_round, leader_last, member
):
    client.force_login(member)
    html = client.get(f"/club/next-book/{open_round.pk}/").content.decode()
    titles = ["Middlemarch", "Life and Fate", "Stoner"]
    assert titles_in_order(html, titles) == titles
    assert not VOTE_COUNT.search(html)

    for headers in ({}, bearer(member)):
        data = client.get(f"/api/v3/rounds/{open_round.pk}/", **headers).json()
        assert [n["book"]["title"] for n in data["nominations"]] == titles
        assert [n["votes"] for n in data["nominations"]] == [None, None, None]
        assert data["total_votes"] is None and data["winners"] == []
        listed = client.get("/api/v3/rounds/", **headers).json()
        assert [n["book"]["title"] for n in listed[0]["nominations"]] == titles


def test_a_closed_round_lists_them_by_votes(client, open_round, leader_last):
    NominationRound.objects.filter(pk=open_round.pk).update(closes_at=timezone.now())
    html = client.get(f"/club/next-book/{open_round.pk}/").content.decode()
    titles = ["Middlemarch", "Life and Fate", "Stoner"]
    assert titles_in_order(html, titles) == ["Stoner", "Middlemarch", "Life and Fate"]
    assert "2 votes" in html
    data = client.get(f"/api/v3/rounds/{open_round.pk}/").json()
    assert [n["book"]["title"] for n in data["nominations"]] == [
        "Stoner",
        "Middlemarch",
        "Life and Fate",
    ]
    assert [n["votes"] for n in data["nominations"]] == [2, 0, 0]
