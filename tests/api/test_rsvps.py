"""RSVPs through API v3: anyone sees how many are coming, members see who,
and a member with a token answers for themselves while the meeting is ahead."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews.models import MeetingRSVP
from tests.factories import UserFactory, make_discussion, token_client

pytestmark = pytest.mark.django_db


def _put(api, url: str, data):
    return api.put(url, data, content_type="application/json")


def test_a_member_answers_and_everyone_sees_the_counts(client):
    page = make_discussion()
    ann = UserFactory(first_name="Ann", last_name="Lee", email="ann@x.org")
    MeetingRSVP.objects.create(page=page, member=UserFactory(), answer="maybe")
    api = token_client(ann)
    url = f"/api/v3/discussions/{page.pk}/rsvps/"

    response = _put(api, f"/api/v3/discussions/{page.pk}/rsvp/", {"answer": "going"})

    assert response.status_code == 200, response.content
    assert response.json()["mine"] == "going"
    assert MeetingRSVP.objects.get(page=page, member=ann).answer == "going"
    seen = api.get(url).json()
    assert (seen["going_count"], seen["maybe_count"]) == (1, 1)
    assert seen["going"] == ["Ann Lee"]
    anonymous = client.get(url)
    assert anonymous.status_code == 200
    assert anonymous.json()["going_count"] == 1
    assert anonymous.json()["going"] is None and anonymous.json()["mine"] is None
    assert "Ann" not in anonymous.content.decode()
    assert "ann@x.org" not in api.get(url).content.decode()


def test_answers_need_a_token_a_known_answer_and_a_meeting_ahead(client):
    page = make_discussion()
    past = make_discussion(starts_at=timezone.now() - timedelta(days=1))
    api = token_client(UserFactory())

    def rsvp(who, target, data):
        return _put(who, f"/api/v3/discussions/{target.pk}/rsvp/", data)

    assert rsvp(client, page, {"answer": "going"}).status_code == 401
    assert rsvp(api, page, {"answer": "perhaps"}).status_code == 400
    assert rsvp(api, past, {"answer": "going"}).status_code == 409
    assert not MeetingRSVP.objects.exists()
    assert api.get("/api/v3/discussions/999999/rsvps/").status_code == 404
