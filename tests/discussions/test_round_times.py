"""A next-book round's deadline is said as a meeting's start is, with the
club's time zone: "open until Thursday 11 July 2030, 19:00 BST". A round that
closes at 19:00 in July and one in January are an hour apart in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import NominationRoundFactory, site_root

from .helpers import LONDON, spoken

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return " ".join(html.split())


def _time(moment: datetime) -> str:
    machine = moment.astimezone(LONDON).isoformat()
    return f'<time datetime="{machine}">{spoken(moment)}</time>'


@pytest.fixture(
    params=[
        datetime(2030, 7, 11, 18, 0, tzinfo=UTC),  # 19:00 BST
        datetime(2030, 1, 10, 19, 30, tzinfo=UTC),  # 19:30 GMT
    ],
    ids=["summer", "winter"],
)
def closes_at(request, settings, monkeypatch) -> datetime:
    settings.TIME_ZONE = "Europe/London"
    now = request.param - timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: now)
    return request.param


def test_an_open_rounds_deadline_has_its_zone_everywhere(client, editor, closes_at):
    round_ = NominationRoundFactory(
        title="Spring", opens_at=closes_at - timedelta(days=7), closes_at=closes_at
    )
    pages = {
        "home page": site_root().url,
        "round index": reverse("reviews:next_book"),
        "round page": reverse("reviews:next_book_round", args=(round_.pk,)),
    }
    for where, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, where
        assert _time(closes_at) in _text(response.content.decode()), where
    client.force_login(editor)
    assert f"open until {spoken(closes_at)}" in _text(client.get("/admin/").text)


def test_a_closed_rounds_time_has_its_zone(client, closes_at):
    closed = NominationRoundFactory(
        opens_at=closes_at - timedelta(days=20),
        closes_at=closes_at - timedelta(days=10),
    )
    page = client.get(reverse("reviews:next_book_round", args=(closed.pk,)))
    assert f"closed on {_time(closed.closes_at)}" in _text(page.text)
