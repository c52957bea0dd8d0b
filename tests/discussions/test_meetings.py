"""Meetings: RSVPs, who is coming, and iCalendar files."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.utils import timezone

from reviews.models import MeetingRSVP
from tests.factories import MeetingRSVPFactory, UserFactory, make_discussion, site_root

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def rsvp(client, discussion, answer):
    return client.post(f"/club/discussions/{discussion.pk}/rsvp/", {"answer": answer})


def test_members_rsvp_and_change_their_answer(client, discussion, member):
    client.force_login(member)
    assert rsvp(client, discussion, "going").status_code == 302
    assert MeetingRSVP.objects.get().answer == "going"
    rsvp(client, discussion, "maybe")
    assert MeetingRSVP.objects.get().answer == "maybe"
    rsvp(client, discussion, "not_going")
    answer = MeetingRSVP.objects.get(page=discussion, member=member).answer
    assert answer == "not_going"
    assert MeetingRSVP.objects.count() == 1
    rsvp(client, discussion, "perhaps")
    assert MeetingRSVP.objects.get().answer == "not_going"


def test_members_see_who_is_coming_visitors_see_counts(
    client, discussion, member, other_member
):
    MeetingRSVPFactory(page=discussion, member=other_member, answer="going")
    MeetingRSVPFactory(page=discussion, member=UserFactory(first_name="Cleo"))
    MeetingRSVPFactory(
        page=discussion, member=UserFactory(first_name="Dan"), answer="maybe"
    )
    html = client.get(discussion.url).content.decode()
    assert "2 going, 1 maybe." in html
    assert "Bruno Keller" not in html
    client.force_login(member)
    html = client.get(discussion.url).content.decode()
    assert "Bruno Keller" in html
    assert 'name="answer" value="going"' in html


def test_answers_close_when_the_meeting_is_over(client, member, book):
    past = make_discussion(book=book, starts_at=timezone.now() - timedelta(days=1))
    client.force_login(member)
    rsvp(client, past, "going")
    assert not MeetingRSVP.objects.exists()
    assert "Save my answer" not in client.get(past.url).content.decode()


def test_answers_read_in_the_tense_of_the_meeting(client, book, member):
    """A meeting nobody has answered for said "0 going.", and one that is
    over said "Who came" above "2 going, 1 maybe."."""
    upcoming = make_discussion(book=book, title="Ahead")
    past = make_discussion(
        book=book, title="Behind", starts_at=timezone.now() - timedelta(days=3)
    )
    ended = make_discussion(
        book=book, title="Quiet", starts_at=timezone.now() - timedelta(days=10)
    )
    for answer in ("going", "going", "maybe"):
        MeetingRSVPFactory(page=past, member=UserFactory(), answer=answer)
    client.force_login(member)

    html = " ".join(client.get(upcoming.url).content.decode().split())
    assert "Nobody has answered yet." in html
    assert "0 going" not in html

    html = " ".join(client.get(past.url).content.decode().split())
    assert "Who came" in html
    assert "2 said they would come, 1 maybe." in html
    assert "going," not in html

    html = " ".join(client.get(ended.url).content.decode().split())
    assert "Nobody said whether they would come." in html
    assert "0 going" not in html


def test_visitors_log_in_to_rsvp(client, discussion):
    response = rsvp(client, discussion, "going")
    assert "/accounts/login/" in response["Location"]
    assert not MeetingRSVP.objects.exists()


def parse_events(response) -> list[icalendar.Event]:
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    return calendar, list(calendar.walk("VEVENT"))


@pytest.mark.parametrize(
    ("starts_utc", "local_line"),
    [
        (datetime(2030, 7, 1, 18, 30, tzinfo=UTC), "20300701T193000"),
        (datetime(2030, 1, 15, 19, 0, tzinfo=UTC), "20300115T190000"),
    ],
)
def test_meeting_ics_is_valid_with_the_club_time_zone(
    client, book, starts_utc, local_line
):
    page = make_discussion(
        book=book, title="Summer, winter", starts_at=starts_utc, duration_minutes=90
    )
    response = client.get(f"/club/discussions/{page.pk}/meeting.ics")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    calendar, (event,) = parse_events(response)
    assert calendar.get("version") == "2.0"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    start = event.decoded("dtstart")
    assert event["dtstart"].params["TZID"] == "Europe/London"
    assert start == starts_utc and start.tzinfo is not None
    assert event.decoded("dtend") - start == timedelta(minutes=90)
    assert f"DTSTART;TZID=Europe/London:{local_line}" in response.content.decode()
    assert str(event["summary"]) == "Summer, winter"
    assert event.decoded("dtstamp").utcoffset() == timedelta(0)
    assert str(event["location"]) == "The library"


def test_meeting_ics_of_an_unpublished_discussion_is_404(client, discussion):
    discussion.unpublish()
    response = client.get(f"/club/discussions/{discussion.pk}/meeting.ics")
    assert response.status_code == 404


def test_meetings_feed_lists_upcoming_meetings_only(client, book):
    soon = make_discussion(book=book, title="Soon")
    later = make_discussion(
        book=book, title="Later", starts_at=timezone.now() + timedelta(days=30)
    )
    make_discussion(
        book=book, title="Past", starts_at=timezone.now() - timedelta(days=3)
    )
    draft = make_discussion(book=book, title="Draft")
    draft.unpublish()
    response = client.get("/club/meetings.ics")
    calendar, events = parse_events(response)
    assert [str(e["summary"]) for e in events] == ["Soon", "Later"]
    assert len({str(e["uid"]) for e in events}) == 2
    assert str(events[0]["url"]).endswith(soon.url)
    assert events[1].decoded("dtstart") == later.starts_at.replace(microsecond=0)


def test_discussion_page_links_its_calendar_file(client, discussion):
    html = client.get(discussion.url).content.decode()
    assert f'href="/club/discussions/{discussion.pk}/meeting.ics"' in html


def test_home_shows_the_next_meeting(client, book):
    make_discussion(book=book, title="Next one")
    assert "Next one" in client.get(site_root().url).content.decode()


def test_a_visitors_page_is_never_given_the_names_of_who_is_coming(
    client, discussion, other_member
):
    """Decide what to send: the template of a visitor's page gets counts,
    not members' names hidden by an ``if``."""
    MeetingRSVPFactory(page=discussion, member=other_member, answer="going")
    MeetingRSVPFactory(
        page=discussion, member=UserFactory(first_name="Dan"), answer="maybe"
    )
    rsvp = client.get(discussion.url).context["rsvp"]
    assert (rsvp.going_count, rsvp.maybe_count) == (1, 1)
    assert rsvp.going == [] and rsvp.maybe == []


def test_the_rsvp_answer_is_confirmed_where_the_button_was(client, discussion, member):
    """On a phone the top of the page is screens away from the RSVP form: the
    confirmation replaces nothing up there and appears right after the
    button, where the redirect's fragment lands."""
    client.force_login(member)
    response = rsvp(client, discussion, "going")
    assert response.headers["Location"].endswith("#rsvp-status")
    html = client.get(response.headers["Location"].split("#")[0]).content.decode()
    section = html[html.index('id="rsvp"') :]
    section = section[: section.index("</section>")]
    button = section.index("Save my answer")
    status = section.index('id="rsvp-status"')
    assert button < status
    assert "your answer is saved" in section[status:]
    assert html.count("your answer is saved") == section.count("your answer is saved")
