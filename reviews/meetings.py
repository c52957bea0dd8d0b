"""Meetings: who is coming, and calendar files (iCalendar, RFC 5545).

Times are written in the club's time zone (``TIME_ZONE``) with a ``TZID``
and a matching ``VTIMEZONE``, so calendar apps show the meeting at the right
moment wherever the member is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import strip_tags

from .members import display_name, shown_member
from .models import DiscussionPage, MeetingRSVP
from .site_root import site_hostname

PRODID = "-//bookclub//discussions//EN"

#: How a meeting's start is written for people: the day, the time and the
#: zone's abbreviation ("Thursday 11 July 2030, 19:00 BST").
START_FORMAT = "l j F Y, H:i T"


def spoken_start(starts_at: datetime) -> str:
    """When a meeting starts, as every page, the admin and every email say
    it: in the current time zone (the club's, ``TIME_ZONE``, unless a view
    chose another) and naming it, so that nobody has to guess which."""
    return date_format(timezone.localtime(starts_at), START_FORMAT)


@dataclass
class RSVPSummary:
    going_count: int = 0
    maybe_count: int = 0
    not_going_count: int = 0
    #: Who is going or may come, by display name: for members only, so that
    #: no page or API answer for a visitor ever holds a member's name.
    going: list[str] = field(default_factory=list)
    maybe: list[str] = field(default_factory=list)
    #: The current member's answer, if any.
    answer: str | None = None


def rsvp_summary(page: DiscussionPage, user=None) -> RSVPSummary:
    """Who answered what for ``page``, in one query. Names only for a
    member (``user`` authenticated); a visitor gets the counts."""
    member = user is not None and user.is_authenticated
    summary = RSVPSummary()
    rows = shown_member(MeetingRSVP.objects.filter(page=page), "member")
    for rsvp in rows:
        if member and rsvp.member_id == user.pk:
            summary.answer = rsvp.answer
        if rsvp.answer == MeetingRSVP.Answer.GOING:
            summary.going_count += 1
            if member:
                summary.going.append(display_name(rsvp.member))
        elif rsvp.answer == MeetingRSVP.Answer.MAYBE:
            summary.maybe_count += 1
            if member:
                summary.maybe.append(display_name(rsvp.member))
        else:
            summary.not_going_count += 1
    return summary


def set_rsvp(page: DiscussionPage, member, answer: str) -> MeetingRSVP:
    rsvp, _created = MeetingRSVP.objects.update_or_create(
        page=page, member=member, defaults={"answer": answer}
    )
    return rsvp


def club_timezone() -> ZoneInfo:
    zone = timezone.get_default_timezone()
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(str(zone))


def meeting_event(page: DiscussionPage, request: HttpRequest | None) -> icalendar.Event:
    """One meeting as a VEVENT. Its text is the spoiler-free meeting details
    only (never questions or comments)."""
    zone = club_timezone()
    event = icalendar.Event()
    # Stable whoever asks and by whichever name: a UID that followed the Host
    # header would duplicate the meeting in subscribers' calendars.
    event.add("uid", f"discussion-{page.pk}@{site_hostname(page)}")
    event.add("dtstamp", timezone.now().astimezone(ZoneInfo("UTC")))
    event.add("dtstart", page.starts_at.astimezone(zone))
    event.add("dtend", page.ends_at.astimezone(zone))
    event.add("summary", page.title)
    url = page.get_full_url(request)
    description = [f"Discussing {page.book.title} by {page.book.author}."]
    if page.host:
        description.append(f"Host: {page.host}.")
    if page.online_url:
        description.append(f"Online: {page.online_url}")
    if url:
        description.append(url)
        event.add("url", url)
    if page.intro:
        description.insert(1, strip_tags(page.intro).strip())
    event.add("description", "\n".join(d for d in description if d))
    if page.location:
        event.add("location", page.location)
    elif page.online_url:
        event.add("location", page.online_url)
    if page.last_published_at:
        event.add("last-modified", page.last_published_at)
    return event


def calendar_for(
    pages: Iterable[DiscussionPage], request: HttpRequest | None, name: str
) -> bytes:
    """An iCalendar file with one event per meeting and the needed time zone."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(club_timezone()))
    pages = list(pages)
    for page in pages:
        calendar.add_component(meeting_event(page, request))
    if pages:
        # Only the time zone rules around these meetings, not decades of them.
        year = timedelta(days=366)
        calendar.add_missing_timezones(
            first_date=min(p.starts_at for p in pages).date() - year,
            last_date=max(p.ends_at for p in pages).date() + year,
        )
    return calendar.to_ical()
